"""Parsing [schedule] and [modes.*]: the documented example, defaults, per-mode policy, and a clear error
(file, key, expectation) for every kind of bad input."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from kiosk.core.schedule import Staffing
from kiosk.core.service_hours import CLOSED_POLICY, ModePolicy, parse_service_hours
from kiosk.errors import ConfigError
from kiosk.i18n import Translator
from tests.schedule.conftest import docs_example, local


def test_the_documented_example_parses() -> None:
    hours = parse_service_hours(docs_example(), source="docs/unstaffed.md")
    s = hours.schedule
    assert hours.closing_warning_minutes == 10 and s.last_session_minutes == 1
    assert [str(p) for p in s.week[0].periods] == [
        "08:00-13:00 unstaffed",
        "13:00-17:00 staffed",
        "17:00-22:00 unstaffed",
    ]
    assert s.week[6].periods == ()
    assert [e.name for e in s.exceptions] == ["Kerstavond", "Kerstdagen", "Koningsdag"]
    unstaffed = hours.policy(Staffing.UNSTAFFED)
    assert unstaffed.payments and unstaffed.hold_pickup and not unstaffed.offline_loans
    assert unstaffed.text_key("notice.desk") == "unstaffed.notice_desk"
    assert unstaffed.text_key("borrow.title") == "borrow.title"
    assert (unstaffed.unsecured_loan, unstaffed.unsecured_return) == ("cancel", "drop_box")
    assert hours.policy(Staffing.STAFFED) == ModePolicy()
    assert hours.policy(Staffing.CLOSED) is CLOSED_POLICY and not CLOSED_POLICY.any_service


def test_without_a_schedule_the_kiosk_is_staffed_around_the_clock() -> None:
    hours = parse_service_hours({})
    assert hours.schedule.mode_at(local(2026, 12, 25, 3, 0)) is Staffing.STAFFED
    assert hours.schedule.may_start_session(local(2026, 12, 25, 23, 59, 59))


def test_policies_are_frozen() -> None:
    policy = parse_service_hours(docs_example()).policy(Staffing.UNSTAFFED)
    with pytest.raises(AttributeError):
        policy.payments = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.desk_texts["x.y"] = "z.w"  # type: ignore[index]


def test_every_default_desk_replacement_has_a_text_in_every_language() -> None:
    keys = set(parse_service_hours(docs_example()).policy(Staffing.UNSTAFFED).desk_texts.values())
    keys |= {"unstaffed.drop_box", "unstaffed.come_back"}
    for lang in ("nl", "en", "de", "tr"):
        t = Translator(lang)
        for key in keys:
            assert t.has(key), f"{lang}: {key}"


def edit(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(docs_example())
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("schedule.monday", "08:00-22:00 staffed", r"\[schedule\] monday: expected a list of \"HH:MM"),
        ("schedule.monday", ["8-22 staffed"], r"monday\[0\]: expected a list"),
        ("schedule.monday", ["08:00-22:00 open"], r"monday\[0\]: expected mode staffed, unstaffed or closed"),
        ("schedule.monday", ["22:00-08:00 staffed"], r"monday\[0\]: expected a start before the end"),
        ("schedule.monday", ["08:00-24:30 staffed"], r"monday\[0\]"),
        ("schedule.monday", ["08:61-09:00 staffed"], r"monday\[0\]"),
        ("schedule.monday", ["08:00-12:00 staffed", "11:00-13:00 unstaffed"], r"monday: expected periods th"),
        ("schedule.monday", ["08:00-12:00 staffed", "11:00-13:00 closed"], r"monday: expected periods th"),
        ("schedule.munday", [], r"\[schedule\] munday: expected one of"),
        ("schedule.timezone", "Europe/Wierden", r"timezone: expected an IANA time zone"),
        ("schedule.timezone", "Europe", r"timezone: expected an IANA time zone"),
        ("schedule.closing_warning_minutes", "10", r"closing_warning_minutes: expected a whole number fr"),
        ("schedule.last_session_minutes", 99, r"last_session_minutes: expected a whole number from 0 to 60"),
        ("schedule.exceptions", {"date": "2026-12-25"}, r"exceptions: expected an array of tables"),
        ("schedule.exceptions.0.date", "25-12-2026", r"exceptions\]\] #1 date: expected a date such as"),
        ("schedule.exceptions.0.date", KeyError, r"#1 date: expected a date"),
        ("schedule.exceptions.1.until", "2026-12-01", r"#2 until: expected a date on or after 2026-12-25"),
        ("schedule.exceptions.2.hours", ["whenever"], r"#3 hours\[0\]: expected a list"),
        ("schedule.exceptions.2.closed", True, r"#3 closed: expected one of date, hours, name, until"),
        (
            "modes.unstaffed.payments",
            "yes",
            r"\[modes.unstaffed\] payments: expected true or false, got 'yes'",
        ),
        ("modes.unstaffed.printing", True, r"\[modes.unstaffed\] printing: expected one of"),
        ("modes.unstaffed.unsecured_loan", "alarm", r"unsecured_loan: expected one of desk, cancel, keep"),
        (
            "modes.staffed.unsecured_return",
            "shelf",
            r"unsecured_return: expected one of desk, drop_box, accept",
        ),
        ("modes.unstaffed.desk_texts", {"notice.desk": "Bel 0546"}, r"desk_texts: expected a table of mes"),
        ("modes.closed", {"returns": True}, r"\[modes.closed\]: expected modes.staffed or modes.unstaffed"),
    ],
)
def test_bad_configuration_is_refused_with_file_key_and_expectation(
    path: str, value: Any, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_service_hours(edit(path, value), source="/etc/kiosk/config.toml")
    assert str(caught.value).startswith("/etc/kiosk/config.toml: ")


def test_dates_may_be_strings_and_closed_periods_are_gaps() -> None:
    data = {
        "schedule": {
            "monday": ["08:00-12:00 staffed", "12:00-13:00 closed", "13:00-17:00 staffed"],
            "exceptions": [{"date": "2026-12-07", "hours": ["10:00-12:00 unstaffed"]}],
        }
    }
    s = parse_service_hours(data).schedule
    assert s.mode_at(local(2026, 11, 30, 12, 30)) is Staffing.CLOSED
    assert s.mode_at(local(2026, 11, 30, 13, 0)) is Staffing.STAFFED
    assert s.mode_at(local(2026, 12, 7, 9, 0)) is Staffing.CLOSED
    assert s.mode_at(local(2026, 12, 7, 11, 0)) is Staffing.UNSTAFFED


def test_status_snapshot_for_core_health_and_metrics() -> None:
    hours = parse_service_hours(docs_example())
    closing = hours.status(local(2026, 11, 30, 21, 55))
    assert closing.mode is Staffing.UNSTAFFED and closing.closing_in_minutes == 5
    assert closing.may_start_session and closing.next_opening is None
    assert closing.policy.text_key("notice.desk") == "unstaffed.notice_desk"
    assert closing.as_dict() == {
        "mode": "unstaffed",
        "next_change": "2026-11-30T21:00:00+00:00",
        "next_mode": "closed",
        "closing_in_minutes": 5,
        "may_start_session": True,
        "next_opening": None,
        "override_until": None,
    }
    night = hours.status(local(2026, 11, 30, 23, 0))
    assert night.mode is Staffing.CLOSED and not night.policy.any_service
    assert night.next_opening == local(2026, 12, 1, 8, 0) and not night.may_start_session
    overridden = replace(
        hours,
        schedule=hours.schedule.with_override(
            Staffing.STAFFED, local(2026, 11, 30, 23, 0), local(2026, 12, 1, 1, 0)
        ),
    )
    status = overridden.status(local(2026, 11, 30, 23, 30))
    assert status.mode is Staffing.STAFFED and status.override_until == local(2026, 12, 1, 1, 0)
    assert status.as_dict()["override_until"] == "2026-12-01T00:00:00+00:00"
