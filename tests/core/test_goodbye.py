"""The end of a session is the core's: the goodbye screen, its timer and its tap, the ``ended`` marker the
UI resets its widgets on, and which screen shows while out of order or closed (issue 14, item 1)."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core import pad_model as pad
from kiosk.core.effects import CheckIn, LookUpPatron
from kiosk.core.service import Availability
from kiosk.core.view import Screen
from tests.core.helpers import PASS, SETTINGS, new_session, reach, settings, sid


def test_the_goodbye_speaks_the_members_language_and_ends_after_goodbye_seconds() -> None:
    session = new_session(settings(goodbye_seconds=4.0))
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), display_name="A. Patron", language="001"))
    session.handle(ev.Tick(10.0))
    session.handle(ev.Finish())
    view = session.view
    assert view.screen is Screen.GOODBYE and view.shown == "goodbye" and view.ended == 1
    assert view.language == "en" and view.patron is None and view.items == () and not view.in_session
    assert session.state.pass_number is None and session.state.problems(SETTINGS) == []
    session.handle(ev.Tick(13.5))
    assert session.view.screen is Screen.GOODBYE
    session.handle(ev.Tick(14.0))
    assert session.view.screen is Screen.ATTRACT and session.view.language == "nl" and session.view.ended == 1


def test_a_tap_on_the_goodbye_ends_it_at_once() -> None:
    session = reach(Screen.GOODBYE)
    assert session.handle(ev.Acknowledge()) == []
    assert session.view.screen is Screen.ATTRACT and session.view.ended == 1


def test_a_session_refused_with_nothing_done_has_no_goodbye() -> None:
    session = reach(Screen.NOTICE)
    session.handle(ev.Acknowledge())
    assert session.view.screen is Screen.ATTRACT and session.view.ended == 1


def test_a_pass_during_the_goodbye_starts_the_next_session_in_the_sites_language() -> None:
    session = new_session()
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), display_name="A. Patron", language="001"))
    session.handle(ev.Finish())
    assert session.view.screen is Screen.GOODBYE and session.view.language == "en"
    effects = session.handle(ev.PassPresented(PASS))
    assert LookUpPatron(sid(session), PASS, None) in effects
    assert session.view.screen is Screen.IDENTIFYING and session.view.language == "nl"


def test_an_item_during_the_goodbye_is_returned_as_on_the_attract_screen() -> None:
    session = reach(Screen.GOODBYE)
    effects = session.handle(ev.ItemPresented("ITEM-R"))
    assert CheckIn(sid(session), "ITEM-R") in effects and session.view.screen is Screen.RETURN


def test_a_scanned_barcode_during_the_goodbye_is_a_pass_when_the_screen_decides() -> None:
    session = reach(Screen.GOODBYE, settings(pass_validation="off"))
    effects = session.handle(ev.BarcodeScanned("123456", is_pass=False))
    assert any(isinstance(e, LookUpPatron) for e in effects) and session.view.screen is Screen.IDENTIFYING


def test_a_late_touch_or_the_books_taken_off_the_pad_leave_the_goodbye_alone() -> None:
    session = reach(Screen.GOODBYE, settings(rfid_returns_from_idle=True))
    before = session.state
    assert session.handle(ev.Finish()) == [] and session.state == before
    assert session.handle(pad.ItemsOnPad(())) == [] and session.view.screen is Screen.GOODBYE
    assert session.view.language == before.language


def test_going_out_of_order_ends_the_goodbye_and_the_view_shows_out_of_order() -> None:
    session = reach(Screen.GOODBYE)
    session.handle(ev.ServiceModeChanged(Availability.OUT_OF_ORDER))
    view = session.view
    assert view.screen is Screen.ATTRACT and view.shown == "out_of_order" and view.language == "nl"
    assert session.state.problems(SETTINGS) == []
    session.handle(ev.ServiceModeChanged(Availability.IN_SERVICE))
    assert session.view.shown == "attract"


def test_out_of_order_mid_session_goes_straight_to_out_of_order_in_the_sites_language() -> None:
    session = new_session()
    session.handle(ev.PassPresented(PASS))
    session.handle(ev.PatronFound(sid(session), display_name="A. Patron", language="001"))
    session.handle(ev.ServiceModeChanged(Availability.OUT_OF_ORDER))
    view = session.view
    assert view.ended == 1 and view.screen is Screen.ATTRACT and view.language == "nl" and view.patron is None
    assert view.shown == "out_of_order"


def test_a_second_patron_after_confirming_the_switch_is_a_new_session() -> None:
    session = reach(Screen.BORROW)
    session.handle(ev.PassPresented("20105000067890"))
    session.handle(ev.ConfirmSwitch())
    assert session.view.ended == 1 and session.view.screen is Screen.IDENTIFYING  # no goodbye between


def test_the_goodbye_reminds_of_the_pass_only_a_member_who_used_one() -> None:
    member = new_session()
    member.handle(ev.PassPresented(PASS))
    member.handle(ev.PatronFound(sid(member), display_name="A. Patron"))
    member.handle(ev.Finish())
    assert member.view.screen is Screen.GOODBYE and member.view.goodbye_pass
    returner = new_session()  # returns from the attract screen, no pass
    returner.handle(ev.ItemPresented("ITEM-R"))
    returner.handle(ev.ItemCheckedIn(sid(returner), "ITEM-R", "Het diner"))
    returner.handle(ev.Finish())
    returner.handle(ev.ReceiptChoice(print_receipt=False))
    assert returner.view.screen is Screen.GOODBYE and not returner.view.goodbye_pass
