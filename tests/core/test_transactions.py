"""Borrowing, returning, renewing, account, paying, offline behaviour and the receipt."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core import events as ev
from kiosk.core.effects import (
    CheckIn,
    CheckOut,
    LoadAccount,
    PlaySound,
    PrintReceipt,
    Renew,
    StartPayment,
)
from kiosk.core.view import LineKind, LineStatus, Screen
from tests.core.helpers import ACCOUNT, OTHER_PASS, PASS, identify, new_session, reach, settings, sid


def test_borrowing_a_stack_with_a_refusal_and_a_double_read() -> None:
    session = reach(Screen.BORROW, settings(pin="always"))
    i = sid(session)
    assert session.handle(ev.ItemPresented("B1")) == [CheckOut(i, PASS, "B1", "1234")]
    assert session.handle(ev.ItemPresented("B2")) == [CheckOut(i, PASS, "B2", "1234")]
    assert session.handle(ev.ItemPresented("B1")) == []  # the RFID pad reports the tag again
    assert session.view.busy
    assert session.handle(ev.ItemCheckedOut(i, "B1", "Title 1", "2026-12-01", magnetic_media=True)) == [
        PlaySound("success")
    ]
    session.handle(ev.ItemRefused(i, "B2", "loan", "item.refused", "Gereserveerd voor een ander"))
    loans = session.view.lines(LineKind.LOAN)
    assert [(x.item_id, x.status) for x in loans] == [("B1", LineStatus.DONE), ("B2", LineStatus.REFUSED)]
    assert loans[0].due == "2026-12-01" and loans[0].notes[0].key == "item.magnetic_media"
    assert (
        loans[1].message.key == "item.refused" and loans[1].message.ils_text == "Gereserveerd voor een ander"
    )
    assert not session.view.busy
    # A refused item may be tried again (the patron went to the desk and came back).
    assert session.handle(ev.ItemPresented("B2")) == [CheckOut(i, PASS, "B2", "1234")]


def test_anonymous_return_with_hold_for_someone_else_and_receipt() -> None:
    session = new_session()
    effects = session.handle(ev.ItemPresented("R1"))
    assert CheckIn(sid(session), "R1") in effects and session.view.screen is Screen.RETURN
    session.handle(ev.ItemPresented("R2"))
    i = sid(session)
    effects = session.handle(
        ev.ItemCheckedIn(
            i,
            "R1",
            "Title R1",
            sort_bin="B3",
            hold_for_other=True,
            screen_message="Reservering: leg op de reserveringsplank",
        )
    )
    assert effects == [PlaySound("attention")]
    session.handle(ev.ItemCheckedIn(i, "R2", "Title R2", magnetic_media=True, offline=True))
    r1, r2 = session.view.lines(LineKind.RETURN)
    assert r1.notes[0].key == "return.hold_shelf" and r1.notes[0].param("sort_bin") == "B3"
    assert r1.notes[0].ils_text.startswith("Reservering")
    assert [n.key for n in r2.notes] == ["item.magnetic_media", "offline.queued"]
    session.handle(ev.Finish())
    assert session.view.screen is Screen.RECEIPT
    effects = session.handle(ev.ReceiptChoice(print_receipt=True))
    receipt = next(e for e in effects if isinstance(e, PrintReceipt))
    assert [(line.kind, line.item_id, line.offline) for line in receipt.lines] == [
        (LineKind.RETURN, "R1", False),
        (LineKind.RETURN, "R2", True),
    ]
    assert session.view.ended == 1 and session.view.screen is Screen.GOODBYE  # returns done: goodbye


def test_pass_after_anonymous_returns_keeps_them_for_the_receipt() -> None:
    session = new_session()
    session.handle(ev.StartReturn())
    session.handle(ev.ItemPresented("R1"))
    session.handle(ev.ItemCheckedIn(sid(session), "R1", "Title R1"))
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session)))
    assert session.view.screen is Screen.MENU and session.view.lines(LineKind.RETURN)[0].item_id == "R1"


def test_back_from_anonymous_returns_finishes_and_ending_back_returns() -> None:
    session = new_session()
    session.handle(ev.ItemPresented("R1"))
    session.handle(ev.ItemCheckedIn(sid(session), "R1"))
    session.handle(ev.Back())
    assert session.view.screen is Screen.RECEIPT
    session.handle(ev.Back())
    assert session.view.screen is Screen.RETURN


def test_renewing_with_limit_reached() -> None:
    session = new_session()
    identify(session)
    effects = session.handle(ev.StartRenew())
    assert LoadAccount(sid(session), PASS, None) in effects and session.view.busy
    i = sid(session)
    session.handle(ev.AccountLoaded(i, ACCOUNT))
    assert session.handle(ev.RenewItems(("ITEM-A", "ITEM-B", "ITEM-A"))) == [
        Renew(i, PASS, ("ITEM-A", "ITEM-B"))
    ]
    session.handle(ev.ItemRenewed(i, "ITEM-A", "Title A", "2026-12-22"))
    session.handle(
        ev.ItemRefused(i, "ITEM-B", "renewal", "renew.refused", "Maximaal aantal verlengingen bereikt")
    )
    a, b = session.view.lines(LineKind.RENEWAL)
    assert a.status is LineStatus.DONE and a.due == "2026-12-22"
    assert b.status is LineStatus.REFUSED and b.message.ils_text == "Maximaal aantal verlengingen bereikt"
    assert session.view.account.loans[0].due == "2026-12-22"
    # Renewing by presenting the item itself.
    assert session.handle(ev.ItemPresented("ITEM-C")) == [Renew(i, PASS, ("ITEM-C",))]


def test_account_is_reloaded_every_time() -> None:
    session = reach(Screen.ACCOUNT)
    assert session.view.account.fee_total == Decimal("3.75")
    session.handle(ev.Back())
    effects = session.handle(ev.ShowAccount())
    assert LoadAccount(sid(session), PASS, None) in effects


def test_paying_selected_fees_uses_the_ils_amounts_and_blocks_leaving() -> None:
    session = reach(Screen.PAY)
    i = sid(session)
    assert (
        session.handle(ev.PayFees(("NOPE",))) == [] and session.view.message.key == "payment.nothing_selected"
    )
    effects = session.handle(ev.PayFees(("FEE-1", "NOPE")))
    assert effects == [StartPayment(i, PASS, ("FEE-1",), Decimal("1.50"))]
    assert session.handle(ev.PayFees(("FEE-2",))) == []  # one payment at a time
    assert session.handle(ev.Back()) == [] and session.handle(ev.Finish()) == []
    assert session.handle(ev.PassPresented(OTHER_PASS)) == []
    session.handle(ev.Tick(500.0))  # the idle timer waits for the terminal
    assert session.view.screen is Screen.PAY
    session.handle(ev.PaymentCompleted(i, ("FEE-1",), Decimal("1.50")))
    assert [f.fee_id for f in session.view.account.fees] == ["FEE-2"]
    assert session.view.message.key == "payment.done"
    session.handle(ev.PayFees(("FEE-2",)))
    session.handle(ev.PaymentFailed(i, "payment.declined", "Geweigerd"))
    assert session.view.message.ils_text == "Geweigerd" and len(session.view.account.fees) == 1
    session.handle(ev.Finish())
    receipt = next(e for e in session.handle(ev.ReceiptChoice(True)) if isinstance(e, PrintReceipt))
    assert receipt.lines[-1].kind is LineKind.PAYMENT and receipt.lines[-1].amount == Decimal("1.50")


def test_payment_disabled_on_this_kiosk() -> None:
    session = new_session(settings(payment_enabled=False))
    identify(session)
    assert session.handle(ev.StartPay()) == [] and session.view.message.key == "payment.disabled"


def test_going_offline_leaves_online_only_screens_and_coming_back_clears_the_note() -> None:
    session = reach(Screen.RENEW)
    session.handle(ev.IlsOffline())
    assert session.view.screen is Screen.MENU and session.view.message.key == "offline.unavailable"
    assert not session.view.ils_online
    for event in (ev.StartRenew(), ev.ShowAccount(), ev.StartPay()):
        assert session.handle(event) == [] and session.view.message.key == "offline.unavailable"
    session.handle(ev.StartBorrow())  # borrowing continues; the service applies the offline policy
    assert session.view.screen is Screen.BORROW
    session.handle(ev.IlsOnline())
    assert session.view.ils_online and session.view.message is None


def test_offline_patron_without_offline_loans_may_only_return() -> None:
    session = new_session()
    session.handle(ev.IlsOffline())
    identify(session, offline=True, offline_loans_allowed=False, display_name="")
    assert session.view.message.key == "offline.returns_only" and not session.view.patron.can_borrow
    session.handle(ev.StartBorrow())
    assert session.view.screen is Screen.MENU
    session.handle(ev.IlsOnline())
    session.handle(ev.ShowAccount())  # accepted offline: still no account until a new session
    assert session.view.screen is Screen.MENU and session.view.message.key == "offline.unavailable"


def test_offline_loan_is_shown_as_queued() -> None:
    session = new_session()
    session.handle(ev.IlsOffline())
    identify(session, offline=True, offline_loans_allowed=True)
    session.handle(ev.StartBorrow())
    session.handle(ev.ItemPresented("B1"))
    session.handle(ev.ItemPresented("B2"))
    session.handle(ev.ItemCheckedOut(sid(session), "B1", offline=True))
    session.handle(ev.ItemRefused(sid(session), "B2", "loan", "offline.loan_limit"))
    b1, b2 = session.view.lines(LineKind.LOAN)
    assert b1.offline and b1.notes[-1].key == "offline.queued" and b2.message.key == "offline.loan_limit"


def test_unavailable_marks_the_item_or_leaves_the_screen() -> None:
    session = reach(Screen.BORROW)
    session.handle(ev.ItemPresented("B9"))
    session.handle(ev.ServiceUnavailable(sid(session), "loan", "offline.unavailable", item_id="B9"))
    assert session.view.lines(LineKind.LOAN)[0].status is LineStatus.REFUSED
    session = new_session()
    identify(session)
    session.handle(ev.ShowAccount())
    session.handle(ev.ServiceUnavailable(sid(session), "account", "error.ils_unavailable"))
    assert session.view.screen is Screen.MENU and session.view.message.key == "error.ils_unavailable"


def test_receipt_modes() -> None:
    for mode, printed, screen in (("always", True, Screen.GOODBYE), ("never", False, Screen.GOODBYE)):
        session = reach(Screen.BORROW, settings(receipt=mode))
        session.handle(ev.ItemPresented("B1"))
        session.handle(ev.ItemCheckedOut(sid(session), "B1", "T", "2026-12-01"))
        effects = session.handle(ev.Finish())
        assert any(isinstance(e, PrintReceipt) for e in effects) is printed
        assert session.view.screen is screen
    session = reach(Screen.MENU)  # nothing done: no receipt question
    session.handle(ev.Back())
    assert session.view.ended == 1 and session.view.screen is Screen.GOODBYE
    session = reach(Screen.RECEIPT)
    effects = session.handle(ev.ReceiptChoice(print_receipt=False))
    assert not any(isinstance(e, PrintReceipt) for e in effects) and session.view.ended == 1


def test_results_nobody_asked_for_are_ignored() -> None:
    session = reach(Screen.BORROW)
    before = session.state
    assert session.handle(ev.ItemCheckedOut(sid(session), "NEVER-SCANNED")) == []  # nothing outstanding
    assert session.handle(ev.ItemCheckedOut(sid(session) - 1, "OLD")) == []
    assert session.state == before
