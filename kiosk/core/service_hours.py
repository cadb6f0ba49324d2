"""Service hours and per-mode policy from configuration (the ``[schedule]`` and ``[modes.*]`` tables).

Pure: takes the already-parsed TOML as a dict, returns frozen dataclasses, raises
:class:`~kiosk.errors.ConfigError` naming the file, the key and what was expected. See docs/unstaffed.md
for the format. Example::

    [schedule]
    timezone = "Europe/Amsterdam"
    closing_warning_minutes = 10
    last_session_minutes = 1
    monday = ["08:00-10:00 unstaffed", "10:00-17:30 staffed", "17:30-22:00 unstaffed"]
    sunday = []                       # a day left out or empty is closed

    [[schedule.exceptions]]
    date = 2026-12-25                 # a TOML date or "YYYY-MM-DD"; add `until` for a range (inclusive)
    name = "Eerste Kerstdag"
    hours = []                        # closed

    [modes.unstaffed]
    payments = true
    offline_loans = false
    desk_texts = { "notice.desk" = "unstaffed.notice_desk" }
    unsecured_loan = "cancel"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, tzinfo
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.core.schedule import Change, DayException, DayPlan, Period, Schedule, Staffing
from kiosk.errors import ConfigError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s+([a-z]+)\s*$")
_MESSAGE_KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
UNSECURED_LOAN = ("desk", "cancel", "keep")  # security not switched off on a loan
UNSECURED_RETURN = ("desk", "drop_box", "accept")  # security not switched on after a return
SCHEDULE_KEYS = {"timezone", "closing_warning_minutes", "last_session_minutes", "exceptions", *DAYS}
EXCEPTION_KEYS = {"date", "until", "name", "hours"}


@dataclass(frozen=True)
class ModePolicy:
    """What the kiosk offers in one service mode, and how it words what would send someone to the desk.

    ``desk_texts`` maps a catalog key that names the desk (``"notice.desk"``) to the key said instead
    (``"unstaffed.notice_desk"``). ``unsecured_loan``: what happens to a borrowed item whose security
    could not be switched off — ``desk`` (ask staff), ``cancel`` (undo the loan, leave the item),
    ``keep`` (lend it and warn that the gate may sound). ``unsecured_return``: for a returned item whose
    security could not be switched on — ``desk``, ``drop_box`` (put it in the return bin), ``accept``.
    """

    borrow: bool = True
    returns: bool = True
    renew: bool = True
    payments: bool = True
    hold_pickup: bool = True  # borrowing items that wait on the hold shelf for this member
    offline_loans: bool = True  # loans while the ILS is unreachable (queued)
    desk_texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    unsecured_loan: str = "desk"
    unsecured_return: str = "desk"

    def text_key(self, key: str) -> str:
        """The catalog key to show/speak for ``key`` in this mode (desk referrals replaced)."""
        return self.desk_texts.get(key, key)

    @property
    def any_service(self) -> bool:
        """True when at least one function is offered."""
        return self.borrow or self.returns or self.renew or self.payments


STAFFED_POLICY = ModePolicy()
UNSTAFFED_POLICY = ModePolicy(
    offline_loans=False,
    desk_texts=MappingProxyType(
        {
            **{
                key: "unstaffed.notice_desk"
                for key in (
                    "notice.desk",
                    "help.staff",
                    "error.blocked",
                    "error.card_lost",
                    "error.expired",
                    "error.pin_tries",
                    "payment.unknown",
                    "payment.not_recorded",
                )
            },
            **{key: "unstaffed.come_back" for key in ("item.refused", "offline.loan_limit")},
            **{key: "unstaffed.drop_box" for key in ("return.refused", "offline.storage_failed")},
        }
    ),
    unsecured_loan="cancel",
    unsecured_return="drop_box",
)
CLOSED_POLICY = ModePolicy(
    borrow=False, returns=False, renew=False, payments=False, hold_pickup=False, offline_loans=False
)
_BOOLS = ("borrow", "returns", "renew", "payments", "hold_pickup", "offline_loans")


@dataclass(frozen=True)
class ServiceHours:
    """The schedule, the closing warning, and the policy of each mode."""

    schedule: Schedule
    closing_warning_minutes: int = 10
    policies: Mapping[Staffing, ModePolicy] = field(
        default_factory=lambda: MappingProxyType(
            {
                Staffing.STAFFED: STAFFED_POLICY,
                Staffing.UNSTAFFED: UNSTAFFED_POLICY,
                Staffing.CLOSED: CLOSED_POLICY,
            }
        )
    )

    def policy(self, mode: Staffing) -> ModePolicy:
        """The policy of ``mode`` (closed always offers nothing)."""
        return CLOSED_POLICY if mode is Staffing.CLOSED else self.policies[mode]

    def status(self, moment: datetime) -> ServiceStatus:
        """Everything the kiosk needs to know about service at ``moment`` (for the core, health, metrics)."""
        s = self.schedule
        mode = s.mode_at(moment)
        override = s.override if s.override is not None and s.override.active(moment) else None
        return ServiceStatus(
            mode=mode,
            policy=self.policy(mode),
            next_change=s.next_change(moment),
            closing_in_minutes=s.closing_countdown(moment, self.closing_warning_minutes),
            may_start_session=s.may_start_session(moment),
            next_opening=None if mode.open else s.next_opening(moment),
            override_until=override.until if override is not None else None,
            timezone=s.timezone,
        )


@dataclass(frozen=True)
class ServiceStatus:
    """A snapshot of the service at one moment; instants are in UTC."""

    mode: Staffing
    policy: ModePolicy
    next_change: Change | None
    closing_in_minutes: int | None  # set from closing_warning_minutes before closing
    may_start_session: bool
    next_opening: datetime | None  # while closed
    override_until: datetime | None  # while a technician's override is in force
    timezone: tzinfo = UTC  # the schedule's zone: how the library's clock shows these instants

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the health endpoint and the maintenance panel."""
        return {
            "mode": self.mode.value,
            "next_change": self.next_change.at.isoformat() if self.next_change else None,
            "next_mode": self.next_change.mode.value if self.next_change else None,
            "closing_in_minutes": self.closing_in_minutes,
            "may_start_session": self.may_start_session,
            "next_opening": self.next_opening.isoformat() if self.next_opening else None,
            "override_until": self.override_until.isoformat() if self.override_until else None,
        }


ALWAYS_STAFFED = DayPlan((Period(0, 24 * 60, Staffing.STAFFED),))


def parse_service_hours(data: Mapping[str, Any], source: str = "config.toml") -> ServiceHours:
    """Build :class:`ServiceHours` from the parsed TOML (the whole file's dict).

    Without a ``[schedule]`` table the kiosk is staffed around the clock (today's behaviour).
    """
    err = _Errors(source)
    raw = data.get("schedule")
    modes = data.get("modes", {})
    if not isinstance(modes, Mapping):
        raise err("[modes]", "a table with [modes.staffed] and/or [modes.unstaffed]", modes)
    policies = {mode: _policy(modes, mode, err) for mode in (Staffing.STAFFED, Staffing.UNSTAFFED)}
    unknown_modes = sorted(set(modes) - {"staffed", "unstaffed"})
    if unknown_modes:
        raise err(
            f"[modes.{unknown_modes[0]}]",
            "modes.staffed or modes.unstaffed (closed offers nothing)",
            unknown_modes[0],
        )
    if raw is None:
        schedule = Schedule(ZoneInfo("Europe/Amsterdam"), (ALWAYS_STAFFED,) * 7)
        return ServiceHours(schedule, 10, MappingProxyType({**policies, Staffing.CLOSED: CLOSED_POLICY}))
    if not isinstance(raw, Mapping):
        raise err("[schedule]", "a table", raw)
    unknown = sorted(set(raw) - SCHEDULE_KEYS)
    if unknown:
        raise err(f"[schedule] {unknown[0]}", "one of " + ", ".join(sorted(SCHEDULE_KEYS)), unknown[0])
    zone_name = raw.get("timezone", "Europe/Amsterdam")
    try:
        if not isinstance(zone_name, str):
            raise ValueError
        zone = ZoneInfo(zone_name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise err("[schedule] timezone", "an IANA time zone, e.g. Europe/Amsterdam", zone_name) from None
    warn = _int(raw, "closing_warning_minutes", 10, 0, 120, err)
    last = _int(raw, "last_session_minutes", 1, 0, 60, err)
    week = tuple(_day_plan(raw.get(day, []), f"[schedule] {day}", err) for day in DAYS)
    exceptions = raw.get("exceptions", [])
    if not isinstance(exceptions, list):
        raise err("[schedule] exceptions", "an array of tables ([[schedule.exceptions]])", exceptions)
    parsed = tuple(_exception(item, i, err) for i, item in enumerate(exceptions))
    schedule = Schedule(zone, week, parsed, None, last)
    return ServiceHours(schedule, warn, MappingProxyType({**policies, Staffing.CLOSED: CLOSED_POLICY}))


class _Errors:
    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(self, key: str, expected: str, got: object) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: expected {expected}, got {got!r}")


def _int(table: Mapping[str, Any], key: str, default: int, low: int, high: int, err: _Errors) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise err(f"[schedule] {key}", f"a whole number from {low} to {high}", value)
    return value


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def _day_plan(value: object, key: str, err: _Errors) -> DayPlan:
    expected = 'a list of "HH:MM-HH:MM mode" (mode: staffed or unstaffed), e.g. ["10:00-17:30 staffed"]'
    if not isinstance(value, list):
        raise err(key, expected, value)
    periods = []
    for i, text in enumerate(value):
        m = _PERIOD.match(text) if isinstance(text, str) else None
        start = _minutes(m.group(1), m.group(2)) if m else None
        end = _minutes(m.group(3), m.group(4)) if m else None
        if m is None or start is None or end is None:
            raise err(f"{key}[{i}]", expected, text)
        if m.group(5) not in ("staffed", "unstaffed", "closed"):
            raise err(f"{key}[{i}]", "mode staffed, unstaffed or closed", m.group(5))
        if start >= end:
            raise err(f"{key}[{i}]", "a start before the end (24:00 is the end of the day)", text)
        periods.append(Period(start, end, Staffing(m.group(5))))  # "closed" acts as a gap
    try:
        return DayPlan(tuple(periods))
    except ValueError as exc:
        raise err(key, "periods that do not overlap", str(exc)) from None


def _date(value: object, key: str, err: _Errors) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise err(key, "a date such as 2026-12-25", value)


def _exception(item: object, index: int, err: _Errors) -> DayException:
    key = f"[[schedule.exceptions]] #{index + 1}"
    if not isinstance(item, Mapping):
        raise err(key, "a table with date, hours (and optional until, name)", item)
    unknown = sorted(set(item) - EXCEPTION_KEYS)
    if unknown:
        raise err(f"{key} {unknown[0]}", "one of " + ", ".join(sorted(EXCEPTION_KEYS)), unknown[0])
    if "date" not in item:
        raise err(f"{key} date", "a date such as 2026-12-25", None)
    first = _date(item["date"], f"{key} date", err)
    last = _date(item["until"], f"{key} until", err) if "until" in item else first
    if last < first:
        raise err(f"{key} until", f"a date on or after {first.isoformat()}", last.isoformat())
    name = item.get("name", "")
    if not isinstance(name, str):
        raise err(f"{key} name", "text", name)
    return DayException(first, last, _day_plan(item.get("hours", []), f"{key} hours", err), name)


def _policy(modes: Mapping[str, Any], mode: Staffing, err: _Errors) -> ModePolicy:
    base = STAFFED_POLICY if mode is Staffing.STAFFED else UNSTAFFED_POLICY
    table = modes.get(mode.value, {})
    where = f"[modes.{mode.value}]"
    if not isinstance(table, Mapping):
        raise err(where, "a table", table)
    known = {f.name for f in fields(ModePolicy)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise err(f"{where} {unknown[0]}", "one of " + ", ".join(sorted(known)), unknown[0])
    values: dict[str, Any] = {}
    for name in _BOOLS:
        value = table.get(name, getattr(base, name))
        if not isinstance(value, bool):
            raise err(f"{where} {name}", "true or false", value)
        values[name] = value
    for name, choices in (("unsecured_loan", UNSECURED_LOAN), ("unsecured_return", UNSECURED_RETURN)):
        value = table.get(name, getattr(base, name))
        if value not in choices:
            raise err(f"{where} {name}", "one of " + ", ".join(choices), value)
        values[name] = value
    texts = table.get("desk_texts", base.desk_texts)
    if not isinstance(texts, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and _MESSAGE_KEY.match(k) and _MESSAGE_KEY.match(v)
        for k, v in texts.items()
    ):
        raise err(
            f"{where} desk_texts", 'a table of message keys, e.g. { "notice.desk" = "unstaffed.x" }', texts
        )
    values["desk_texts"] = MappingProxyType(dict(texts))
    return ModePolicy(**values)
