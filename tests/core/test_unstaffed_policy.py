"""Two per-mode policies of issue 17 in the core: ``hold_pickup = false`` (a member's hold waiting on the
hold shelf is not lent by the kiosk: refused before any checkout) and ``unsecured_loan = "cancel"`` (a loan
whose tags could not be released is undone by a return). Fake wall clock, no I/O; the same rules over
SIP2 on TCP are in ``test_unstaffed_policy_sip2.py``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.common import receipt_lines
from kiosk.core.machine import Session
from kiosk.core.pad_model import (
    RELEASE,
    SECURE,
    CancelLoan,
    ItemsOnPad,
    PadItem,
    PadSecurity,
    PadSecurityResult,
)
from kiosk.core.service import Staffing
from kiosk.core.service_hours import parse_service_hours
from kiosk.core.view import AccountView, HoldLine, LineKind, LineStatus, Screen
from kiosk.i18n import Translator
from tests.core.helpers import identify, settings, sid

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
HOLD, OTHER = "30301000500088", "30301000500013"
UID = ("E004015000500088",)


def session_in(mode: str, **policy: Any) -> Session:
    """A member identified at noon in ``mode`` (staffed/unstaffed), with ``policy`` for that mode."""
    hours = parse_service_hours(
        {"schedule": {"timezone": "UTC", "monday": [f"08:00-22:00 {mode}"]}, "modes": {mode: policy}}
    )
    session = Session(settings(hours=hours, pin="never", receipt="ask"))
    session.handle(ev.Tick(0.0))
    session.handle(ev.WallClock(NOON))
    assert session.view.service.staffing is Staffing(mode)
    return session


def effect_types(effects: list[fx.Effect]) -> list[type]:
    return [type(e) for e in effects]


# --- hold_pickup ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "key"), [("unstaffed", "item.hold_pickup_later"), ("staffed", "item.hold_pickup_desk")]
)
def test_a_hold_is_refused_before_any_checkout_when_the_mode_does_not_hand_out_holds(
    mode: str, key: str
) -> None:
    session = session_in(mode, hold_pickup=False)
    identify(session, holds_ready=1, hold_items=(HOLD,))
    session.handle(ev.StartBorrow())
    effects = session.handle(ev.ItemPresented(HOLD))
    assert not any(isinstance(e, fx.CheckOut) for e in effects)
    line = session.view.items[-1]
    assert (line.item_id, line.status, line.message and line.message.key) == (HOLD, LineStatus.REFUSED, key)
    assert not session.state.pending
    effects = session.handle(ev.ItemPresented(OTHER))  # anything else is lent as usual
    assert any(isinstance(e, fx.CheckOut) and e.item_id == OTHER for e in effects)


def test_unstaffed_the_hold_line_never_sends_the_member_to_the_desk() -> None:
    session = session_in("unstaffed", hold_pickup=False)
    identify(session, holds_ready=1, hold_items=(HOLD,))
    session.handle(ev.StartBorrow())
    session.handle(ev.ItemPresented(HOLD))
    message = session.view.items[-1].message
    assert message is not None
    texts = {lang: Translator(lang)(message.key) for lang in ("nl", "en", "de", "tr")}
    assert (
        texts["nl"]
        == "Dit is jouw reservering. Die kun je nu niet ophalen; kom terug tijdens de bemande uren."
    )
    assert "balie" not in texts["nl"] and "desk" not in texts["en"] and "Theke" not in texts["de"]
    assert all(text != message.key for text in texts.values())  # in every catalog


def test_a_hold_known_from_the_account_is_refused_too_and_holds_are_lent_where_the_mode_allows() -> None:
    session = session_in("unstaffed", hold_pickup=False)
    identify(session, holds_ready=1)  # the lookup listed no ids (an ILS that leaves AS out)
    session.handle(ev.ShowAccount())
    account = AccountView(holds=(HoldLine("Het smelt", True, HOLD), HoldLine("Later", False, OTHER)))
    session.handle(ev.AccountLoaded(sid(session), account))
    session.handle(ev.Back())
    session.handle(ev.StartBorrow())
    assert not any(isinstance(e, fx.CheckOut) for e in session.handle(ev.ItemPresented(HOLD)))
    assert any(isinstance(e, fx.CheckOut) for e in session.handle(ev.ItemPresented(OTHER)))  # not ready yet
    allowed = session_in("unstaffed")  # the default: holds are handed out
    identify(allowed, holds_ready=1, hold_items=(HOLD,))
    allowed.handle(ev.StartBorrow())
    assert any(isinstance(e, fx.CheckOut) for e in allowed.handle(ev.ItemPresented(HOLD)))


def test_a_hold_on_the_pad_is_refused_once_and_its_tag_left_alone() -> None:
    session = session_in("unstaffed", hold_pickup=False)
    identify(session, holds_ready=1, hold_items=(HOLD,))
    session.handle(ev.StartBorrow())
    first = session.handle(ItemsOnPad((PadItem(HOLD, UID),)))
    assert effect_types(first) == [fx.PlaySound]  # no intent to release, no checkout
    again = session.handle(ItemsOnPad((PadItem(HOLD, UID),)))  # the pad reports it again and again
    assert again == []
    assert session.view.items[-1].message is not None
    assert session.view.items[-1].message.key == "item.hold_pickup_later"


def test_the_patron_lookup_carries_the_available_hold_item_ids() -> None:
    from kiosk.services.circulation_map import patron_found
    from sip2.messages import PatronInformationResponse

    reply = PatronInformationResponse(hold_items=(HOLD,), hold_items_count=1, personal_name="Kees")
    found = patron_found(7, reply, None)
    assert found.hold_items == (HOLD,) and found.holds_ready == 1
    assert HOLD not in repr(found)  # what a member reserved stays out of logs


# --- unsecured_loan = "cancel" ------------------------------------------------------------------
def lent_on_pad(**policy: Any) -> Session:
    session = session_in("unstaffed", unsecured_loan="cancel", **policy)
    identify(session)
    session.handle(ev.StartBorrow())
    session.handle(ItemsOnPad((PadItem(HOLD, UID),)))
    effects = session.handle(ev.ItemCheckedOut(sid(session), HOLD, "Het smelt", "2026-03-23"))
    assert PadSecurity(sid(session), HOLD, UID, RELEASE) in effects
    return session


def test_cancel_undoes_the_loan_with_a_return_and_the_line_says_not_lent() -> None:
    session = lent_on_pad()
    effects = session.handle(PadSecurityResult(sid(session), HOLD, RELEASE, False, "failed"))
    assert CancelLoan(sid(session), HOLD) in effects and isinstance(effects[0], fx.CheckIn)
    line = session.state.line(LineKind.LOAN, HOLD)
    assert line is not None and line.status is LineStatus.REFUSED
    assert line.message is not None and line.message.key == "rfid.loan_cancelled"
    assert session.view.busy  # waiting for the ILS to take it back
    effects = session.handle(ev.ItemCheckedIn(sid(session), HOLD, "Het smelt"))
    assert effects == []  # its one tag was never released: left as it is
    assert session.state.line(LineKind.RETURN, HOLD) is None  # not a member's return
    assert not session.view.busy
    assert [x.item_id for x in receipt_lines(session.state)] == []  # the receipt does not list it
    assert session.handle(ItemsOnPad((PadItem(HOLD, UID),))) == []  # still on the pad: not lent again
    nl = Translator("nl")("rfid.loan_cancelled")
    assert nl.startswith("Niet geleend") and "balie" not in nl


def test_cancel_secures_the_parts_of_a_set_again() -> None:
    session = session_in("unstaffed", unsecured_loan="cancel")
    identify(session)
    session.handle(ev.StartBorrow())
    parts = ("E004015000000001", "E004015000000002")
    session.handle(ItemsOnPad((PadItem(OTHER, parts, parts=2, present=2),)))
    session.handle(ev.ItemCheckedOut(sid(session), OTHER, "Cd-box"))
    session.handle(PadSecurityResult(sid(session), OTHER, RELEASE, False, "failed"))  # one part failed
    effects = session.handle(ev.ItemCheckedIn(sid(session), OTHER))
    assert PadSecurity(sid(session), OTHER, parts, SECURE) in effects  # the released part is secured


def test_cancel_is_carried_out_even_where_returns_are_switched_off() -> None:
    session = lent_on_pad(returns=False)
    effects = session.handle(PadSecurityResult(sid(session), HOLD, RELEASE, False, "gone"))
    assert CancelLoan(sid(session), HOLD) in effects


def test_when_the_ils_refuses_the_undo_the_loan_stands_with_the_desk_note() -> None:
    session = lent_on_pad()
    session.handle(PadSecurityResult(sid(session), HOLD, RELEASE, False, "failed"))
    session.handle(ev.ItemRefused(sid(session), HOLD, "return", "return.refused"))
    line = session.state.line(LineKind.LOAN, HOLD)
    assert line is not None and line.status is LineStatus.DONE
    assert [n.key for n in line.notes] == ["rfid.security_still_on"]
    assert session.state.line(LineKind.RETURN, HOLD) is None


def test_cancel_offline_the_undo_is_queued_like_any_return() -> None:
    session = lent_on_pad()
    session.handle(PadSecurityResult(sid(session), HOLD, RELEASE, False, "failed"))
    session.handle(ev.ItemCheckedIn(sid(session), HOLD, offline=True))
    line = session.state.line(LineKind.LOAN, HOLD)
    assert line is not None and line.status is LineStatus.REFUSED
    assert [n.key for n in line.notes] == ["offline.queued"]
    assert session.view.screen is Screen.BORROW
