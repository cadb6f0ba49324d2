"""The Prometheus endpoint, scraped over real HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest
import requests

from kiosk.monitoring.health import DeviceHealth, HealthSnapshot
from kiosk.monitoring.metrics import KioskMetrics, start_metrics_server


def snapshot(**kw: object) -> HealthSnapshot:
    base: dict[str, object] = dict(
        ils_online=True,
        ils_latency_s=0.05,
        queue_depth=3,
        queue_failed=1,
        printer_paper="low",
        devices=(
            DeviceHealth("pass_reader", "ok"),
            DeviceHealth("printer", "error", "OSError"),
            DeviceHealth("terminal", "ok"),
        ),
        payment_enabled=True,
    )
    base.update(kw)
    return HealthSnapshot(**base)  # type: ignore[arg-type]


def test_endpoint_serves_kiosk_metrics(free_port: int) -> None:
    metrics = KioskMetrics()
    metrics.update(snapshot())
    metrics.count_transaction("loan", "ok")
    metrics.count_transaction("loan", "ok")
    metrics.count_transaction("return", "offline")
    metrics.observe_ils_latency(0.07)
    server = start_metrics_server(metrics, "127.0.0.1", free_port)
    assert server is not None
    try:
        text = requests.get(f"http://127.0.0.1:{free_port}/metrics", timeout=15).text
    finally:
        server.close()
    assert 'kiosk_transactions_total{kind="loan",result="ok"} 2.0' in text
    assert 'kiosk_transactions_total{kind="return",result="offline"} 1.0' in text
    assert "kiosk_ils_online 1.0" in text
    assert "kiosk_queue_depth 3.0" in text
    assert "kiosk_queue_failed 1.0" in text
    assert 'kiosk_device_state{device="printer",state="error"} 1.0' in text
    assert 'kiosk_device_state{device="printer",state="ok"} 0.0' in text
    assert 'kiosk_printer_paper{state="low"} 1.0' in text
    assert "kiosk_ils_latency_seconds_count 1.0" in text
    assert "kiosk_ils_latency_last_seconds 0.05" in text
    # Process metrics and the build info, as every exporter has them (issue 18).
    assert "process_cpu_seconds_total" in text and "process_resident_memory_bytes" in text
    assert 'kiosk_build_info{python="' in text and 'version="' in text


def test_registries_are_isolated() -> None:
    a, b = KioskMetrics(), KioskMetrics()
    a.count_transaction("payment", "refused")
    labels = {"kind": "payment", "result": "refused"}
    assert a.registry.get_sample_value("kiosk_transactions_total", labels) == 1
    assert b.registry.get_sample_value("kiosk_transactions_total", labels) is None


def test_gauges_follow_the_latest_snapshot() -> None:
    metrics = KioskMetrics()
    metrics.update(snapshot())
    metrics.update(snapshot(ils_online=False, printer_paper="out", devices=(DeviceHealth("printer", "ok"),)))
    get = metrics.registry.get_sample_value
    assert get("kiosk_ils_online") == 0
    assert get("kiosk_printer_paper", {"state": "out"}) == 1
    assert get("kiosk_printer_paper", {"state": "low"}) == 0
    assert get("kiosk_device_state", {"device": "printer", "state": "ok"}) == 1


def test_port_zero_means_off_and_labels_are_a_fixed_set() -> None:
    metrics = KioskMetrics()
    assert start_metrics_server(metrics, "127.0.0.1", 0) is None
    with pytest.raises(ValueError):
        metrics.count_transaction("loan", "21234000000015")
    with pytest.raises(ValueError):
        DeviceHealth("printer", "on fire")
