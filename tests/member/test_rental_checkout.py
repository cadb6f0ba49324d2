"""Item 12: a rental fee at checkout is paid at the kiosk (payment enabled), then the item is lent with
the fee acknowledged (11 ``BO`` = Y) -- through the assembled kiosk's runtime, SIP2 over TCP to the
embedded simulator and the ZVT simulator on a pty. Without payment the member is sent to the desk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.view import ItemLine, LineKind, LineStatus
from sip2.simulator import demo
from tests.foundation.waiting import PATIENT_SIP2, settle, wait_for

JAN = demo.NORMAL  # no open fees
DVD = "30301000500096"  # a rental fee of EUR 1,00 (docs/demo-data.md)
assert demo.RENTAL_DVD == DVD


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    built: list[Kiosk] = []

    def make(payment: str = "") -> Kiosk:
        config = parse_config(
            f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
            f'[devices]\nprinter = "file://{tmp_path}/receipts"\n'
            f'terminal = "zvt+sim://?state={tmp_path}/terminal.json"\n[sip2]\npassword = "demo"\n'
            f"{PATIENT_SIP2}[session]\npin = 'never'\n{payment}",
            base_dir=tmp_path,
        )
        kiosk = build_kiosk(config)
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.stop()


def step(kiosk: Kiosk, event: ev.Event) -> None:
    kiosk.runtime.send(event)
    settle(kiosk)


def dvd_line(kiosk: Kiosk) -> ItemLine | None:
    return next((x for x in kiosk.runtime.view.lines(LineKind.LOAN) if x.item_id == DVD), None)


def offered(kiosk: Kiosk) -> None:
    """Jan scans the DVD: the ILS asks for the rental fee; the line offers to pay it here."""
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    step(kiosk, ev.PassPresented(JAN))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    step(kiosk, ev.StartBorrow())
    step(kiosk, ev.ItemPresented(DVD))
    wait_for(
        kiosk,
        lambda: (line := dvd_line(kiosk)) is not None and line.status is LineStatus.REFUSED,
        "the rental offer",
    )


def receipts(kiosk: Kiosk) -> Path:
    return Path(kiosk.config.devices.printer.removeprefix("file://"))


def committed(kiosk: Kiosk) -> list[int]:
    books = kiosk.payments.service.terminal.simulator.books
    return [t.amount for t in books.payments() if t.state == "committed"]


def test_paying_the_rental_lends_the_dvd_and_records_the_fee_once(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    offered(kiosk)
    line = dvd_line(kiosk)
    assert line is not None and line.message is not None
    assert line.message.key == "item.rental_fee_pay" and str(line.rental) == "1.00"
    library = kiosk.ils_simulator.library
    assert DVD not in library.loans
    step(kiosk, ev.PayRental(DVD))
    wait_for(kiosk, lambda: (x := dvd_line(kiosk)) is not None and x.status is LineStatus.DONE, "lent")
    done = dvd_line(kiosk)
    assert done is not None and done.due  # the ILS's due date, for the screen and the receipt
    assert [n.key for n in done.notes] == ["item.rental_paid"]
    # The ILS's books: lent to Jan, the rental fee charged and paid exactly once, nothing left open.
    assert library.loans[DVD].patron_id == JAN
    assert library.times_applied("checkout", item_id=DVD) == 1
    assert library.times_applied("fee_paid", patron_id=JAN) == 1
    assert [f for f in library.open_fees_of(JAN)] == []
    # The terminal's books: one committed payment of EUR 1,00.
    assert committed(kiosk) == [100]
    # The receipt: the loan with its due date, and the rental as paid (the item's title, not an id).
    step(kiosk, ev.Finish())
    step(kiosk, ev.ReceiptChoice(True))
    folder = receipts(kiosk)
    wait_for(kiosk, lambda: any(folder.iterdir()), "the receipt printed")
    text = "".join(f.read_text() for f in folder.iterdir())
    assert "Geleend (1)" in text and "Betaald" in text and "rental:" not in text
    assert (done.title or DVD) in text and "€ 1,00" in text


def test_a_declined_payment_lends_nothing(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    offered(kiosk)
    kiosk.payments.service.terminal.simulator.push("decline")
    step(kiosk, ev.PayRental(DVD))
    wait_for(
        kiosk,
        lambda: (
            kiosk.runtime.view.message is not None and kiosk.runtime.view.message.key.startswith("payment.")
        ),
        "the payment's answer",
    )
    line = dvd_line(kiosk)
    assert line is not None and line.status is LineStatus.REFUSED and line.rental is not None  # may try again
    library = kiosk.ils_simulator.library
    assert DVD not in library.loans
    assert library.times_applied("fee_paid", patron_id=JAN) == 0
    assert [f for f in library.open_fees_of(JAN)] == []
    assert committed(kiosk) == []


def test_without_payment_the_member_is_sent_to_the_desk(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk("[payment]\nenabled = false\n")
    offered(kiosk)
    line = dvd_line(kiosk)
    assert line is not None and line.message is not None
    assert line.message.key == "item.rental_fee_desk" and line.rental is None
    step(kiosk, ev.PayRental(DVD))  # nothing to pay here: nothing happens
    assert DVD not in kiosk.ils_simulator.library.loans
