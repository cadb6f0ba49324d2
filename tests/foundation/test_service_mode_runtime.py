"""Out of order through the running kiosk (real SIP2 over TCP to the simulator): the technician's switch
reaches the core, and neither an item on the attract screen nor a pass + item touches the ILS's books."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.technician import KioskHealth, TechnicianBackend

from .waiting import PATIENT_SIP2, settle, wait_for

JAN = "20301000010015"
HET_DINER = "30301000500013"  # on the shelf
RESERVED = "30301000500070"  # on loan to Jan in the demo data


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}[session]\npin = "never"\n',
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config)
    yield kiosk
    kiosk.stop()


def act(kiosk: Kiosk, event: ev.Event) -> None:
    kiosk.runtime.send(event)
    settle(kiosk)


def test_out_of_order_kiosk_changes_nothing_at_the_ils(kiosk: Kiosk) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    library = kiosk.ils_simulator.library
    assert RESERVED in library.loans
    TechnicianBackend(kiosk).set_out_of_order(True)
    wait_for(kiosk, lambda: kiosk.runtime.out_of_order, "out of order in the core's view")
    assert KioskHealth(kiosk).snapshot().out_of_order  # monitoring reads the same state
    act(kiosk, ev.ItemPresented(RESERVED))  # an item on the attract screen: was checked in
    act(kiosk, ev.PassPresented(JAN))  # a pass, then borrowing: was a loan
    act(kiosk, ev.StartBorrow())
    act(kiosk, ev.ItemPresented(HET_DINER))
    settle(kiosk)
    assert kiosk.runtime.view.screen is Screen.ATTRACT
    assert RESERVED in library.loans and HET_DINER not in library.loans
    assert library.times_applied("checkin", item_id=RESERVED) == 0
    assert library.times_applied("checkout", item_id=HET_DINER) == 0
    # Back in service, the same events work again.
    TechnicianBackend(kiosk).set_out_of_order(False)
    wait_for(kiosk, lambda: not kiosk.runtime.out_of_order, "back in service")
    act(kiosk, ev.ItemPresented(RESERVED))
    wait_for(kiosk, lambda: RESERVED not in library.loans, "returned")


def test_out_of_order_survives_a_restart(kiosk: Kiosk) -> None:
    TechnicianBackend(kiosk).set_out_of_order(True)
    wait_for(kiosk, lambda: kiosk.runtime.out_of_order, "out of order")
    config = kiosk.config
    kiosk.stop()  # a power cut in unstaffed hours
    again = build_kiosk(config)
    try:
        wait_for(again, lambda: again.runtime.out_of_order, "still out of order after the restart")
        TechnicianBackend(again).set_out_of_order(False)
        wait_for(again, lambda: not again.runtime.out_of_order, "back in service")
    finally:
        again.stop()
    third = build_kiosk(config)
    try:
        settle(third)
        assert not third.runtime.out_of_order
    finally:
        third.stop()
