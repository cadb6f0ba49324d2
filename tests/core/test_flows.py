"""Whole patron flows: session machine + circulation service + SIP2 client + ILS simulator over TCP."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.effects import PrintReceipt
from kiosk.core.view import LineKind, LineStatus, Screen
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk


def test_borrow_a_stack_with_magnetic_media_and_a_refusal(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    view = kiosk.session.view
    assert view.screen is Screen.MENU and view.patron.display_name == "Jan de Vries"
    kiosk.do(ev.StartBorrow())
    kiosk.do(
        *(ev.ItemPresented(i) for i in (demo.AVAILABLE, demo.AVAILABLE_2, demo.MAGNETIC, demo.ON_LOAN_OTHER))
    )
    kiosk.do(ev.ItemPresented(demo.AVAILABLE))  # read again by the pad: not sent twice
    lines = kiosk.session.view.lines(LineKind.LOAN)
    assert [line.status for line in lines] == [LineStatus.DONE] * 3 + [LineStatus.REFUSED]
    assert lines[0].title and lines[0].due
    assert [n.key for n in lines[2].notes][:1] == ["item.magnetic_media"]
    assert lines[3].message.key == "item.refused" and lines[3].message.ils_text
    with sim.library.lock:
        for item in (demo.AVAILABLE, demo.AVAILABLE_2, demo.MAGNETIC):
            assert sim.library.loans[item].patron_id == demo.NORMAL
        assert sim.library.loans[demo.ON_LOAN_OTHER].patron_id == demo.HOLD_READY
    assert sim.library.times_applied("checkout", item_id=demo.AVAILABLE) == 1
    kiosk.do(ev.Finish())
    effects = kiosk.do(ev.ReceiptChoice(print_receipt=True))
    receipt = next(e for e in effects if isinstance(e, PrintReceipt))
    assert [line.item_id for line in receipt.lines] == [demo.AVAILABLE, demo.AVAILABLE_2, demo.MAGNETIC]
    assert kiosk.session.view.ended == 1 and kiosk.session.view.patron is None
    assert kiosk.store.all() == []  # online: nothing was stored


def test_return_without_pass_and_hold_for_someone_else(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.do(ev.ItemPresented(demo.ON_HOLD_OTHER), ev.ItemPresented(demo.ON_LOAN))
    hold, plain = kiosk.session.view.lines(LineKind.RETURN)
    assert kiosk.session.view.screen is Screen.RETURN and kiosk.session.view.patron is None
    assert hold.status is LineStatus.DONE and hold.notes[0].key == "return.hold_shelf"
    assert hold.notes[0].param("sort_bin") == "RESERVERINGEN" and hold.notes[0].ils_text
    assert plain.status is LineStatus.DONE
    with sim.library.lock:
        assert demo.ON_HOLD_OTHER not in sim.library.loans and demo.ON_LOAN not in sim.library.loans


def test_renew_with_the_renewal_limit(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartRenew())
    account = kiosk.session.view.account
    loans = {loan.item_id: loan for loan in account.loans}
    assert {demo.ON_LOAN, demo.RENEWAL_LIMIT, demo.ON_HOLD_OTHER} <= set(loans)
    assert all(loan.title and loan.due for loan in loans.values())
    kiosk.do(ev.RenewItems((demo.ON_LOAN, demo.RENEWAL_LIMIT)))
    ok, refused = kiosk.session.view.lines(LineKind.RENEWAL)
    assert ok.status is LineStatus.DONE and ok.due > loans[demo.ON_LOAN].due
    assert refused.status is LineStatus.REFUSED and "verlengd" in refused.message.ils_text
    assert sim.library.times_applied("renew", item_id=demo.ON_LOAN) == 1


def test_account_shows_fees_holds_and_loans(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.FEES, demo.FEES_PIN)
    kiosk.do(ev.ShowAccount())
    fees = {fee.fee_id: fee.amount for fee in kiosk.session.view.account.fees}
    assert {k: str(v) for k, v in fees.items()} == {demo.FEE_OVERDUE_ID: "0.50", demo.FEE_HOLD_ID: "2.50"}
    assert str(kiosk.session.view.account.fee_total) == "3.00"
    assert any(loan.item_id == demo.OVERDUE and loan.overdue for loan in kiosk.session.view.account.loans)


def test_blocked_expired_and_wrong_pin(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.BLOCKED, demo.BLOCKED_PIN)
    assert kiosk.session.view.screen is Screen.NOTICE and kiosk.session.view.message.key == "error.card_lost"
    kiosk.do(ev.Acknowledge())
    kiosk.sign_in(demo.EXPIRED, demo.EXPIRED_PIN)
    view = kiosk.session.view
    assert view.screen is Screen.MENU and not view.patron.can_borrow
    assert view.message.key == "error.blocked" and "verlopen" in view.message.ils_text
    kiosk.do(ev.StartBorrow())
    assert kiosk.session.view.screen is Screen.MENU
    kiosk.do(ev.Finish())
    kiosk.do(ev.PassPresented(demo.NORMAL))
    for _ in range(3):
        kiosk.do(ev.PinEntered("0000"))
    assert kiosk.session.view.screen is Screen.NOTICE and kiosk.session.view.message.key == "error.pin_tries"


def test_patron_language_switches_the_screen(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.ENGLISH, demo.ENGLISH_PIN)
    assert kiosk.session.view.language == "en"
    kiosk.do(ev.Finish())
    assert kiosk.session.view.screen is Screen.GOODBYE and kiosk.session.view.language == "en"  # goodbye
    kiosk.do(ev.Acknowledge())  # a tap on the goodbye
    assert kiosk.session.view.screen is Screen.ATTRACT and kiosk.session.view.language == "nl"
