"""The core's pad rules without I/O: security only after a successful ILS answer, never after a refusal,
the record before the request, lines for what is not lent, returns from the attract screen by site rule."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.effects import CheckIn, CheckOut
from kiosk.core.pad_model import (
    FORGET,
    INCOMPLETE,
    INTEND_RELEASE,
    INTEND_SECURE,
    RELEASE,
    SECURE,
    ItemsOnPad,
    PadItem,
    PadSecurity,
    PadSecurityResult,
)
from kiosk.core.view import LineKind, LineStatus, Screen
from tests.core.helpers import identify, new_session, settings, sid

UID_A, UID_B = "E004015000000001", "E004015000000002"


def _borrowing():  # type: ignore[no-untyped-def]
    session = new_session(settings(pin="never"))
    identify(session)
    session.handle(ev.StartBorrow())
    assert session.state.screen is Screen.BORROW
    return session


def test_the_record_goes_before_the_checkout_and_the_release_only_after_the_yes() -> None:
    session = _borrowing()
    effects = session.handle(ItemsOnPad((PadItem("A", (UID_A,)),)))
    kinds = [type(e) for e in effects if isinstance(e, PadSecurity | CheckOut)]
    assert kinds == [PadSecurity, CheckOut]
    assert [e.action for e in effects if isinstance(e, PadSecurity)] == [INTEND_RELEASE]
    assert session.handle(ItemsOnPad((PadItem("A", (UID_A,)),))) == []  # reported again: not sent twice
    answer = session.handle(ev.ItemCheckedOut(sid(session), "A", "Title A", "2026-12-24"))
    assert [(e.action, e.uids) for e in answer if isinstance(e, PadSecurity)] == [(RELEASE, (UID_A,))]


def test_a_refusal_forgets_and_never_releases() -> None:
    session = _borrowing()
    session.handle(ItemsOnPad((PadItem("A", (UID_A,)),)))
    answer = session.handle(ev.ItemRefused(sid(session), "A", "loan"))
    assert [e.action for e in answer if isinstance(e, PadSecurity)] == [FORGET]


def test_a_scanned_barcode_gets_no_security_effect() -> None:
    session = _borrowing()
    session.handle(ev.ItemPresented("B"))
    answer = session.handle(ev.ItemCheckedOut(sid(session), "B", "Title B"))
    assert not [e for e in answer if isinstance(e, PadSecurity)]


def test_an_incomplete_set_is_a_line_and_no_request() -> None:
    session = _borrowing()
    effects = session.handle(ItemsOnPad((PadItem("S", (UID_A, UID_B), INCOMPLETE, 3, 2),)))
    assert not [e for e in effects if isinstance(e, CheckOut | PadSecurity)]
    line = session.state.items[-1]
    assert line.status is LineStatus.REFUSED and line.message is not None
    assert line.message.key == "rfid.set_incomplete"


def test_a_security_failure_for_an_earlier_session_is_dropped() -> None:
    session = _borrowing()
    session.handle(ItemsOnPad((PadItem("A", (UID_A,)),)))
    session.handle(ev.ItemCheckedOut(sid(session), "A", "Title A"))
    assert session.handle(PadSecurityResult(sid(session) + 1, "A", RELEASE, False, "failed")) == []
    session.handle(PadSecurityResult(sid(session), "A", RELEASE, False, "failed"))
    line = session.state.line(LineKind.LOAN, "A")
    assert line is not None and [n.key for n in line.notes][-1] == "rfid.security_still_on"


def test_returns_from_the_attract_screen_only_when_the_site_allows() -> None:
    plain = new_session(settings(pin="never"))
    assert plain.handle(ItemsOnPad((PadItem("A", (UID_A,)),))) == []
    assert plain.state.screen is Screen.ATTRACT
    allowed = new_session(settings(pin="never", rfid_returns_from_idle=True))
    effects = allowed.handle(ItemsOnPad((PadItem("A", (UID_A,)),)))
    assert allowed.state.screen is Screen.RETURN
    assert [e.action for e in effects if isinstance(e, PadSecurity)] == [INTEND_SECURE]
    assert [e.item_id for e in effects if isinstance(e, CheckIn)] == ["A"]
    answer = allowed.handle(ev.ItemCheckedIn(sid(allowed), "A", "Title A"))
    assert [e.action for e in answer if isinstance(e, PadSecurity)] == [SECURE]


def test_items_just_lent_and_still_on_the_pad_are_not_returned_by_the_return_screen() -> None:
    session = _borrowing()
    session.handle(ItemsOnPad((PadItem("A", (UID_A,)),)))
    session.handle(ev.ItemCheckedOut(sid(session), "A", "Title A"))
    session.handle(ev.Back())
    session.handle(ev.StartReturn())
    assert session.state.screen is Screen.RETURN
    effects = session.handle(ItemsOnPad((PadItem("A", (UID_A,)), PadItem("B", (UID_B,)))))
    assert [e.item_id for e in effects if isinstance(e, CheckIn)] == ["B"]
