"""Whole payments against the real terminal simulator (over a pty) and the real ILS simulator (over TCP).

Every test asserts the books on both sides: the terminal's (committed / reversed) and the ILS's
(payments ledger keyed by BK, open fees) — pay once, report once.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from drivers.payment.sim_books import COMMITTED, DECLINED, REVERSED
from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentCompleted, PaymentFailed, ServiceUnavailable
from kiosk.payments.states import Line, State
from tests.foundation.waiting import wait_until
from tests.payments_flow.conftest import Kiosk, silent_terminal
from tests.payments_flow.rig import (
    FEE_HOLD,
    FEE_SMALL,
    ILS_SILENT,
    PATRON,
    SILENT_TIMERS,
    TIMERS,
    payments_of,
)

BOTH = StartPayment(1, PATRON, (FEE_SMALL, FEE_HOLD), Decimal("3.00"))
HOLD_ONLY = StartPayment(1, PATRON, (FEE_HOLD,), Decimal("2.50"))


def ledger(k: Kiosk, payment_id: str, seq: int) -> list[object]:
    return k.ils.library.payments_for(f"{payment_id}-{seq}")


def open_fees(k: Kiosk) -> dict[str, Decimal]:
    return {f.fee_id: f.outstanding for f in k.ils.library.open_fees_of(PATRON)}


@pytest.mark.parametrize("vending", [True, False], ids=["issue_of_goods", "outbox"])
def test_approved_payment_is_paid_once_and_recorded_once(kiosk: Kiosk, vending: bool) -> None:
    service = kiosk.open(vending=vending)
    event = service.handle(BOTH, progress=kiosk.prompts.append)
    assert event == PaymentCompleted(1, fee_ids=(FEE_SMALL, FEE_HOLD), amount=Decimal("3.00"))
    rec = service.journal.all()[-1]
    assert rec.state is State.DONE and [f.state for f in rec.fees] == [Line.ACCEPTED, Line.ACCEPTED]
    assert payments_of(kiosk.terminal.books) == [(300, COMMITTED)]
    assert [len(ledger(kiosk, rec.payment_id, s)) for s in (1, 2)] == [1, 1]
    assert kiosk.ils.requests["37"] == 2  # one Fee Paid per fee, none repeated
    assert open_fees(kiosk) == {}
    assert "terminal.insert_card" in kiosk.prompts
    history = service.journal.history(rec.payment_id)
    if vending:  # the ILS accepted before the money was committed
        assert history.index(State.SIP2_ACCEPTED) < history.index(State.COMMITTED)
    else:  # outbox: committed first, then Fee Paid
        assert history.index(State.COMMITTED) < history.index(State.SIP2_SENT)
    assert service.journal.pass_of(rec.payment_id) is None  # wiped once final
    on_disk = b"".join(p.read_bytes() for p in kiosk.db.parent.glob("kiosk.db*"))
    for secret in (b"Maestro", b"676389", b"xxxx", PATRON.encode()):  # card name, PAN, pass number
        assert secret not in on_disk


def test_ils_refuses_in_issue_of_goods_mode_terminal_reverses(kiosk: Kiosk) -> None:
    service = kiosk.open()

    def fee_changes_meanwhile(key: str) -> None:  # staff settle part of the fee at the desk
        if key == "terminal.insert_card":
            kiosk.ils.library.fees[FEE_HOLD].outstanding = Decimal("1.00")

    event = service.handle(HOLD_ONLY, progress=fee_changes_meanwhile)
    assert isinstance(event, PaymentFailed) and event.reason == "payment.aborted"  # nothing was charged
    rec = service.journal.all()[-1]
    assert rec.state is State.REVERSED and rec.reason == "ils_refused"
    assert payments_of(kiosk.terminal.books) == [(250, REVERSED)]
    assert ledger(kiosk, rec.payment_id, 1) == [] and open_fees(kiosk)[FEE_HOLD] == Decimal("1.00")


def test_ils_refuses_in_outbox_mode_payment_is_reversed_and_staff_alerted(kiosk: Kiosk) -> None:
    service = kiosk.open(vending=False)

    def fee_changes_meanwhile(key: str) -> None:
        if key == "terminal.insert_card":
            kiosk.ils.library.fees[FEE_HOLD].outstanding = Decimal("1.00")

    event = service.handle(HOLD_ONLY, progress=fee_changes_meanwhile)
    assert isinstance(event, PaymentFailed) and event.reason == "payment.aborted"
    rec = service.journal.all()[-1]
    assert rec.state is State.REVERSED
    assert State.REVERSAL_NEEDED in service.journal.history(rec.payment_id)
    assert payments_of(kiosk.terminal.books) == [(250, REVERSED)]  # committed, then reversed by 06 30
    assert [t.kind for t in kiosk.terminal.books.transactions] == ["payment", "reversal"]
    assert [a[0] for a in kiosk.alerts] == ["payment_reversed"]
    # the reversal record is the terminal's last transaction now: the next recovery baseline
    assert service.journal.last_receipt() == kiosk.terminal.books.transactions[-1].receipt_no
    assert ledger(kiosk, rec.payment_id, 1) == []


def test_ils_unreachable_mid_payment_terminal_reverses_member_told_nothing_charged(kiosk: Kiosk) -> None:
    service = kiosk.open()

    def ils_goes_down(key: str) -> None:
        if key == "terminal.insert_card":
            kiosk.ils.stop()

    event = service.handle(BOTH, progress=ils_goes_down)
    assert isinstance(event, PaymentFailed) and event.reason == "payment.aborted"
    rec = service.journal.all()[-1]
    assert rec.state is State.REVERSED and rec.reason == "ils_unreachable"
    assert payments_of(kiosk.terminal.books) == [(300, REVERSED)]
    kiosk.ils.start()
    assert open_fees(kiosk) == {FEE_SMALL: Decimal("0.50"), FEE_HOLD: Decimal("2.50")}
    assert kiosk.ils.library.payments == []


@pytest.mark.parametrize("fault", ["drop_before_reply", "drop_after_apply"])
def test_lost_fee_paid_reply_is_settled_by_query_not_blind_resend(kiosk: Kiosk, fault: str) -> None:
    service = kiosk.open(ils_timeouts=ILS_SILENT)  # the ILS drops a reply on purpose: short SIP2 waits
    kiosk.ils.faults.drop_codes = frozenset({"37"})
    kiosk.ils.faults.drop_count = 1
    setattr(kiosk.ils.faults, fault, True)
    event = service.handle(HOLD_ONLY)
    assert isinstance(event, PaymentCompleted)
    rec = service.journal.all()[-1]
    assert len(ledger(kiosk, rec.payment_id, 1)) == 1  # applied exactly once either way
    assert payments_of(kiosk.terminal.books) == [(250, COMMITTED)]


def _ils_vanishes_with_the_fee_paid_in_flight(k: Kiosk) -> None:
    """At the terminal: the ILS will drop the 37 unapplied and refuse every reconnect, so the
    kiosk cannot learn what became of it (Sip2OutcomeUnknown)."""

    def progress(key: str) -> None:
        if key == "terminal.insert_card":
            k.ils.faults.drop_codes = frozenset({"37"})
            k.ils.faults.drop_before_reply = True
            k.ils.faults.reset_on_connect = True

    event = k.service.handle(HOLD_ONLY, progress=progress) if k.service else None
    assert isinstance(event, PaymentFailed) and event.reason == "payment.not_recorded"  # paid, not recorded
    assert payments_of(k.terminal.books) == [(250, COMMITTED)]  # in doubt: keep the money, never guess
    k.ils.faults.clear()


def recover_until_final(k: Kiosk, bound: float = 30.0) -> State:
    """Run recovery (as the idle loop would) until the payment is final; the client's reconnect
    backoff makes the first attempts fail fast. ``bound`` only catches a recovery that never ends."""
    service = k.service
    assert service is not None
    seen: list[State] = []

    def final_state() -> State | None:
        (rec,) = service.recover() or service.journal.all()
        seen.append(rec.state)
        return rec.state if rec.final else None

    return wait_until(
        final_state, what=lambda: f"recovery finishing: still {seen[-1].value}", timeout=bound, interval=0.1
    )


def test_fee_paid_lost_in_an_ils_outage_is_delivered_once_afterwards(kiosk: Kiosk) -> None:
    kiosk.open(ils_timeouts=ILS_SILENT)  # the ILS drops a reply on purpose: short SIP2 waits
    _ils_vanishes_with_the_fee_paid_in_flight(kiosk)
    assert recover_until_final(kiosk) is State.DONE  # still open for the full amount: sent again, same BK
    assert kiosk.service is not None
    (rec,) = kiosk.service.journal.all()
    # sent twice, applied once: the resend came only after the ILS showed the fee still fully open
    assert rec.fees[0].sends == 2 and len(ledger(kiosk, rec.payment_id, 1)) == 1
    assert FEE_HOLD not in open_fees(kiosk)


def test_fee_changed_at_the_desk_during_the_outage_goes_to_staff(kiosk: Kiosk) -> None:
    kiosk.open(ils_timeouts=ILS_SILENT)  # the ILS drops a reply on purpose: short SIP2 waits
    _ils_vanishes_with_the_fee_paid_in_flight(kiosk)
    kiosk.ils.library.pay_fee(PATRON, "1.00", transaction_id="DESK", fee_id=FEE_HOLD)
    assert recover_until_final(kiosk) is State.NEEDS_STAFF  # neither "applied" nor "still open"
    assert [a[0] for a in kiosk.alerts] == ["fee_paid_in_doubt"]
    assert kiosk.service is not None
    assert kiosk.ils.library.payments_for(f"{kiosk.service.journal.all()[0].payment_id}-1") == []


def test_declined_card_charges_nothing_and_tells_the_ils_nothing(kiosk: Kiosk) -> None:
    service = kiosk.open()
    kiosk.terminal.push("decline")
    event = service.handle(BOTH)
    assert event == PaymentFailed(1, reason="payment.declined")
    assert service.journal.all()[-1].state is State.DECLINED
    assert payments_of(kiosk.terminal.books) == [(300, DECLINED)]
    assert kiosk.ils.library.payments == [] and len(open_fees(kiosk)) == 2


def test_customer_cancel(kiosk: Kiosk) -> None:
    service = kiosk.open()
    kiosk.terminal.push("cancel")
    event = service.handle(BOTH)
    assert event == PaymentFailed(1, reason="payment.aborted")
    assert service.journal.all()[-1].state is State.CANCELLED
    assert payments_of(kiosk.terminal.books) == [] and kiosk.ils.library.payments == []


def test_member_walks_away_abort_request_cancels(kiosk: Kiosk) -> None:
    service = kiosk.open()
    # the card reader waits long enough for the request to arrive while an abort is still possible
    kiosk.terminal.settings = dataclasses.replace(kiosk.terminal.settings, step_delay=0.5)

    def walk_away(key: str) -> None:
        if key == "terminal.insert_card":
            assert service.abort()

    event = service.handle(BOTH, progress=walk_away)
    assert event == PaymentFailed(1, reason="payment.aborted")
    assert service.journal.all()[-1].state is State.CANCELLED
    assert payments_of(kiosk.terminal.books) == [] and kiosk.ils.library.payments == []


def test_terminal_power_loss_after_commit_is_recovered_not_declined(kiosk: Kiosk) -> None:
    service = kiosk.open()
    kiosk.terminal.push("power_loss")  # commits, then goes silent: the driver ends UNKNOWN
    # a shorter T4 for the Authorization only (its silence after the commit); recovery waits generously
    with silent_terminal(
        service, dataclasses.replace(TIMERS, t4=3.0), after=State.AUTH_SENT, until=State.UNKNOWN
    ):
        event = service.handle(HOLD_ONLY)
    rec = service.journal.all()[-1]
    history = service.journal.history(rec.payment_id)
    assert State.UNKNOWN in history and State.DECLINED not in history
    assert event == PaymentCompleted(1, fee_ids=(FEE_HOLD,), amount=Decimal("2.50"))
    assert rec.state is State.DONE and len(ledger(kiosk, rec.payment_id, 1)) == 1
    assert payments_of(kiosk.terminal.books) == [(250, COMMITTED)]


def test_unacknowledged_authorization_is_unknown_then_recovered(kiosk: Kiosk) -> None:
    service = kiosk.open()
    kiosk.terminal.push("no_ack")
    # the terminal swallows the Authorization on purpose: short T2 for it only, generous for recovery
    with silent_terminal(service, SILENT_TIMERS, after=State.AUTH_SENT, until=State.UNKNOWN):
        event = service.handle(HOLD_ONLY)
    rec = service.journal.all()[-1]
    history = service.journal.history(rec.payment_id)
    assert history[:3] == [State.NEW, State.AUTH_SENT, State.UNKNOWN]
    assert rec.state is State.CANCELLED and State.DECLINED not in history
    assert event == PaymentFailed(1, reason="payment.aborted")
    assert kiosk.ils.library.payments == []
    assert isinstance(service.handle(HOLD_ONLY), PaymentCompleted)  # the terminal is usable again


def test_bad_requests_are_refused_before_the_terminal(kiosk: Kiosk) -> None:
    service = kiosk.open()
    assert service.handle(StartPayment(1, PATRON, (FEE_HOLD,), Decimal("9.99"))) == PaymentFailed(
        1, reason="payment.aborted"
    )  # the amount does not match what the ILS has open
    assert service.handle(StartPayment(1, PATRON, ("nope",), Decimal("2.50"))).reason == "payment.aborted"
    assert service.handle(StartPayment(1, PATRON, (), Decimal("0"))).reason == "payment.nothing_selected"
    assert service.handle(StartPayment(1, PATRON, (FEE_HOLD,), Decimal("2.505"))).reason == (
        "payment.nothing_selected"
    )
    kiosk.ils.stop()
    assert service.handle(HOLD_ONLY) == ServiceUnavailable(1, request="payment")
    assert payments_of(kiosk.terminal.books) == [] and service.journal.all() == []
