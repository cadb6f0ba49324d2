"""Issue 12 at the kiosk's payment service (terminal simulator on a pty, ILS simulator on TCP):

* item 5: a payment whose outcome is unknown never shows the ILS's "payment received" text;
* item 6: a frame the decoders cannot read that ends a payment the terminal reversed (never charged)
  tells the member "nothing was charged", not "payment.unknown".
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from drivers.payment.fields import ber_length
from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentFailed
from kiosk.payments.states import PaymentRecord, State
from tests.payments_flow.conftest import Kiosk, silent_terminal
from tests.payments_flow.rig import FEE_HOLD, PATRON, SILENT_TIMERS, payments_of

HOLD_ONLY = StartPayment(1, PATRON, (FEE_HOLD,), Decimal("2.50"))


def nested_tlv(depth: int) -> bytes:
    out = b"\x07\x01A"
    for _ in range(depth):
        out = b"\x26" + ber_length(len(out)) + out
    return out


def test_unknown_outcome_never_shows_the_ils_payment_received_text(kiosk: Kiosk) -> None:
    service = kiosk.open()
    advance = service.journal.advance

    def terminal_dies_at_commit(payment_id: str, state: State, **kw: object) -> PaymentRecord:
        rec = advance(payment_id, state, **kw)  # type: ignore[arg-type]
        if state is State.COMMITTED:  # the fee is recorded at the ILS; our 80 00 00 never arrives
            kiosk.terminal.stop()
        return rec

    service.journal.advance = terminal_dies_at_commit  # type: ignore[method-assign]
    with silent_terminal(service, SILENT_TIMERS, after=State.COMMITTED):
        event = service.handle(HOLD_ONLY)
    assert isinstance(event, PaymentFailed) and event.reason == "payment.unknown"
    rec = service.journal.all()[-1]
    assert kiosk.ils.library.payments_for(f"{rec.payment_id}-1")  # the ILS did say "received" ...
    assert event.screen_message == ""  # ... but the member is not told so: the money is unknown


def test_an_unreadable_abort_after_a_reversal_tells_the_member_nothing_was_charged(kiosk: Kiosk) -> None:
    tlv = nested_tlv(3000)  # used to raise RecursionError in the driver
    extra = b"\x06\x82" + len(tlv).to_bytes(2, "big") + tlv
    kiosk.terminal.settings = dataclasses.replace(kiosk.terminal.settings, abort_extra=extra)
    service = kiosk.open()

    def fee_changes_meanwhile(key: str) -> None:  # staff settle part of the fee at the desk
        if key == "terminal.insert_card":
            kiosk.ils.library.fees[FEE_HOLD].outstanding = Decimal("1.00")

    event = service.handle(HOLD_ONLY, progress=fee_changes_meanwhile)
    assert isinstance(event, PaymentFailed) and event.reason == "payment.aborted"
    assert service.journal.all()[-1].state is State.REVERSED
    assert payments_of(kiosk.terminal.books) == [(250, "reversed")]
