"""Passes, PINs, the patron lookup, blocks, language, second pass, idle warning and timeout."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.effects import LookUpPatron, PlaySound
from kiosk.core.machine import Session
from kiosk.core.view import Screen
from tests.core.helpers import OTHER_PASS, PASS, SETTINGS, identify, new_session, reach, settings, sid


def test_pass_starts_a_lookup_without_pin_in_patron_mode() -> None:
    session = new_session()
    effects = session.handle(ev.PassPresented(PASS))
    assert effects == [LookUpPatron(1, PASS, None)]
    assert session.view.busy and session.view.screen is Screen.IDENTIFYING


def test_site_that_always_asks_a_pin_sends_it_with_the_lookup() -> None:
    session = new_session(settings(pin="always"))
    assert session.handle(ev.PassPresented(PASS)) == [] and session.view.screen is Screen.PIN
    assert session.handle(ev.PinEntered("")) == [] and session.view.message.key == "error.pin_empty"
    effects = session.handle(ev.PinEntered("4321"))
    assert LookUpPatron(1, PASS, "4321") in effects
    session.handle(ev.PatronFound(sid(session), pin_valid=True))
    assert session.view.screen is Screen.MENU


def test_patron_with_a_pin_is_asked_for_it_in_patron_mode() -> None:
    session = new_session()
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), pin_required=True))
    assert session.view.screen is Screen.PIN and session.view.patron is None
    assert LookUpPatron(1, PASS, "1111") in session.handle(ev.PinEntered("1111"))
    session.handle(ev.PatronFound(sid(session), pin_valid=True, display_name="J. Jansen"))
    assert session.view.screen is Screen.MENU and session.view.patron.display_name == "J. Jansen"


def test_never_mode_does_not_ask_a_pin() -> None:
    session = new_session(settings(pin="never"))
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), pin_required=True))
    assert session.view.screen is Screen.MENU


def test_wrong_pin_counts_down_then_refuses_and_forgets_the_pass() -> None:
    session = new_session(settings(pin="always"))
    session.handle(ev.PassPresented(PASS))
    for left in (2, 1):
        session.handle(ev.PinEntered("0000"))
        effects = session.handle(ev.PatronFound(sid(session), pin_valid=False, screen_message="PIN onjuist"))
        assert PlaySound("error") in effects
        view = session.view
        assert view.screen is Screen.PIN and view.pin_tries_left == left
        assert view.message.key == "error.pin_wrong" and view.message.ils_text == "PIN onjuist"
        assert session.state.pin is None
    session.handle(ev.PinEntered("0000"))
    session.handle(ev.PatronFound(sid(session), pin_valid=False))
    assert session.view.screen is Screen.NOTICE and session.view.message.key == "error.pin_tries"
    assert session.state.pass_number is None and session.state.pin is None
    session.handle(ev.Acknowledge())
    assert session.view.ended == 1 and session.view.screen is Screen.ATTRACT


def test_unknown_patron_shows_the_ils_text_until_ok() -> None:
    session = reach(Screen.NOTICE)
    assert session.view.message.key == "error.patron_unknown"
    assert session.view.message.ils_text == "Onbekende pas"
    session.handle(ev.Acknowledge())
    assert session.view.screen is Screen.ATTRACT and session.view.message is None


def test_invalid_patron_record_and_unavailable_lookup_are_refused() -> None:
    session = new_session()
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), valid=False, screen_message="Pas ongeldig"))
    assert session.view.message.key == "error.patron_unknown"
    session.handle(ev.PassPresented(PASS))  # a pass on the notice screen starts over
    assert session.view.screen is Screen.IDENTIFYING
    session.handle(ev.ServiceUnavailable(sid(session), "lookup", "error.ils_unavailable"))
    assert session.view.screen is Screen.NOTICE and session.view.message.key == "error.ils_unavailable"


def test_blocked_patron_may_see_account_and_pay_but_not_borrow() -> None:
    session = new_session()
    identify(session, flags=frozenset({"excessive_outstanding_fines"}), screen_message="Openstaand: 12,50")
    view = session.view
    assert view.screen is Screen.MENU and not view.patron.can_borrow and view.patron.can_renew
    assert view.message.key == "error.blocked_fees" and view.message.ils_text == "Openstaand: 12,50"
    assert session.handle(ev.StartBorrow()) == [] and session.view.screen is Screen.MENU
    assert session.view.message.key == "error.blocked_fees"  # fees block: points to paying them
    session.handle(ev.StartPay())
    assert session.view.screen is Screen.PAY


def test_expired_patron_can_neither_borrow_nor_renew() -> None:
    session = new_session()
    identify(session, flags=frozenset({"expired"}), screen_message="Abonnement verlopen")
    assert session.view.message.key == "error.expired"
    session.handle(ev.StartRenew())
    assert session.view.screen is Screen.MENU and session.view.message.key == "error.renew_blocked"


def test_lost_card_ends_the_session() -> None:
    session = new_session()
    identify(session, flags=frozenset({"card_reported_lost"}), screen_message="Pas als verloren gemeld")
    assert session.view.screen is Screen.NOTICE and session.view.message.key == "error.card_lost"
    assert session.view.patron is None


def test_patron_language_switches_the_ui_and_the_end_switches_back() -> None:
    session = new_session()
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), language="001"))
    assert session.view.language == "en"
    session.handle(ev.Finish())
    assert session.view.screen is Screen.GOODBYE and session.view.language == "en"  # goodbye in English
    session.handle(ev.Tick(SETTINGS.goodbye_seconds))
    assert session.view.screen is Screen.ATTRACT and session.view.language == "nl"
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), language="006"))  # Swedish: not offered here
    assert session.view.language == "nl"


def test_language_button_only_offers_site_languages_and_resets_when_nobody_comes() -> None:
    session = new_session()
    assert session.handle(ev.LanguageChosen("de")) == [] and session.view.language == "de"
    assert session.handle(ev.LanguageChosen("fr")) == []
    assert session.view.language == "de"
    assert session.handle(ev.Tick(59.0)) == [] and session.view.language == "de"
    assert session.handle(ev.Tick(60.0)) == [] and session.view.language == "nl"
    assert session.handle(ev.Tick(200.0)) == []


def test_second_pass_mid_session_asks_first() -> None:
    session = reach(Screen.BORROW)
    assert session.handle(ev.PassPresented(PASS)) == [] and not session.view.confirm_switch  # same pass
    session.handle(ev.PassPresented(OTHER_PASS))
    assert session.view.confirm_switch and session.view.message.key == "session.switch_pass"
    session.handle(ev.CancelSwitch())
    assert not session.view.confirm_switch and session.state.pass_number == PASS
    old = sid(session)
    session.handle(ev.ItemPresented("ITEM-Q"))
    session.handle(ev.PassPresented(OTHER_PASS))
    effects = session.handle(ev.ConfirmSwitch())
    assert session.view.ended == 1  # the first patron's session ended: the UI forgets its widgets
    assert LookUpPatron(old + 1, OTHER_PASS, None) in effects
    assert session.view.items == () and session.view.screen is Screen.IDENTIFYING
    # The first patron's late answer is not shown to the second.
    assert session.handle(ev.ItemCheckedOut(old, "ITEM-Q", "Secret title")) == []
    assert session.view.items == ()


def test_other_pass_while_identifying_restarts_with_it() -> None:
    session = reach(Screen.IDENTIFYING)
    first = sid(session)
    effects = session.handle(ev.PassPresented(OTHER_PASS))
    assert LookUpPatron(first + 1, OTHER_PASS, None) in effects
    assert session.handle(ev.PatronFound(first)) == []  # the first lookup's answer is stale
    session.handle(ev.PatronFound(sid(session)))
    assert session.view.screen is Screen.MENU and session.state.pass_number == OTHER_PASS


def test_idle_warning_more_time_and_timeout_clear_everything() -> None:
    session = reach(Screen.BORROW)
    session.handle(ev.ItemPresented("ITEM-1"))
    session.handle(ev.ItemCheckedOut(sid(session), "ITEM-1", "Title 1", "2026-12-01"))
    assert session.handle(ev.Tick(44.0)) == []
    assert session.handle(ev.Tick(45.0)) == [PlaySound("attention")]
    assert session.view.idle_warning and session.view.seconds_left == 15.0
    assert session.handle(ev.Tick(46.0)) == []  # warned once
    session.handle(ev.MoreTime())
    assert not session.view.idle_warning
    session.handle(ev.Tick(91.0))
    assert session.view.idle_warning
    assert session.handle(ev.Tick(106.0)) == []
    view = session.view
    assert view.ended == 1
    assert view.screen is Screen.GOODBYE and view.patron is None and view.items == () and view.message is None
    assert session.state.pass_number is None and session.state.problems(SETTINGS) == []


def test_timeout_on_the_receipt_question_clears_without_printing() -> None:
    session = reach(Screen.RECEIPT)
    effects = session.handle(ev.Tick(61.0))
    assert session.view.ended == 1 and all(type(e).__name__ != "PrintReceipt" for e in effects)
    assert session.view.screen is Screen.GOODBYE and session.view.items == ()


def test_clock_going_back_is_ignored_and_idle_has_no_timer() -> None:
    session = reach(Screen.MENU)
    session.handle(ev.Tick(30.0))
    assert session.handle(ev.Tick(10.0)) == [] and session.state.clock == 30.0
    idle = new_session()
    assert idle.handle(ev.Tick(10_000.0)) == [] and idle.view.seconds_left is None


def test_pass_and_pin_never_appear_in_reprs_or_the_view() -> None:
    session = new_session(settings(pin="always"))
    effects = session.handle(ev.PassPresented(PASS)) + session.handle(ev.PinEntered("9876"))
    texts = [repr(e) for e in effects] + [repr(session.view), repr(session.state)]
    texts += [repr(ev.PassPresented(PASS)), repr(ev.PinEntered("9876"))]
    for text in texts:
        assert PASS not in text and "9876" not in text


def test_a_handler_bug_resets_the_session_instead_of_raising(monkeypatch: object) -> None:
    from kiosk.core import machine

    def broken(*_: object) -> object:
        raise RuntimeError("bug")

    session = reach(Screen.MENU)
    monkeypatch.setitem(machine.TABLE, (Screen.MENU, ev.StartBorrow), broken)  # type: ignore[attr-defined]
    session.handle(ev.StartBorrow())
    assert session.view.ended == 1 and session.view.screen is Screen.GOODBYE and session.view.patron is None


def test_session_state_starts_clean() -> None:
    session = Session(SETTINGS)
    assert session.view.screen is Screen.ATTRACT and session.state.problems(SETTINGS) == []


def test_a_pin_typed_on_the_keypad_goes_with_the_lookup_and_is_not_logged(caplog) -> None:  # type: ignore[no-untyped-def]
    session = new_session(settings(pin="always"))
    session.handle(ev.PassPresented(PASS))
    with caplog.at_level("DEBUG"):
        effects = session.handle(ev.BarcodeScanned("4321", is_pass=False, typed=True))
    assert LookUpPatron(1, PASS, "4321") in effects and session.view.screen is Screen.IDENTIFYING
    assert "4321" not in caplog.text and "PIN typed" in caplog.text
