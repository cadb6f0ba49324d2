"""Webhook alerts against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.monitoring.alerts import AlertPolicy, WebhookNotifier, rfc3339
from kiosk.monitoring.health import DeviceHealth, HealthSnapshot
from kiosk.monitoring.metrics import KioskMetrics
from kiosk.monitoring.monitor import HealthMonitor
from tests.monitoring.conftest import Receiver

HEALTHY = HealthSnapshot(
    ils_online=True,
    printer_paper="ok",
    payment_enabled=True,
    devices=(DeviceHealth("terminal", "ok"), DeviceHealth("printer", "ok")),
)


class Source:
    """A health source the test changes between ticks."""

    def __init__(self) -> None:
        self.snapshot = HEALTHY

    def __call__(self) -> HealthSnapshot:
        return self.snapshot


def make_monitor(
    webhook: Receiver, source: Source, minutes: float = 5, interval: float = 900
) -> HealthMonitor:
    return HealthMonitor(
        source,
        KioskMetrics(),
        AlertPolicy(minutes, interval),
        WebhookNotifier(webhook.url, "KIOSK7", timeout=15),
    )  # generous: loaded CI


def sent(webhook: Receiver) -> list[dict[str, Any]]:
    """Every alert posted: each body is a list of alerts in Alertmanager's API format."""
    assert all(isinstance(body, list) for body in webhook.bodies)
    return [alert for body in webhook.bodies for alert in body]


def replace(**kw: object) -> HealthSnapshot:
    from dataclasses import replace as dc_replace

    return dc_replace(HEALTHY, **kw)  # type: ignore[arg-type]


def test_ils_offline_alerts_only_after_n_minutes(webhook: Receiver) -> None:
    source = Source()
    monitor = make_monitor(webhook, source)
    assert monitor.tick(now=1000) == []
    source.snapshot = replace(ils_online=False)
    monitor.tick(now=1010)
    monitor.tick(now=1010 + 4 * 60)
    assert webhook.bodies == []
    monitor.tick(now=1010 + 5 * 60)
    [alert] = sent(webhook)
    assert alert["labels"] == {
        "alertname": "ils_offline",
        "kiosk_id": "KIOSK7",
        "severity": "critical",
        "service": "library-kiosk",
    }
    # Firing: endsAt three resend intervals ahead, so a lost "resolved" expires on its own.
    assert alert["startsAt"] == rfc3339(1010) == "1970-01-01T00:16:50Z"
    assert alert["endsAt"] == rfc3339(1310 + 3 * 900)
    source.snapshot = HEALTHY
    monitor.tick(now=2000)
    resolved = sent(webhook)[-1]
    assert resolved["labels"]["alertname"] == "ils_offline" and resolved["endsAt"] == rfc3339(2000)
    assert resolved["startsAt"] == rfc3339(1010)


def test_alerts_are_rate_limited(webhook: Receiver) -> None:
    source = Source()
    monitor = make_monitor(webhook, source, interval=600)
    source.snapshot = replace(printer_paper="out")
    for t in range(0, 1200, 60):
        monitor.tick(now=1000 + t)
    firing = [a for a in sent(webhook) if a["labels"]["alertname"] == "printer_paper_out"]
    # Sent again while it lasts (a lost one is repeated), each time pushing endsAt ahead.
    assert [a["endsAt"] for a in firing] == [rfc3339(1000 + 1800), rfc3339(1600 + 1800)]
    assert {a["startsAt"] for a in firing} == {rfc3339(1000)}


def test_each_condition_alerts(webhook: Receiver) -> None:
    source = Source()
    monitor = make_monitor(webhook, source)
    source.snapshot = replace(
        queue_failed=2, printer_paper="out", devices=(DeviceHealth("terminal", "offline"),)
    )
    monitor.tick(now=50)
    assert sorted(a["labels"]["alertname"] for a in sent(webhook)) == [
        "printer_paper_out",
        "queue_failed",
        "terminal_unavailable",
    ]
    assert any("2 queued" in a["annotations"]["summary"] for a in sent(webhook))


def test_payload_carries_no_personal_data(webhook: Receiver) -> None:
    source = Source()
    monitor = make_monitor(webhook, source)
    terminal = DeviceHealth("terminal", "error", "DeviceTimeoutError")
    source.snapshot = replace(queue_failed=1, devices=(terminal,))
    monitor.tick(now=10)
    assert webhook.bodies
    for alert in sent(webhook):
        assert set(alert) == {"labels", "annotations", "startsAt", "endsAt"}
        assert set(alert["labels"]) == {"alertname", "kiosk_id", "severity", "service"}
        assert set(alert["annotations"]) == {"summary"}


def test_dead_or_failing_webhook_never_raises(webhook: Receiver, free_port: int) -> None:
    webhook.status = 500
    notifier = WebhookNotifier(webhook.url, "K")
    policy = AlertPolicy(1, 60)
    alerts = policy.evaluate(replace(printer_paper="out"), now=0)
    assert alerts and notifier.send(alerts[0]) is False
    dead = WebhookNotifier(f"http://127.0.0.1:{free_port}/hook", "K", timeout=2)
    assert dead.send(alerts[0]) is False


def test_terminal_not_alerted_when_payment_disabled() -> None:
    policy = AlertPolicy()
    assert policy.evaluate(replace(payment_enabled=False, devices=()), now=0) == []


def test_broken_probe_is_survived(webhook: Receiver) -> None:
    def broken() -> HealthSnapshot:
        raise RuntimeError("probe broke")

    monitor = HealthMonitor(broken, KioskMetrics(), AlertPolicy(), WebhookNotifier(webhook.url, "K"))
    assert monitor.tick(now=0) == []


@pytest.mark.parametrize("paper", ["ok", "low", "unknown"])
def test_paper_not_out_is_quiet(paper: str) -> None:
    assert AlertPolicy().evaluate(replace(printer_paper=paper), now=0) == []
