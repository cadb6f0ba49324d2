"""Transactions counted from the views the real core produces."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core import Session, SessionSettings
from kiosk.core import events as ev
from kiosk.core.view import AccountView, FeeLine
from kiosk.monitoring.metrics import KioskMetrics
from kiosk.monitoring.transactions import TransactionCounter


def count(metrics: KioskMetrics, kind: str, result: str) -> float:
    labels = {"kind": kind, "result": result}
    return metrics.registry.get_sample_value("kiosk_transactions_total", labels) or 0


def drive(session: Session, counter: TransactionCounter, event: ev.Event) -> list[object]:
    effects = session.handle(event)
    counter(session.view)
    return effects


def test_loans_returns_lookups_and_payments_are_counted_once() -> None:
    metrics = KioskMetrics()
    counter = TransactionCounter(metrics)
    session = Session(SessionSettings(pin="never", receipt="never"))
    sid = lambda: session.state.session_id  # noqa: E731
    drive(session, counter, ev.Tick(0))
    drive(session, counter, ev.PassPresented("21234000000015"))
    drive(session, counter, ev.PatronFound(sid(), display_name="Anna"))
    assert count(metrics, "patron", "ok") == 1
    drive(session, counter, ev.StartBorrow())
    for item in ("A1", "A2", "A3"):
        drive(session, counter, ev.ItemPresented(item))
    drive(session, counter, ev.ItemCheckedOut(sid(), "A1", due="2026-03-01"))
    drive(session, counter, ev.ItemCheckedOut(sid(), "A2", due="2026-03-01", offline=True))
    drive(session, counter, ev.ItemRefused(sid(), "A3", "loan", "item.refused"))
    drive(session, counter, ev.Tick(1))  # more views of the same lines count nothing new
    loans = [count(metrics, "loan", result) for result in ("ok", "offline", "refused")]
    assert loans == [1, 1, 1]
    drive(session, counter, ev.ItemPresented("A3"))  # tried again: a new transaction
    drive(session, counter, ev.ItemRefused(sid(), "A3", "loan", "item.refused"))
    assert count(metrics, "loan", "refused") == 2
    drive(session, counter, ev.Back())
    drive(session, counter, ev.StartPay())
    account = AccountView(fees=(FeeLine("F1", Decimal("2.50")),))
    drive(session, counter, ev.AccountLoaded(sid(), account))
    drive(session, counter, ev.PayFees(("F1",)))
    drive(session, counter, ev.PaymentFailed(sid(), "payment.declined"))
    drive(session, counter, ev.Tick(2))
    assert count(metrics, "payment", "refused") == 1
    drive(session, counter, ev.PayFees(("F1",)))
    drive(session, counter, ev.PaymentCompleted(sid(), ("F1",), Decimal("2.50")))
    assert count(metrics, "payment", "ok") == 1


def test_unknown_pass_counts_a_refused_lookup() -> None:
    metrics = KioskMetrics()
    counter = TransactionCounter(metrics)
    session = Session(SessionSettings(pin="never"))
    drive(session, counter, ev.PassPresented("21234000000015"))
    drive(session, counter, ev.PatronUnknown(session.state.session_id))
    assert count(metrics, "patron", "refused") == 1
    assert count(metrics, "patron", "ok") == 0


def test_the_next_session_started_during_the_goodbye_is_counted_afresh() -> None:
    from kiosk.core.pad_model import ItemsOnPad, PadItem

    metrics = KioskMetrics()
    counter = TransactionCounter(metrics)
    session = Session(SessionSettings(pin="never", receipt="never"))
    sid = lambda: session.state.session_id  # noqa: E731
    drive(session, counter, ev.Tick(0))
    foreign = ItemsOnPad((PadItem("E0040150AAAA0001", ("E0040150AAAA0001",), status="foreign"),))
    for _ in range(2):  # the second pass arrives on the goodbye: the view never shows the attract screen
        drive(session, counter, ev.PassPresented("21234000000015"))
        drive(session, counter, ev.PatronFound(sid(), display_name="Anna"))
        drive(session, counter, ev.StartBorrow())
        drive(session, counter, foreign)  # another library's item: refused at once, never pending
        drive(session, counter, ev.Finish())
        assert session.view.screen.value == "goodbye"
    assert count(metrics, "loan", "refused") == 2
