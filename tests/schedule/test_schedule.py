"""The mode table, next change/opening, the closing countdown, holidays, overrides and DST, on the
Bibliotheek Wierden example from docs/unstaffed.md (time is passed in; no clock is read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.schedule import DayPlan, Override, Period, Schedule, Staffing, local_instant
from kiosk.core.service_hours import ServiceHours
from tests.schedule.conftest import AMS, local

STAFFED, UNSTAFFED, CLOSED = Staffing.STAFFED, Staffing.UNSTAFFED, Staffing.CLOSED


@pytest.mark.parametrize(
    ("moment", "mode"),
    [
        (local(2026, 11, 30, 7, 59), CLOSED),  # Monday before opening
        (local(2026, 11, 30, 8, 0), UNSTAFFED),
        (local(2026, 11, 30, 12, 59, 59), UNSTAFFED),
        (local(2026, 11, 30, 13, 0), STAFFED),
        (local(2026, 11, 30, 17, 0), UNSTAFFED),
        (local(2026, 11, 30, 21, 59, 59), UNSTAFFED),
        (local(2026, 11, 30, 22, 0), CLOSED),
        (local(2026, 12, 3, 19, 30), STAFFED),  # Thursday late staffed evening
        (local(2026, 12, 5, 16, 0), UNSTAFFED),  # Saturday afternoon
        (local(2026, 12, 6, 12, 0), CLOSED),  # Sunday
    ],
)
def test_mode_table(wierden: ServiceHours, moment: datetime, mode: Staffing) -> None:
    assert wierden.schedule.mode_at(moment) is mode
    assert wierden.schedule.mode_at(moment.astimezone(UTC)) is mode  # any zone in, same answer


def test_next_change_and_next_opening(wierden: ServiceHours) -> None:
    s = wierden.schedule
    change = s.next_change(local(2026, 11, 30, 9, 0))
    assert change is not None and (change.at, change.mode) == (local(2026, 11, 30, 13, 0), STAFFED)
    assert s.next_change(local(2026, 11, 30, 13, 0)).at == local(2026, 11, 30, 17, 0)  # type: ignore[union-attr]
    # Saturday evening → closed Sunday → Monday 08:00
    assert s.next_opening(local(2026, 12, 5, 18, 0)) == local(2026, 12, 7, 8, 0)
    # while open, the next opening is the one after the coming closing
    assert s.next_opening(local(2026, 11, 30, 9, 0)) == local(2026, 12, 1, 8, 0)
    assert s.next_closing(local(2026, 11, 30, 9, 0)) == local(2026, 11, 30, 22, 0)  # 13:00, 17:00 are not


def test_closing_countdown(wierden: ServiceHours) -> None:
    s, warn = wierden.schedule, wierden.closing_warning_minutes
    assert warn == 10
    assert s.closing_countdown(local(2026, 11, 30, 21, 49, 59), warn) is None
    assert s.closing_countdown(local(2026, 11, 30, 21, 50), warn) == 10
    assert s.closing_countdown(local(2026, 11, 30, 21, 50, 30), warn) == 10  # 9.5 minutes: rounded up
    assert s.closing_countdown(local(2026, 11, 30, 21, 55), warn) == 5
    assert s.closing_countdown(local(2026, 11, 30, 21, 59, 59), warn) == 1
    assert s.closing_countdown(local(2026, 11, 30, 22, 0), warn) is None  # closed now
    assert s.closing_countdown(local(2026, 11, 30, 16, 55), warn) is None  # staffed → unstaffed


def test_no_new_session_in_the_last_minute(wierden: ServiceHours) -> None:
    s = wierden.schedule
    assert s.may_start_session(local(2026, 11, 30, 21, 58, 59))
    assert not s.may_start_session(local(2026, 11, 30, 21, 59, 0))
    assert not s.may_start_session(local(2026, 11, 30, 21, 59, 30))
    assert not s.may_start_session(local(2026, 11, 30, 22, 0))
    assert s.may_start_session(local(2026, 11, 30, 16, 59, 30))  # only the mode changes at 17:00


def test_holidays_and_special_days(wierden: ServiceHours) -> None:
    s = wierden.schedule
    assert s.mode_at(local(2026, 12, 24, 12, 0)) is UNSTAFFED  # Thursday, but Kerstavond is unstaffed
    assert s.mode_at(local(2026, 12, 24, 17, 0)) is CLOSED
    assert s.mode_at(local(2026, 12, 25, 12, 0)) is CLOSED
    assert s.mode_at(local(2026, 12, 26, 9, 0)) is CLOSED  # `until` is inclusive (a Saturday)
    assert s.next_opening(local(2026, 12, 24, 18, 0)) == local(2026, 12, 28, 8, 0)
    assert s.closing_countdown(local(2026, 12, 24, 16, 52), 10) == 8
    assert s.mode_at(local(2027, 4, 27, 12, 0)) is CLOSED  # Koningsdag, a Tuesday
    assert s.mode_at(local(2027, 4, 28, 12, 0)) is STAFFED


def test_override_wins_then_expires_by_itself(wierden: ServiceHours) -> None:
    s = wierden.schedule.with_override(
        CLOSED, local(2026, 11, 30, 10, 0), local(2026, 11, 30, 14, 0), reason="power cut"
    )
    assert s.mode_at(local(2026, 11, 30, 9, 59)) is UNSTAFFED
    assert s.mode_at(local(2026, 11, 30, 13, 59, 59)) is CLOSED
    assert s.mode_at(local(2026, 11, 30, 14, 0)) is STAFFED  # expired: back to the schedule
    change = s.next_change(local(2026, 11, 30, 11, 0))
    assert change is not None and (change.at, change.mode) == (local(2026, 11, 30, 14, 0), STAFFED)
    assert s.next_opening(local(2026, 11, 30, 11, 0)) == local(2026, 11, 30, 14, 0)
    assert s.closing_countdown(local(2026, 11, 30, 9, 55), 10) == 5  # the override closes at 10:00
    assert s.without_override().mode_at(local(2026, 11, 30, 11, 0)) is UNSTAFFED


def test_override_opens_a_closed_evening_and_counts_down(wierden: ServiceHours) -> None:
    s = wierden.schedule.with_override(UNSTAFFED, local(2026, 12, 6, 14, 0), local(2026, 12, 6, 16, 0))
    assert s.mode_at(local(2026, 12, 6, 15, 0)) is UNSTAFFED  # a Sunday event
    assert s.closing_countdown(local(2026, 12, 6, 15, 57), 10) == 3
    assert not s.may_start_session(local(2026, 12, 6, 15, 59, 30))
    assert s.mode_at(local(2026, 12, 6, 16, 0)) is CLOSED


def test_override_survives_a_restart_as_plain_data() -> None:
    o = Override(CLOSED, local(2026, 3, 29, 1, 0), local(2026, 3, 29, 12, 0), "storm")
    back = Override.from_dict(o.as_dict())
    assert back == o and back.active(local(2026, 3, 29, 11, 59)) and not back.active(local(2026, 3, 29, 12))
    with pytest.raises(ValueError, match="end after"):
        Override(CLOSED, local(2026, 3, 29, 12, 0), local(2026, 3, 29, 12, 0))


def test_naive_times_are_refused(wierden: ServiceHours) -> None:
    with pytest.raises(ValueError, match="aware"):
        wierden.schedule.mode_at(datetime(2026, 11, 30, 12, 0))


def test_wierden_opening_hours_keep_their_wall_time_across_both_dst_changes(wierden: ServiceHours) -> None:
    s = wierden.schedule
    # Friday before the March change opens at 08:00 CET = 07:00 UTC; Monday after at 08:00 CEST = 06:00 UTC.
    assert s.next_opening(local(2026, 3, 26, 23, 0)) == datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    assert s.next_opening(local(2026, 3, 28, 18, 0)) == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert s.next_opening(local(2026, 10, 24, 18, 0)) == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def night(plan: list[Period]) -> Schedule:
    """A schedule open only on Sundays, with the given periods (to put boundaries in the DST hours)."""
    week = (DayPlan(),) * 6 + (DayPlan(tuple(plan)),)
    return Schedule(AMS, week)


def test_march_boundary_in_the_skipped_hour_takes_effect_at_the_change() -> None:
    s = night([Period(2 * 60 + 30, 5 * 60, UNSTAFFED)])  # "02:30-05:00 unstaffed" on 29 March 2026
    change = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 CET becomes 03:00 CEST
    assert s.mode_at(change - timedelta(seconds=1)) is CLOSED
    assert s.mode_at(change) is UNSTAFFED
    assert s.next_opening(datetime(2026, 3, 28, 12, 0, tzinfo=UTC)) == change
    assert local_instant(AMS, change.date(), 150) == change
    assert s.next_closing(change) == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 05:00 CEST


def test_october_boundary_in_the_repeated_hour_takes_effect_once() -> None:
    s = night([Period(2 * 60 + 30, 5 * 60, UNSTAFFED)])  # on 25 October 2026
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, first time round
    assert s.mode_at(first - timedelta(seconds=1)) is CLOSED
    assert s.mode_at(first) is UNSTAFFED
    second_pass = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 02:15 CET: the clock shows 02:15 again
    assert second_pass.astimezone(AMS).hour == 2
    assert s.mode_at(second_pass) is UNSTAFFED  # no flip back
    closing = datetime(2026, 10, 25, 4, 0, tzinfo=UTC)  # 05:00 CET
    assert s.next_change(first) is not None and s.next_change(first).at == closing  # type: ignore[union-attr]
    assert s.closing_countdown(closing - timedelta(minutes=4), 10) == 4


@pytest.mark.parametrize(("day", "hours"), [((2026, 3, 29), 23), ((2026, 10, 25), 25), ((2026, 6, 7), 24)])
def test_a_whole_day_lasts_as_long_as_the_day(day: tuple[int, int, int], hours: int) -> None:
    s = night([Period(0, 24 * 60, STAFFED)])
    start = local(*day)
    assert s.mode_at(start) is STAFFED
    closing = s.next_closing(start)
    assert closing is not None and closing - start == timedelta(hours=hours)


def test_a_schedule_that_never_changes_has_no_next_change() -> None:
    always = Schedule(AMS, (DayPlan((Period(0, 1440, STAFFED),)),) * 7)
    assert always.next_change(local(2026, 1, 1, 12, 0)) is None
    assert always.closing_countdown(local(2026, 1, 1, 23, 59), 10) is None
    never = Schedule(AMS, (DayPlan(),) * 7)
    assert never.next_opening(local(2026, 1, 1, 12, 0)) is None
    assert not never.may_start_session(local(2026, 1, 1, 12, 0))


def test_periods_may_not_overlap() -> None:
    with pytest.raises(ValueError, match="overlap"):
        DayPlan((Period(600, 700, STAFFED), Period(650, 800, UNSTAFFED)))


def test_a_period_starting_at_midnight_a_week_ahead_is_the_next_change() -> None:
    """Found by the property test: the boundary search works in week windows, and a period that began at
    the midnight ending a window was skipped (next_change named its second half, 15 minutes late)."""
    week = [DayPlan(()) for _ in range(7)]
    staffed = Staffing.STAFFED
    week[1] = DayPlan((Period(0, 15, staffed), Period(15, 30, staffed)))  # Tuesday 00:00–00:30
    schedule = Schedule(AMS, tuple(week), last_session_minutes=0)
    wednesday = local(2025, 1, 1)  # the search's first window ends at Tuesday 7 January, midnight
    change = schedule.next_change(wednesday)
    assert change is not None
    assert change.at == local(2025, 1, 7, 0, 0) and change.mode is staffed
    assert schedule.next_opening(wednesday) == local(2025, 1, 7, 0, 0)
