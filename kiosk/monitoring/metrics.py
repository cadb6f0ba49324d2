"""Prometheus metrics of one kiosk, in a registry of its own (not the process-global one), served on
``[monitoring] metrics_address:metrics_port`` (port 0 = off).

Only counts and states: transactions by kind and result, ILS latency and online state, queue depth and
failures, device states, printer paper. No label ever holds a patron, an item or a title.
"""

from __future__ import annotations

import logging
import platform

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from kiosk import __version__
from kiosk.monitoring.health import DEVICE_STATES, PAPER_STATES, HealthSnapshot
from kiosk.monitoring.listener import HealthSource, ListenerTls, MonitoringListener, start_listener

log = logging.getLogger(__name__)

TRANSACTION_KINDS = ("loan", "return", "renewal", "payment", "patron")
TRANSACTION_RESULTS = ("ok", "refused", "offline", "error")


SERVICE_MODES = ("staffed", "unstaffed", "closed")


class KioskMetrics:
    """The kiosk's metrics. ``update(snapshot)`` sets the gauges; the runtime counts transactions."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        # process_* (CPU, resident memory, open fds, start time) and python_info, as every exporter has.
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        self.build_info = Gauge(
            "kiosk_build_info",
            "Always 1; the kiosk software version in labels",
            ["version", "python"],
            registry=r,
        )
        self.build_info.labels(version=__version__, python=platform.python_version()).set(1)
        self.transactions = Counter(
            "kiosk_transactions", "Transactions by kind and result", ["kind", "result"], registry=r
        )
        self.ils_latency = Histogram(
            "kiosk_ils_latency_seconds",
            "SIP2 round trip time",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
            registry=r,
        )
        self.ils_latency_last = Gauge(
            "kiosk_ils_latency_last_seconds", "Latest SIP2 round trip seen by the health check", registry=r
        )
        self.ils_online = Gauge("kiosk_ils_online", "1 when the ILS answers", registry=r)
        self.ils_login_refused = Gauge(
            "kiosk_ils_login_refused", "1 when the ILS refuses the SIP2 login", registry=r
        )
        self.queue_depth = Gauge("kiosk_queue_depth", "Offline transactions waiting", registry=r)
        self.queue_failed = Gauge("kiosk_queue_failed", "Queued transactions the ILS refused", registry=r)
        self.queue_writable = Gauge(
            "kiosk_queue_writable", "0 when the transaction queue cannot be written (disk full)", registry=r
        )
        self.device_state = Gauge(
            "kiosk_device_state", "1 for the current state of each device", ["device", "state"], registry=r
        )
        self.printer_paper = Gauge(
            "kiosk_printer_paper", "1 for the current paper state", ["state"], registry=r
        )
        self.out_of_order = Gauge("kiosk_out_of_order", "1 when switched out of order", registry=r)
        self.service_mode = Gauge(
            "kiosk_service_mode", "1 for the current staffing mode (Open+ hours)", ["mode"], registry=r
        )
        self.payments_needs_staff = Gauge(
            "kiosk_payments_needs_staff",
            "Payments only staff can settle (NEEDS_STAFF in the payment journal)",
            registry=r,
        )
        self.security_not_switched = Gauge(
            "kiosk_security_not_switched", "Items whose security could not be switched", registry=r
        )

    def count_transaction(self, kind: str, result: str) -> None:
        """Count one transaction; unknown kinds/results are refused so labels stay a small fixed set."""
        if kind not in TRANSACTION_KINDS or result not in TRANSACTION_RESULTS:
            raise ValueError(
                f"transaction {kind}/{result}: expected kind in {TRANSACTION_KINDS} "
                f"and result in {TRANSACTION_RESULTS}"
            )
        self.transactions.labels(kind=kind, result=result).inc()

    def observe_ils_latency(self, seconds: float) -> None:
        """Record one SIP2 round trip."""
        self.ils_latency.observe(seconds)

    def update(self, snapshot: HealthSnapshot) -> None:
        """Set every gauge from a health snapshot (one-hot state gauges, so alerts can match on 1)."""
        self.ils_online.set(1 if snapshot.ils_online else 0)
        self.ils_login_refused.set(1 if snapshot.ils_login_refused else 0)
        if snapshot.ils_latency_s is not None:
            self.ils_latency_last.set(snapshot.ils_latency_s)
        self.queue_depth.set(snapshot.queue_depth)
        self.queue_failed.set(snapshot.queue_failed)
        self.queue_writable.set(0 if snapshot.queue_storage_error else 1)
        self.out_of_order.set(1 if snapshot.out_of_order else 0)
        for mode in SERVICE_MODES:
            self.service_mode.labels(mode=mode).set(1 if snapshot.service_mode == mode else 0)
        self.payments_needs_staff.set(snapshot.payments_needs_staff)
        self.security_not_switched.set(snapshot.security_not_switched)
        for device in snapshot.devices:
            for state in DEVICE_STATES:
                self.device_state.labels(device=device.name, state=state).set(
                    1 if device.state == state else 0
                )
        for state in PAPER_STATES:
            self.printer_paper.labels(state=state).set(1 if snapshot.printer_paper == state else 0)


MetricsServer = MonitoringListener  # the name older callers use


def start_metrics_server(
    metrics: KioskMetrics,
    address: str,
    port: int,
    health: HealthSource | None = None,
    tls: ListenerTls | None = None,
) -> MonitoringListener | None:
    """Serve ``/metrics`` and ``/healthz`` on ``address:port``; returns None when ``port`` is 0 (off)."""
    if port == 0:
        return None
    return start_listener(metrics.registry, address, port, health, tls)
