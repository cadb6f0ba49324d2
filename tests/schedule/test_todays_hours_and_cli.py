"""Technician-facing defects from the try-out: one definition of opening hours (the schedule), and
technician commands that always answer in JSON, with times in the library's local time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import config_as_dict, parse_config
from kiosk.store.statelock import StateLock
from kiosk.ui.settings import UiSettings

SITE = '[site]\nopening_hours = ["09:00-17:30", "09:00-20:00", "", "", "", "", ""]\n'
SCHEDULE = (
    '[schedule]\ntimezone = "Europe/Amsterdam"\n'
    'monday = ["00:00-02:00 unstaffed", "09:00-12:00 staffed", "12:00-17:00 unstaffed"]\n'
    'tuesday = ["10:00-16:00 staffed"]\n'
    '[[schedule.exceptions]]\ndate = 2026-12-08\nname = "Studiedag"\nhours = []\n'
)


def test_todays_hours_come_from_the_schedule_not_from_site_opening_hours() -> None:
    settings = UiSettings.from_config(parse_config(SITE + SCHEDULE))
    monday = date(2026, 12, 7)
    assert settings.hours_on(monday) == "00:00-02:00, 09:00-17:00"  # unstaffed + staffed are open
    assert settings.hours_on(date(2026, 12, 15)) == "10:00-16:00"  # a Tuesday
    assert settings.hours_on(date(2026, 12, 8)) == ""  # the exception: closed that Tuesday
    assert settings.hours_on(date(2026, 12, 9)) == ""  # a day the schedule leaves out is closed


def test_today_is_the_date_in_the_schedules_time_zone() -> None:
    settings = UiSettings.from_config(parse_config(SCHEDULE))
    # 23:30 UTC on Sunday is 00:30 on Monday in Amsterdam: Monday's hours.
    assert settings.today(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)
    assert settings.hours_today(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == "00:00-02:00, 09:00-17:00"


def test_site_opening_hours_remain_a_fallback_without_a_schedule_and_config_check_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = UiSettings.from_config(parse_config(SITE))
    assert settings.schedule is None and settings.hours_on(date(2026, 12, 8)) == "09:00-20:00"
    path = tmp_path / "config.toml"
    path.write_text(SITE, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert "opening_hours is deprecated" in report["warnings"][0] and "deprecated" in out.err
    assert report["schedule"]["configured"] is False
    path.write_text(SITE + SCHEDULE, encoding="utf-8")
    assert main(["config", "check", str(path)]) == 0
    assert "ignored" in json.loads(capsys.readouterr().out)["warnings"][0]


def test_config_check_prints_schedule_and_modes() -> None:
    report = config_as_dict(parse_config(SCHEDULE + "[modes.unstaffed]\npayments = false\n"))
    schedule = report["schedule"]
    assert schedule["timezone"] == "Europe/Amsterdam"
    assert schedule["monday"] == ["00:00-02:00 unstaffed", "09:00-12:00 staffed", "12:00-17:00 unstaffed"]
    assert schedule["exceptions"] == [
        {"date": "2026-12-08", "until": "2026-12-08", "name": "Studiedag", "hours": []}
    ]
    assert report["modes"]["unstaffed"]["payments"] is False
    assert report["modes"]["staffed"]["payments"] is True
    json.dumps(report)  # plain data


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[store]\npath = "{tmp_path}/state/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f"[monitoring]\nmetrics_port = 0\n{extra}",
        encoding="utf-8",
    )
    return path


def test_maintenance_status_beside_a_running_kiosk_answers_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    (tmp_path / "state").mkdir()
    lock = StateLock.acquire(tmp_path / "state")  # the kiosk that runs here
    try:
        code = main(["maintenance", "status", "--config", str(config)])
    finally:
        lock.release()
    assert code != 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["kiosk_running"] is True and "owns the devices" in answer["error"]
    assert "maintenance screen" in answer["what_to_do"] and "metrics_port" in answer["what_to_do"]
    assert answer["exit"] == code


def test_maintenance_mode_echoes_the_end_in_local_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, SCHEDULE)
    (tmp_path / "state").mkdir()
    assert main(["maintenance", "mode", "staffed", "--until", "03:00", "--config", str(config)]) == 0
    answer = json.loads(capsys.readouterr().out)
    local = datetime.fromisoformat(answer["until"])
    assert (local.hour, local.minute) == (3, 0)  # as typed, in Amsterdam
    offset = local.utcoffset()
    assert offset is not None and offset.total_seconds() in (3600, 7200)  # CET or CEST, never UTC
    assert datetime.fromisoformat(answer["until_utc"]).utcoffset().total_seconds() == 0
    assert datetime.fromisoformat(answer["until_utc"]) == local
    request = json.loads((tmp_path / "state" / "staffing-request.json").read_text())
    assert request["until"] == answer["until_utc"]  # the kiosk keeps the UTC instant
