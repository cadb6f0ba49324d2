"""``unsecured_loan = "cancel"`` and ``hold_pickup = false`` on the assembled kiosk: the core, the
circulation service over SIP2 to the ILS simulator on 127.0.0.1 (TCP), the RFID pad (``rfid+sim://``)
and its security service. What counts is the ILS's own books afterwards (issue 17)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.rfid.scenarios import demo_uid
from kiosk.assembly import Kiosk, build_kiosk
from kiosk.core import events as ev
from kiosk.core.common import receipt_lines
from kiosk.core.view import LineKind, LineStatus
from kiosk.logsetup import short_hash
from tests.foundation.waiting import settle, wait_for
from tests.rfid_pad.conftest import (
    AFI_IN_LIBRARY,
    HET_DINER,
    JAN,
    afi,
    borrowing,
    field,
    kiosk_config,
    line,
    put,
)

KEES = "20301000010056"  # demo member with "Het smelt" waiting for him on the hold shelf
HET_SMELT = "30301000500088"


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[[str], Kiosk]]:
    built: list[Kiosk] = []

    def make(policy: str) -> Kiosk:
        section = f"\n[modes.staffed]\n{policy}\n"
        kiosk = build_kiosk(kiosk_config(tmp_path, rfid_section=section))
        built.append(kiosk)
        kiosk.alerts = []  # type: ignore[attr-defined]
        kiosk.alert_listeners.append(lambda kind, ref: kiosk.alerts.append((kind, ref)))  # type: ignore[attr-defined]
        return kiosk

    yield make
    for kiosk in built:
        kiosk.stop()


def library(kiosk: Kiosk) -> Any:
    return kiosk.ils_simulator.library  # type: ignore[attr-defined]


def on_loan_to(kiosk: Kiosk, patron: str) -> set[str]:
    return {loan.item_id for loan in library(kiosk).loans_of(patron)}


def test_cancel_the_loan_is_undone_in_the_ils_and_the_line_says_not_lent(
    make_kiosk: Callable[[str], Kiosk],
) -> None:
    kiosk = make_kiosk('unsecured_loan = "cancel"')
    borrowing(kiosk)
    field(kiosk).faults.write_failures[demo_uid(HET_DINER)] = 1000  # the tag never takes the write
    put(kiosk, HET_DINER)

    def cancelled() -> bool:
        found = line(kiosk, LineKind.LOAN, HET_DINER)
        message = found.message if found is not None else None
        return message is not None and message.key == "rfid.loan_cancelled" and not kiosk.runtime.view.busy

    wait_for(kiosk, cancelled, "the loan undone")
    settle(kiosk)
    assert HET_DINER not in on_loan_to(kiosk, JAN)  # the ILS has it back
    assert kiosk.ils_simulator.requests["09"] == 1  # type: ignore[attr-defined]  # by one return
    found = line(kiosk, LineKind.LOAN, HET_DINER)
    assert found is not None and found.status is LineStatus.REFUSED
    assert line(kiosk, LineKind.RETURN, HET_DINER) is None
    assert HET_DINER not in {x.item_id for x in receipt_lines(kiosk.runtime.session.state)}
    assert kiosk.alerts == [("rfid_security_failed", short_hash(HET_DINER))]  # type: ignore[attr-defined]
    assert afi(kiosk, HET_DINER) == AFI_IN_LIBRARY  # the tag still says "in the library"
    checkouts = kiosk.ils_simulator.requests["11"]  # type: ignore[attr-defined]
    put(kiosk, HET_DINER)  # still lying there: reported again, not lent again
    settle(kiosk)
    assert kiosk.ils_simulator.requests["11"] == checkouts  # type: ignore[attr-defined]


def test_hold_pickup_off_no_checkout_reaches_the_ils(make_kiosk: Callable[[str], Kiosk]) -> None:
    kiosk = make_kiosk("hold_pickup = false")
    borrowing(kiosk, KEES)
    assert HET_SMELT not in on_loan_to(kiosk, KEES)
    kiosk.runtime.send(ev.ItemPresented(HET_SMELT))
    settle(kiosk)
    found = line(kiosk, LineKind.LOAN, HET_SMELT)
    assert found is not None and found.status is LineStatus.REFUSED
    assert found.message is not None and found.message.key == "item.hold_pickup_desk"  # staffed: the desk
    assert kiosk.ils_simulator.requests["11"] == 0  # type: ignore[attr-defined]
    assert HET_SMELT not in on_loan_to(kiosk, KEES)
