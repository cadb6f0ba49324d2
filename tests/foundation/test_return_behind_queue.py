"""A return is never overtaken by a queued offline loan (real SIP2 over TCP to the simulator): while
another process (``kiosk queue replay``) holds the replay, an online return of an item with a queued loan
goes through the queue behind it, so the ILS ends with the item returned."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev

from .waiting import PATIENT_SIP2, settle, wait_for

JAN = "20301000010015"
HET_DINER = "30301000500013"


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


def test_online_return_waits_behind_the_queued_offline_loan(kiosk: Kiosk, tmp_path: Path) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    library = kiosk.ils_simulator.library
    kiosk.ils_simulator.stop()
    wait_for(kiosk, lambda: not kiosk.circulation.online, "offline")
    act(kiosk, ev.PassPresented(JAN))  # borrowed offline
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu (offline)")
    act(kiosk, ev.StartBorrow())
    act(kiosk, ev.ItemPresented(HET_DINER))
    wait_for(kiosk, lambda: kiosk.circulation.store.has_item(HET_DINER), "loan queued")
    act(kiosk, ev.Finish())
    if kiosk.runtime.view.screen is Screen.RECEIPT:
        act(kiosk, ev.ReceiptChoice(print_receipt=False))
    # `kiosk queue replay` (another process) holds the replay while the ILS comes back.
    lock_fd = os.open(tmp_path / "kiosk.db.replay-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        kiosk.ils_simulator.start()
        wait_for(kiosk, lambda: kiosk.circulation.online, "online again")
        assert kiosk.circulation.store.has_item(HET_DINER)  # the replay could not run
        assert HET_DINER not in library.loans
        act(kiosk, ev.ItemPresented(HET_DINER))  # the member returns it online, on the attract screen
        wait_for(
            kiosk,
            lambda: any(
                line.item_id == HET_DINER and line.status.value == "done" for line in kiosk.runtime.view.items
            ),
            "return done",
        )
        assert library.times_applied("checkin", item_id=HET_DINER) == 0  # not sent ahead of the loan
    finally:
        os.close(lock_fd)  # the other replay is done
    kiosk.circulation.replay_now()
    wait_for(kiosk, lambda: kiosk.circulation.store.waiting_count() == 0, "queue replayed")
    assert HET_DINER not in library.loans  # loan then return, in that order: returned at the ILS
    assert library.times_applied("checkout", item_id=HET_DINER) == 1
    assert library.times_applied("checkin", item_id=HET_DINER) == 1
