"""deploy/prometheus: every metric the alerting rules and the dashboard use is one the kiosk exports, and
the rules pass their promtool unit tests (when promtool is installed: make deploy-check)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest

from kiosk.monitoring.health import DeviceHealth, HealthSnapshot
from kiosk.monitoring.metrics import KioskMetrics

PROM = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
_NAME = re.compile(r"\b(kiosk_[a-z_]+|process_[a-z_]+)\b(?!\s*[=!~,)])")  # a name, not a label


def _exported() -> set[str]:
    metrics = KioskMetrics()
    metrics.update(HealthSnapshot(devices=(DeviceHealth("terminal", "ok"),)))
    metrics.count_transaction("loan", "ok")
    metrics.observe_ils_latency(0.1)
    text = generate_latest(metrics.registry).decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and line[0] != "#"}


def test_rules_and_dashboard_use_only_exported_metrics() -> None:
    exported = _exported()
    rules = yaml.safe_load((PROM / "kiosk-alerts.yml").read_text())["groups"][0]["rules"]
    used = {name for rule in rules for name in _NAME.findall(rule["expr"])}
    dashboard = json.loads((PROM / "grafana-dashboard.json").read_text())
    used |= {
        name for panel in dashboard["panels"] for t in panel["targets"] for name in _NAME.findall(t["expr"])
    }
    assert used and used <= exported, sorted(used - exported)
    names = {rule["alert"] for rule in rules}
    assert {
        "KioskDown",
        "KioskIlsDown",
        "KioskQueueWaiting",
        "KioskPaymentNeedsStaff",
        "KioskPaperOut",
        "KioskSecurityNotSwitched",
        "KioskIlsLoginRefused",
    } <= names


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (make deploy-check)")
def test_rules_pass_their_promtool_unit_tests() -> None:
    result = subprocess.run(
        ["promtool", "test", "rules", "kiosk-alerts.test.yml"],
        cwd=PROM,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
