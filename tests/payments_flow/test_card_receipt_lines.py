"""Issue 13 item 10: the terminal's card receipt lines reach the member's receipt (the result event)."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentCompleted
from tests.payments_flow.conftest import Kiosk
from tests.payments_flow.rig import FEE_HOLD, PATRON


def test_an_approved_payment_carries_the_terminals_receipt_lines(kiosk: Kiosk) -> None:
    service = kiosk.open(vending=True)
    kiosk.terminal.push("receipt")  # the terminal prints its card receipt lines through the kiosk
    payment = StartPayment(1, PATRON, (FEE_HOLD,), Decimal("2.50"))
    event = service.handle(payment, progress=kiosk.prompts.append)
    assert isinstance(event, PaymentCompleted)
    assert event.terminal_lines and any(line.strip() for line in event.terminal_lines)
    assert "terminal_lines" not in repr(event)  # may show a masked card number: never in a log line
