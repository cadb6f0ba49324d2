"""Service hours: which mode the kiosk is in at a given moment — staffed, unstaffed (Open+) or closed.

Pure: no clock is read and nothing is written; every question takes the moment as an aware ``datetime``.
The schedule is written in the library's local wall time (``"10:00-17:30 staffed"``) and turned into
instants with :mod:`zoneinfo`, so it stays right across the daylight-saving changes:

* a boundary that falls in the spring-forward gap (02:00–03:00 on the last Sunday of March in
  Europe/Amsterdam) takes effect at the moment of the change, 03:00 CEST;
* a boundary in the repeated hour of October takes effect at its first occurrence (CEST); the mode
  does not flip back when the clock repeats the hour.

Every instant this module returns is in UTC (``.astimezone(schedule.timezone)`` to show it): Python
subtracts two datetimes of one zone by wall time, which would be an hour off across a DST change.

Precedence: a technician's :class:`Override` while it lasts, then a dated :class:`DayException`
(holiday, special day), then the weekly plan. A moment outside every period is ``closed``.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MINUTES_PER_DAY = 24 * 60
HORIZON_DAYS = 400  # how far ahead next_change() looks before answering "never"


class Staffing(enum.Enum):
    """What kind of service the library gives at the moment."""

    STAFFED = "staffed"  # staff at the desk
    UNSTAFFED = "unstaffed"  # Open+: the building is open, nobody at the desk; the kiosk is the service point
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        """True for staffed and unstaffed."""
        return self is not Staffing.CLOSED


@dataclass(frozen=True, slots=True)
class Period:
    """``start``–``end`` (minutes after local midnight, ``end`` up to 1440 = 24:00) in ``mode``."""

    start: int
    end: int
    mode: Staffing

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"period {self.start}-{self.end}: expected 0 <= start < end <= 1440 minutes")

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)} {self.mode.value}"


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The periods of one day, sorted and not overlapping."""

    periods: tuple[Period, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.periods, key=lambda p: p.start))
        for before, after in itertools.pairwise(ordered):
            if after.start < before.end:
                raise ValueError(f"periods {before} and {after} overlap")
        object.__setattr__(self, "periods", ordered)


CLOSED_DAY = DayPlan()


@dataclass(frozen=True, slots=True)
class DayException:
    """A holiday or special day (``first``..``last`` inclusive) with its own plan (empty = closed)."""

    first: date
    last: date
    plan: DayPlan = CLOSED_DAY
    name: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"exception {self.name or self.first}: ends before it starts")

    def covers(self, day: date) -> bool:
        """True when ``day`` falls in this exception."""
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Override:
    """A technician's mode from ``start`` until ``until`` (both aware), whatever the schedule says."""

    mode: Staffing
    start: datetime
    until: datetime
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _aware(self.start))  # kept in UTC, like every instant here
        object.__setattr__(self, "until", _aware(self.until))
        if self.until <= self.start:
            raise ValueError("an override must end after it starts")

    def active(self, moment: datetime) -> bool:
        """True while the override lasts (it expires by itself at ``until``)."""
        return self.start <= _aware(moment) < self.until

    def as_dict(self) -> dict[str, str]:
        """Plain data to keep across a restart (ISO 8601 with offset)."""
        return {
            "mode": self.mode.value,
            "start": self.start.isoformat(),
            "until": self.until.isoformat(),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Override:
        """The inverse of :meth:`as_dict` (raises ValueError/KeyError on bad data)."""
        return cls(
            Staffing(data["mode"]),
            datetime.fromisoformat(data["start"]),
            datetime.fromisoformat(data["until"]),
            data.get("reason", ""),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """The mode becomes ``mode`` at ``at``."""

    at: datetime
    mode: Staffing


@dataclass(frozen=True, slots=True)
class Schedule:
    """A weekly plan (Monday first) in local wall time, dated exceptions, and perhaps an override."""

    timezone: tzinfo
    week: tuple[DayPlan, ...]
    exceptions: tuple[DayException, ...] = ()
    override: Override | None = None
    last_session_minutes: int = 1  # no new session this close to closing

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week plan has 7 days, Monday first")
        if self.last_session_minutes < 0:
            raise ValueError("last_session_minutes must not be negative")

    # -- changing the schedule (returns a new one) ------------------------------------------------------

    def with_override(self, mode: Staffing, start: datetime, until: datetime, reason: str = "") -> Schedule:
        """This schedule with a technician's override (replacing any earlier one)."""
        return replace(self, override=Override(mode, start, until, reason))

    def without_override(self) -> Schedule:
        """This schedule with the override cleared."""
        return replace(self, override=None)

    # -- questions ------------------------------------------------------------------------------------

    def plan_for(self, day: date) -> DayPlan:
        """The plan of one local date: the first exception covering it, else the weekday's plan."""
        for exception in self.exceptions:
            if exception.covers(day):
                return exception.plan
        return self.week[day.weekday()]

    def scheduled_mode(self, moment: datetime) -> Staffing:
        """The mode the schedule gives (ignoring any override)."""
        moment = _aware(moment)
        local_day = moment.astimezone(self.timezone).date()
        for day in (local_day - timedelta(days=1), local_day):
            for start, end, mode in self._segments(day):
                if start <= moment < end:
                    return mode
        return Staffing.CLOSED

    def mode_at(self, moment: datetime) -> Staffing:
        """The mode at ``moment``: the override while it lasts, else the schedule."""
        if self.override is not None and self.override.active(moment):
            return self.override.mode
        return self.scheduled_mode(moment)

    def next_change(self, moment: datetime) -> Change | None:
        """The first moment after ``moment`` at which the mode differs, or None (not within ~a year)."""
        current = self.mode_at(moment)
        for point in self._boundaries_after(moment):
            mode = self.mode_at(point)
            if mode is not current:
                return Change(point, mode)
        return None

    def next_opening(self, moment: datetime) -> datetime | None:
        """The start of the next open period (closed → staffed/unstaffed) after ``moment``."""
        previous = self.mode_at(moment)
        for point in self._boundaries_after(moment):
            mode = self.mode_at(point)
            if mode.open and not previous.open:
                return point
            previous = mode
        return None

    def next_closing(self, moment: datetime) -> datetime | None:
        """When the library next closes (staffed → unstaffed is not a closing), or None."""
        previous = self.mode_at(moment)
        for point in self._boundaries_after(moment):
            mode = self.mode_at(point)
            if previous.open and not mode.open:
                return point
            previous = mode
        return None

    def closing_countdown(self, moment: datetime, warn_minutes: int) -> int | None:
        """Whole minutes until closing (rounded up, at least 1) when it is ``warn_minutes`` or less away;
        None when closed, or when closing is further off."""
        moment = _aware(moment)
        if not self.mode_at(moment).open:
            return None
        closing = self._closing_within(moment, timedelta(minutes=warn_minutes))
        if closing is None:
            return None
        return max(1, math.ceil((closing - moment).total_seconds() / 60))

    def may_start_session(self, moment: datetime) -> bool:
        """True when the kiosk is open and closing is more than ``last_session_minutes`` away."""
        if not self.mode_at(moment).open:
            return False
        return self._closing_within(moment, timedelta(minutes=self.last_session_minutes)) is None

    # -- internals ------------------------------------------------------------------------------------

    def _closing_within(self, moment: datetime, window: timedelta) -> datetime | None:
        moment = _aware(moment)
        limit = moment + window
        previous = self.mode_at(moment)
        for point in self._boundaries_after(moment):
            if point > limit:
                return None
            mode = self.mode_at(point)
            if previous.open and not mode.open:
                return point
            previous = mode
        return None

    def _segments(self, day: date) -> Iterator[tuple[datetime, datetime, Staffing]]:
        for period in self.plan_for(day).periods:
            yield (
                local_instant(self.timezone, day, period.start),
                local_instant(self.timezone, day, period.end),
                period.mode,
            )

    def _boundaries_after(self, moment: datetime) -> Iterator[datetime]:
        """Every instant after ``moment`` at which the mode may change, in order, up to the horizon."""
        moment = _aware(moment)
        extra = sorted(p for p in self._override_points() if p > moment)
        first_day = moment.astimezone(self.timezone).date() - timedelta(days=1)
        lower = moment
        for offset in range(0, HORIZON_DAYS, 7):
            window_end = local_instant(self.timezone, first_day + timedelta(days=offset + 7), 0)
            points = {p for p in extra if lower < p <= window_end}
            # Day offset + 7 too: a period starting at its midnight starts exactly at window_end, which
            # the next window (``lower < p``) no longer takes.
            for k in range(offset, offset + 8):
                for start, end, _ in self._segments(first_day + timedelta(days=k)):
                    points.update(p for p in (start, end) if lower < p <= window_end)
            yield from sorted(points)
            lower = window_end

    def _override_points(self) -> tuple[datetime, ...]:
        return () if self.override is None else (self.override.start, self.override.until)


def local_instant(zone: tzinfo, day: date, minute: int) -> datetime:
    """The instant a wall clock in ``zone`` shows ``minute`` (after midnight; 1440 = next midnight) on
    ``day``: the first occurrence in the repeated autumn hour, the moment of the change for a time
    the spring change skips."""
    day, minute = day + timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    first = naive.replace(tzinfo=zone, fold=0)
    if _wall(first, zone) == naive:
        return first.astimezone(UTC)
    # In a gap: search the first whole second whose wall time is at or after ``naive``.
    low, high = sorted(int(naive.replace(tzinfo=zone, fold=f).timestamp()) for f in (0, 1))
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _wall(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    """``moment`` in UTC. Python compares and subtracts two datetimes of the *same* zone by their wall
    time (ignoring ``fold``), which is wrong across a DST change; in UTC it is always right."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("service hours need an aware datetime (with a time zone), got a naive one")
    return moment.astimezone(UTC)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
