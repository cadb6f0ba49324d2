"""Item 10: receipts say what a member needs, in the member's language, with the screen's formats."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from drivers.printer.receipt import render_text
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.view import LineKind
from kiosk.i18n.formats import format_money
from kiosk.services.receipts import build_receipt
from sip2.simulator import demo
from tests.member.flows import do, log_in
from tests.ui.sim_runtime import SimRuntime

NOW = datetime(2026, 12, 6, 10, 0)


def printed(runtime: SimRuntime) -> str:
    (receipt,) = runtime.printed
    return render_text(build_receipt(receipt, "Bibliotheek Wierden", NOW), 42)


def test_paid_fees_are_described_not_numbered_and_carry_the_card_receipt() -> None:
    runtime_lines = ("BETAALAUTOMAAT", "Kaart: xxxxxxxxxxxx8074", "Akkoord")
    effect = fx.PrintReceipt(
        (
            fx.ReceiptLine(
                LineKind.PAYMENT,
                "900001,900002",
                "Te laat; Vervangen pas",
                amount=Decimal("3.00"),
                terminal_lines=runtime_lines,
            ),
        ),
        "nl",
    )
    text = render_text(build_receipt(effect, "Bibliotheek Wierden", NOW), 42)
    assert "Te laat; Vervangen pas" in text and "900001" not in text
    assert "Kaart: xxxxxxxxxxxx8074" in text and "€ 3,00" in text


def test_a_payment_in_the_session_prints_the_fee_descriptions(runtime: SimRuntime) -> None:
    log_in(runtime, demo.FEES)
    do(runtime, ev.StartPay())
    assert runtime.view.account is not None
    fees = runtime.view.account.fees
    do(runtime, ev.PayFees(tuple(f.fee_id for f in fees)), ev.Finish(), ev.ReceiptChoice(True))
    text = printed(runtime)
    assert all(f.description in text for f in fees) and all(f.fee_id not in text for f in fees)


def test_a_checkout_the_ils_took_as_a_renewal_is_printed_as_renewed(runtime: SimRuntime) -> None:
    log_in(runtime, demo.NORMAL)
    do(runtime, ev.StartBorrow(), ev.ItemPresented(demo.ON_LOAN))  # already on the member's card
    (line,) = runtime.view.lines(LineKind.LOAN)
    assert line.renewal
    do(runtime, ev.Finish(), ev.ReceiptChoice(True))
    assert "Verlengd (1)" in printed(runtime) and "Geleend" not in printed(runtime)


@pytest.mark.parametrize(
    ("language", "word", "due"),
    [
        ("de", "Ausgeliehen", "Rückgabe bis 27.12.2026"),
        ("tr", "Ödünç alındı", "Son iade 27.12.2026"),
        ("nl", "Geleend", "Inleveren uiterlijk 27-12-2026"),
    ],
)
def test_the_receipt_is_in_the_members_language(language: str, word: str, due: str) -> None:
    effect = fx.PrintReceipt(
        (fx.ReceiptLine(LineKind.LOAN, "30301000500013", "Het diner", "2026-12-27"),), language
    )
    text = render_text(build_receipt(effect, "Bibliotheek Wierden", NOW), 42)
    assert f"{word} (1)" in text and due in text


def test_money_is_written_the_same_on_screen_and_on_paper() -> None:
    effect = fx.PrintReceipt(
        (fx.ReceiptLine(LineKind.PAYMENT, "1", "Boete", amount=Decimal("1234.50")),), "de"
    )
    text = render_text(build_receipt(effect, "B", NOW), 42)
    assert format_money(Decimal("1234.50"), "de") == "1.234,50 €" and "1.234,50 €" in text
