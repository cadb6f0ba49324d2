"""Properties of the schedule for random week plans and random moments in 2025–2028 (both DST changes
of every year included), checked against a plain wall-clock reading of the plan."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.schedule import DayPlan, Period, Schedule, Staffing
from tests.schedule.conftest import AMS

MODES = (Staffing.STAFFED, Staffing.UNSTAFFED, Staffing.CLOSED)
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = int(timedelta(days=4 * 365).total_seconds())


@st.composite
def day_plans(draw: st.DrawFn) -> DayPlan:
    # Boundaries on the quarter hour (so some fall inside 02:00–03:00), each gap given a mode.
    cuts = sorted(draw(st.sets(st.integers(0, 96), min_size=0, max_size=6)))
    periods = []
    for start, end in itertools.pairwise(cuts):
        mode = draw(st.sampled_from(MODES))
        if mode is not Staffing.CLOSED:
            periods.append(Period(start * 15, end * 15, mode))
    return DayPlan(tuple(periods))


schedules = st.builds(
    lambda week, last: Schedule(AMS, tuple(week), last_session_minutes=last),
    st.lists(day_plans(), min_size=7, max_size=7),
    st.integers(0, 5),
)
moments = st.integers(0, SPAN).map(lambda s: START + timedelta(seconds=s))


def dst_day(moment: datetime) -> bool:
    """True on a day with a DST change in Amsterdam (the wall clock skips or repeats an hour)."""
    day = moment.astimezone(AMS).date()
    start = datetime.combine(day, datetime.min.time(), AMS)
    return start.utcoffset() != (start + timedelta(days=1)).utcoffset()


def wall_clock_mode(schedule: Schedule, moment: datetime) -> Staffing:
    wall = moment.astimezone(AMS)
    minute = wall.hour * 60 + wall.minute + wall.second / 60
    for period in schedule.plan_for(wall.date()).periods:
        if period.start <= minute < period.end:
            return period.mode
    return Staffing.CLOSED


@settings(max_examples=150)
@given(schedules, moments)
def test_mode_is_what_the_wall_clock_says_on_ordinary_days(schedule: Schedule, moment: datetime) -> None:
    if not dst_day(moment):
        assert schedule.mode_at(moment) is wall_clock_mode(schedule, moment)


@settings(max_examples=80)
@given(schedules, moments)
def test_next_change_is_the_first_moment_the_mode_differs(schedule: Schedule, moment: datetime) -> None:
    change = schedule.next_change(moment)
    now = schedule.mode_at(moment)
    if change is None:
        for days in (1, 3, 8, 30):
            assert schedule.mode_at(moment + timedelta(days=days)) is now
        return
    assert change.at > moment
    assert change.mode is schedule.mode_at(change.at) and change.mode is not now
    for probe in (moment + (change.at - moment) / 2, change.at - timedelta(seconds=1)):
        if probe >= moment:
            assert schedule.mode_at(probe) is now


@settings(max_examples=80)
@given(schedules, moments, st.integers(1, 30))
def test_countdown_and_session_start_agree_with_next_closing(
    schedule: Schedule, moment: datetime, warn: int
) -> None:
    open_now = schedule.mode_at(moment).open
    closing = schedule.next_closing(moment)
    minutes = schedule.closing_countdown(moment, warn)
    if not open_now or closing is None or closing - moment > timedelta(minutes=warn):
        assert minutes is None
    else:
        assert minutes == max(1, math.ceil((closing - moment).total_seconds() / 60)) and 1 <= minutes <= warn
        assert not schedule.mode_at(closing).open
    last = timedelta(minutes=schedule.last_session_minutes)
    may = open_now and (closing is None or closing - moment > last)
    assert schedule.may_start_session(moment) is may


@settings(max_examples=60)
@given(schedules, moments)
def test_next_opening_goes_from_closed_to_open(schedule: Schedule, moment: datetime) -> None:
    opening = schedule.next_opening(moment)
    if opening is not None:
        assert opening > moment
        assert schedule.mode_at(opening).open
        assert not schedule.mode_at(opening - timedelta(seconds=1)).open


@settings(max_examples=60)
@given(schedules, moments, st.integers(1, 600), st.sampled_from(MODES))
def test_an_override_holds_exactly_until_it_expires(
    schedule: Schedule, moment: datetime, minutes: int, mode: Staffing
) -> None:
    until = moment + timedelta(minutes=minutes)
    overridden = schedule.with_override(mode, moment, until)
    assert overridden.mode_at(moment) is mode
    assert overridden.mode_at(until - timedelta(seconds=1)) is mode
    assert overridden.mode_at(until) is schedule.mode_at(until)
    change = overridden.next_change(moment)
    if schedule.mode_at(until) is not mode:
        assert change is not None and change.at == until
