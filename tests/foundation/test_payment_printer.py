"""The assembled kiosk asks its receipt printer before a card payment: the terminal's receipt lines go on
the member's receipt, so with the paper out no payment is started (nothing is charged, the fee stays
open); with paper it goes through. A kiosk that never prints receipts does not depend on its printer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.printer import Paper
from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev

from .waiting import PATIENT_SIP2, settle, wait_for

SANNE = "20301000010049"  # demo member with two open fees: 900001 (EUR 0.50) and 900002 (EUR 2.50)


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[[str], Kiosk]]:
    built: list[Kiosk] = []

    def make(receipt_mode: str) -> Kiosk:
        config = parse_config(
            f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
            f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
            f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}[session]\npin = "never"\n'
            f'[receipt]\nmode = "{receipt_mode}"\n',
            base_dir=tmp_path,
        )
        kiosk = build_kiosk(config)
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.stop()


def pay_fee(kiosk: Kiosk) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    kiosk.runtime.send(ev.PassPresented(SANNE))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    kiosk.runtime.send(ev.ShowAccount())
    wait_for(kiosk, lambda: kiosk.runtime.view.account is not None, "account loaded")
    kiosk.runtime.send(ev.StartPay())
    kiosk.runtime.send(ev.PayFees(("900002",)))
    settle(kiosk)


def terminal_payments(kiosk: Kiosk) -> list[int]:
    books = kiosk.payments.service.terminal.simulator.books
    return [t.amount for t in books.payments() if t.state == "committed"]


def test_no_paper_no_payment_then_paper_and_it_goes_through(make_kiosk: Callable[[str], Kiosk]) -> None:
    kiosk = make_kiosk("ask")
    kiosk.printer.paper = Paper.OUT
    pay_fee(kiosk)
    wait_for(kiosk, lambda: kiosk.runtime.view.message is not None, "payment refused")
    assert kiosk.runtime.view.message.key == "payment.terminal_unavailable"
    assert not kiosk.runtime.view.payments and terminal_payments(kiosk) == []
    library = kiosk.ils_simulator.library
    assert "900002" in {fee.fee_id for fee in library.open_fees_of(SANNE)}  # nothing recorded either
    kiosk.printer.paper = Paper.OK  # the technician refilled it
    kiosk.runtime.send(ev.Acknowledge())
    kiosk.runtime.send(ev.PayFees(("900002",)))
    wait_for(kiosk, lambda: kiosk.runtime.view.payments, "payment recorded in the session")
    assert terminal_payments(kiosk) == [250]


def test_a_kiosk_without_receipts_pays_with_the_paper_out(make_kiosk: Callable[[str], Kiosk]) -> None:
    kiosk = make_kiosk("never")
    kiosk.printer.paper = Paper.OUT
    pay_fee(kiosk)
    wait_for(kiosk, lambda: kiosk.runtime.view.payments, "payment recorded in the session")
    assert terminal_payments(kiosk) == [250]
