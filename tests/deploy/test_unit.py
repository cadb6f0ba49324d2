"""deploy/library-kiosk.service: notify + watchdog, secrets by LoadCredential=, cage without -s, and
`systemd-analyze security` ≤ 3.0 (when systemd-analyze is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "library-kiosk.service"


def _settings() -> list[tuple[str, str]]:
    lines = [line.strip() for line in UNIT.read_text().splitlines()]
    return [tuple(line.split("=", 1)) for line in lines if "=" in line and not line.startswith("#")]  # type: ignore[misc]


def test_unit_is_notify_with_watchdog_credentials_and_no_console_switching() -> None:
    settings = _settings()
    values = dict(settings)
    assert values["Type"] == "notify" and int(values["WatchdogSec"]) > 0
    assert values["NotifyAccess"] == "all"  # the kiosk is cage's child
    credentials = {v.split(":")[0] for k, v in settings if k == "LoadCredential"}
    assert credentials == {"sip2-password", "terminal-password", "queue-key"}
    exec_start = values["ExecStart"]
    assert "/usr/bin/cage -- " in exec_start and not re.search(r"cage\s+-s\b", exec_start)
    assert ("Environment", "KIOSK_CONFIG=/etc/library-kiosk/config.toml") in settings
    assert values["DevicePolicy"] == "closed" and values["ProtectSystem"] == "strict"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_security_rates_the_unit_at_most_3() -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    if match is None and "offline" in result.stderr:
        pytest.skip("this systemd-analyze has no --offline mode")
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= 3.0
