"""The service clock through the running runtime with a fake wall clock: a technician's request (from
``kiosk maintenance mode``) is applied, kept on disk, and expires by itself while the kiosk runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.cli import main
from kiosk.core import Session
from kiosk.core.service import Staffing
from kiosk.core.service_hours import parse_service_hours
from kiosk.core.state import SessionSettings
from kiosk.runtime import KioskRuntime
from kiosk.service_clock import OVERRIDE_FILE, REQUEST_FILE, ServiceClock, write_request

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_an_override_is_kept_then_expires_while_running(tmp_path: Path) -> None:
    hours = parse_service_hours({"schedule": {"timezone": "UTC", "monday": ["08:00-22:00 staffed"]}})
    runtime = KioskRuntime(Session(SessionSettings(hours=hours)))
    now = [MONDAY_NOON]
    clock = ServiceClock(runtime, tmp_path, clock=lambda: now[0])
    runtime.start()
    try:
        clock.restore()
        runtime.settle(timeout=30)
        assert runtime.service_mode.staffing is Staffing.STAFFED
        write_request(
            tmp_path,
            {
                "mode": "unstaffed",
                "start": now[0].isoformat(),
                "until": (now[0] + timedelta(minutes=30)).isoformat(),
            },
        )
        clock.poll()
        runtime.settle(timeout=30)
        assert runtime.service_mode.staffing is Staffing.UNSTAFFED
        assert json.loads((tmp_path / OVERRIDE_FILE).read_text())["mode"] == "unstaffed"
        assert not (tmp_path / REQUEST_FILE).exists()
        now[0] += timedelta(minutes=30)
        clock.poll()
        runtime.settle(timeout=30)
        assert runtime.service_mode.staffing is Staffing.STAFFED
        assert runtime.service_mode.override is None
        assert not (tmp_path / OVERRIDE_FILE).exists()
    finally:
        runtime.stop()


def test_the_cli_leaves_a_request_for_the_kiosk(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        '[schedule]\ntimezone = "Europe/Amsterdam"\nmonday = ["08:00-22:00 staffed"]\n',
        encoding="utf-8",
    )
    cli = ["--config", str(config)]
    assert main(["maintenance", "mode", "closed", "--until", "2099-01-01T10:00", *cli]) == 0
    request = json.loads((tmp_path / REQUEST_FILE).read_text())
    assert request["mode"] == "closed"
    assert datetime.fromisoformat(request["until"]) == datetime.fromisoformat("2099-01-01T10:00+01:00")
    assert main(["maintenance", "mode", "closed", "--until", "25:99", "--config", str(config)]) == 2
    assert main(["maintenance", "mode", "schedule", "--config", str(config)]) == 0
    assert json.loads((tmp_path / REQUEST_FILE).read_text()) == {"clear": "1"}
