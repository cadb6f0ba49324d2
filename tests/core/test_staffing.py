"""The staffing axis in the core (issue 17): the mode table, the per-mode policy, the closing countdown,
the last minute, closing a running session safely, and overrides — all with a fake wall clock fed as
:class:`~kiosk.core.events.WallClock` events (no real time passes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.machine import Session
from kiosk.core.service import Staffing
from kiosk.core.service_hours import parse_service_hours
from kiosk.core.view import AccountView, FeeLine, LineKind, LineStatus, Message, Screen
from tests.core.helpers import PASS, identify, settings, sid

HOURS = parse_service_hours(
    {
        "schedule": {
            "timezone": "Europe/Amsterdam",
            "closing_warning_minutes": 10,
            "last_session_minutes": 1,
            # 2026-03-02 is a Monday (CET, UTC+1)
            "monday": ["08:00-10:00 unstaffed", "10:00-17:00 staffed", "17:00-22:00 unstaffed"],
        },
        "modes": {"unstaffed": {"payments": False}},
    }
)
S = settings(hours=HOURS, receipt="ask")


def local(hh: int, mm: int = 0, ss: int = 0, day: int = 2) -> datetime:
    """Monday 2 March 2026 at hh:mm:ss Amsterdam time (UTC+1), as UTC."""
    return datetime(2026, 3, day, hh, mm, ss, tzinfo=UTC) - timedelta(hours=1)


def at(moment: datetime) -> Session:
    session = Session(S)
    session.handle(ev.Tick(0.0))
    session.handle(ev.WallClock(moment))
    return session


@pytest.mark.parametrize(
    ("moment", "mode"),
    [
        (local(7, 59), Staffing.CLOSED),
        (local(8, 0), Staffing.UNSTAFFED),
        (local(9, 59, 59), Staffing.UNSTAFFED),
        (local(10, 0), Staffing.STAFFED),
        (local(16, 59), Staffing.STAFFED),
        (local(17, 0), Staffing.UNSTAFFED),
        (local(22, 0), Staffing.CLOSED),
        (local(12, 0, day=3), Staffing.CLOSED),  # Tuesday has no hours
    ],
)
def test_the_mode_table_follows_the_schedule(moment: datetime, mode: Staffing) -> None:
    session = at(moment)
    assert session.view.service.staffing is mode
    assert session.view.service.closed is (mode is Staffing.CLOSED)


def test_without_a_schedule_the_kiosk_stays_staffed() -> None:
    session = Session(settings())
    session.handle(ev.WallClock(local(3, 0)))
    assert session.view.service.staffing is Staffing.STAFFED
    assert session.view.service.may_start_session


def test_closed_nothing_starts_and_the_view_has_the_next_opening() -> None:
    session = at(local(23, 0))
    assert session.handle(ev.PassPresented(PASS)) == []
    assert session.handle(ev.ItemPresented("ITEM-A")) == []  # was: a return
    assert session.state.screen is Screen.ATTRACT
    hours = session.view.service.hours
    assert hours is not None and hours.next_opening is not None
    # Tuesday and onwards have no hours: the next opening is next Monday 08:00 local.
    assert hours.next_opening == local(8, 0, day=9)


def test_closing_countdown_from_ten_minutes_in_whole_minutes() -> None:
    session = at(local(21, 49))
    assert session.view.service.closing_in_minutes is None
    seen = []
    for minute in range(50, 60):
        session.handle(ev.WallClock(local(21, minute, 30)))
        seen.append(session.view.service.closing_in_minutes)
    assert seen == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    # staffed -> unstaffed is not a closing: no banner before 17:00
    assert at(local(16, 55)).view.service.closing_in_minutes is None


def test_no_new_session_in_the_last_minute() -> None:
    session = at(local(21, 59, 10))
    assert session.handle(ev.PassPresented(PASS)) == []
    assert session.state.screen is Screen.ATTRACT
    assert session.view.message == Message("closing.one_minute")
    assert session.handle(ev.ItemPresented("ITEM-A")) == []
    # a minute earlier it would have started
    early = at(local(21, 58, 50))
    assert any(isinstance(e, fx.LookUpPatron) for e in early.handle(ev.PassPresented(PASS)))


def test_payments_off_unstaffed_produce_no_effect_and_the_view_says_why() -> None:
    session = at(local(18, 0))
    identify(session)
    assert session.state.screen is Screen.MENU
    assert session.handle(ev.StartPay()) == []
    assert session.state.screen is Screen.MENU
    assert session.view.message is not None and session.view.message.key == "unstaffed.come_back"
    # staffed, the same member may pay
    staffed = at(local(12, 0))
    identify(staffed)
    staffed.handle(ev.StartPay())
    assert staffed.state.screen is Screen.PAY


def test_desk_texts_are_replaced_in_the_view_while_unstaffed() -> None:
    session = at(local(18, 0))
    identify(session, flags=frozenset({"card_reported_lost"}), valid=True)
    staffed = at(local(12, 0))
    identify(staffed, flags=frozenset({"card_reported_lost"}), valid=True)
    assert staffed.view.message is not None and "unstaffed" not in staffed.view.message.key
    assert session.view.message is not None
    assert session.view.message.key == "unstaffed.notice_desk"
    # the same session, once staffed again, shows the desk text (the state keeps the original key)
    assert session.state.message == staffed.state.message


def test_closing_finishes_the_session_safely_receipt_then_goodbye() -> None:
    session = at(local(21, 30))
    identify(session)
    session.handle(ev.StartBorrow())
    session.handle(ev.ItemPresented("ITEM-A"))
    session.handle(ev.ItemCheckedOut(sid(session), "ITEM-A", "Title A", "2026-03-23"))
    session.handle(ev.ItemPresented("ITEM-B"))  # still outstanding when the library closes
    effects = session.handle(ev.WallClock(local(22, 0)))
    assert effects == [] and session.state.screen is Screen.BORROW  # waits for the answer
    assert session.handle(ev.ItemPresented("ITEM-C")) == []  # nothing new once closed
    effects = session.handle(ev.ItemCheckedOut(sid(session), "ITEM-B", "Title B", "2026-03-23"))
    kinds = [type(e) for e in effects]
    assert session.view.ended == 1  # receipt, then goodbye: the session is over
    receipt = effects[kinds.index(fx.PrintReceipt)]
    assert isinstance(receipt, fx.PrintReceipt)
    assert [line.item_id for line in receipt.lines if line.kind is LineKind.LOAN] == ["ITEM-A", "ITEM-B"]
    assert session.state.screen is Screen.GOODBYE and session.state.pass_number is None
    assert session.view.service.closed and session.view.shown == "goodbye"  # the goodbye, then closed
    session.handle(ev.Acknowledge())
    assert session.view.shown == "out_of_order"  # the closed screen: when the library opens again
    assert session.state.problems(S) == []


def test_a_payment_on_the_terminal_is_not_cut_short_by_closing() -> None:
    session = at(local(16, 50))  # staffed: payments on
    identify(session)
    session.handle(ev.StartPay())
    account = AccountView(fees=(FeeLine("FEE-1", Decimal("2.50")),))
    session.handle(ev.AccountLoaded(sid(session), account))
    assert any(isinstance(e, fx.StartPayment) for e in session.handle(ev.PayFees(("FEE-1",))))
    session.handle(ev.StaffingOverride(Staffing.CLOSED, local(16, 55), local(18, 0)))
    assert session.state.screen is Screen.PAY
    effects = session.handle(ev.PaymentCompleted(sid(session), ("FEE-1",), Decimal("2.50")))
    # A paid fee may lift a block, so the kiosk re-reads the patron (issue 13): that answer is awaited too.
    assert any(isinstance(e, fx.LookUpPatron) for e in effects)
    assert session.state.screen is not Screen.ATTRACT
    effects = session.handle(ev.PatronFound(sid(session), display_name="A. Patron"))
    assert any(isinstance(e, fx.PrintReceipt) for e in effects)
    assert session.state.screen is Screen.GOODBYE


def test_an_override_applies_until_it_expires_while_running() -> None:
    session = at(local(12, 0))
    session.handle(ev.StaffingOverride(Staffing.UNSTAFFED, local(12, 0), local(12, 30), "staff ill"))
    assert session.view.service.staffing is Staffing.UNSTAFFED
    assert session.view.service.override is not None
    session.handle(ev.WallClock(local(12, 29, 59)))
    assert session.view.service.staffing is Staffing.UNSTAFFED
    session.handle(ev.WallClock(local(12, 30)))
    assert session.view.service.staffing is Staffing.STAFFED
    assert session.view.service.override is None  # expired: dropped from the state (and from disk)


def test_an_override_can_be_withdrawn_and_a_bad_one_is_refused() -> None:
    session = at(local(12, 0))
    session.handle(ev.StaffingOverride(Staffing.CLOSED, local(12, 0), local(14, 0)))
    assert session.view.service.closed
    session.handle(ev.StaffingOverrideCleared(local(12, 5)))
    assert session.view.service.staffing is Staffing.STAFFED
    session.handle(ev.StaffingOverride(Staffing.CLOSED, local(12, 10), local(12, 0)))  # ends before
    assert session.view.service.staffing is Staffing.STAFFED


def test_idle_warning_more_time_repeats_at_least_ten_times_with_20_seconds() -> None:
    s = settings(idle_timeout=60.0, idle_warning=20.0)
    session = Session(s)
    session.handle(ev.Tick(0.0))
    identify(session)
    now = 0.0
    for _ in range(12):
        now += 40.0  # the warning appears 20 s before the timeout ...
        effects = session.handle(ev.Tick(now))
        assert fx.PlaySound("attention") in effects  # ... shown and sounded
        assert session.view.idle_warning and session.view.seconds_left == pytest.approx(20.0)
        now += 19.5  # the member answers within the 20 s
        session.handle(ev.Tick(now))
        assert session.state.screen is Screen.MENU
        session.handle(ev.MoreTime())
        assert not session.view.idle_warning
    session.handle(ev.Tick(now + 60.0))
    assert session.state.screen is Screen.GOODBYE


def test_the_config_refuses_an_idle_warning_below_20_seconds() -> None:
    from kiosk.config import parse_config
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError, match="idle_warning"):
        parse_config("[session]\nidle_warning = 15\n")
    config = parse_config(
        '[schedule]\nmonday = ["08:00-12:00 unstaffed"]\n[modes.unstaffed]\npayments = false\n'
    )
    assert config.hours.policy(Staffing.UNSTAFFED).payments is False
    with pytest.raises(ConfigError, match=r"\[schedule\] monday"):
        parse_config('[schedule]\nmonday = ["8-12 open"]\n')


def test_the_speech_section_is_validated() -> None:
    from kiosk.config import parse_config
    from kiosk.errors import ConfigError

    assert parse_config('[speech]\nurl = "fake://"\nkey = 282\n').speech.url == "fake://"
    assert parse_config("").speech.url == ""  # no speech unless configured
    with pytest.raises(ConfigError, match=r"\[speech\] url"):
        parse_config('[speech]\nurl = "festival://"\n')


def _pad_session(policy: dict[str, str], returning: bool):  # type: ignore[no-untyped-def]
    from kiosk.core.pad_model import ItemsOnPad, PadItem

    hours = parse_service_hours(
        {"schedule": {"timezone": "UTC", "monday": ["08:00-22:00 unstaffed"]}, "modes": {"unstaffed": policy}}
    )
    session = Session(settings(hours=hours, pin="never", receipt="ask"))
    session.handle(ev.Tick(0.0))
    session.handle(ev.WallClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)))
    assert session.view.service.staffing is Staffing.UNSTAFFED
    identify(session)
    session.handle(ev.StartReturn() if returning else ev.StartBorrow())
    session.handle(ItemsOnPad((PadItem("A", ("E004015000000001",)),)))
    if returning:
        session.handle(ev.ItemCheckedIn(sid(session), "A", "Title A"))
    else:
        session.handle(ev.ItemCheckedOut(sid(session), "A", "Title A"))
    return session


@pytest.mark.parametrize(
    ("rule", "note"),
    [("desk", "rfid.security_not_set"), ("drop_box", "unstaffed.drop_box"), ("accept", None)],
)
def test_an_unsecured_return_follows_the_mode_policy(rule: str, note: str | None) -> None:
    from kiosk.core.pad_model import SECURE, PadSecurityResult

    session = _pad_session({"unsecured_return": rule}, returning=True)
    session.handle(PadSecurityResult(sid(session), "A", SECURE, False, "failed"))
    line = session.state.line(LineKind.RETURN, "A")
    assert line is not None and line.status is LineStatus.DONE
    assert [n.key for n in line.notes] == ([note] if note else [])


@pytest.mark.parametrize(
    ("rule", "note"), [("desk", "rfid.security_still_on"), ("keep", "rfid.security_gate_warning")]
)
def test_an_unsecured_loan_follows_the_mode_policy(rule: str, note: str) -> None:
    from kiosk.core.pad_model import RELEASE, PadSecurityResult

    session = _pad_session({"unsecured_loan": rule}, returning=False)
    session.handle(PadSecurityResult(sid(session), "A", RELEASE, False, "failed"))
    line = session.state.line(LineKind.LOAN, "A")
    assert line is not None and [n.key for n in line.notes] == [note]
    # a password-protected tag is a configuration fault: the desk, whatever the policy
    session.handle(PadSecurityResult(sid(session), "A", RELEASE, False, "password"))
    line = session.state.line(LineKind.LOAN, "A")
    assert line is not None and line.notes[-1].key == "rfid.security_password"
