"""Item 10: a fine charged on a return (10 ``BV``/``BH``/``BT``, as several ILSs send it) is on the screen
and on the receipt, in the member's words -- through SIP2 over TCP to the simulator."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from drivers.printer.receipt import render_text
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.view import LineKind
from kiosk.services.receipts import build_receipt
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk


def receipt_text(effects: list[fx.Effect]) -> str:
    (receipt,) = [e for e in effects if isinstance(e, fx.PrintReceipt)]
    return render_text(build_receipt(receipt, "Bibliotheek Wierden", datetime(2026, 12, 6, 10, 0)), 42)


def test_a_late_return_shows_and_prints_its_fine(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.FEES, demo.FEES_PIN)
    kiosk.do(ev.StartReturn(), ev.ItemPresented(demo.OVERDUE))  # 10 days late, EUR 0,25 a day
    kiosk.wait_for(lambda: bool(kiosk.session.view.lines(LineKind.RETURN)))
    (line,) = kiosk.session.view.lines(LineKind.RETURN)
    assert line.fine == Decimal("2.50")
    assert [n.key for n in line.notes] == ["return.fine"]
    assert dict(line.notes[0].params)["amount"] == "2.50"
    text = receipt_text(kiosk.do(ev.Finish(), ev.ReceiptChoice(True)))
    assert "Ingeleverd (1)" in text
    fine_line = next(x for x in text.splitlines() if "Te laat, boete" in x)
    assert fine_line.rstrip().endswith("€ 2,50")


def test_a_return_in_time_prints_no_fine(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartReturn(), ev.ItemPresented(demo.ON_LOAN))
    kiosk.wait_for(lambda: bool(kiosk.session.view.lines(LineKind.RETURN)))
    (line,) = kiosk.session.view.lines(LineKind.RETURN)
    assert line.fine is None
    assert "boete" not in receipt_text(kiosk.do(ev.Finish(), ev.ReceiptChoice(True)))


def test_without_list_loans_only_the_session_is_printed(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE))
    text = receipt_text(kiosk.do(ev.Finish(), ev.ReceiptChoice(True)))
    assert "Je leningen" not in text and demo.ON_LOAN not in text
