"""The running kiosk's health, as monitoring and the maintenance screens see it.

* :class:`KioskHealth` takes a :class:`~kiosk.monitoring.health.HealthSnapshot` of an assembled
  :class:`~kiosk.assembly.Kiosk`: ILS online and latency, queue depth and failures, devices, paper.
* :func:`start_monitoring` wires the health into Prometheus metrics and webhook alerts.

What maintenance mode can *do* on the kiosk is :class:`kiosk.maintenance.backend.TechnicianBackend`.
Nothing here reports who did what: counts, states and error class names only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.monitoring.health import DeviceHealth, HealthSnapshot

if TYPE_CHECKING:
    from kiosk.assembly import Kiosk
    from kiosk.monitoring.alerts import WebhookNotifier
    from kiosk.monitoring.monitor import HealthMonitor

log = logging.getLogger(__name__)


class KioskHealth:
    """Health snapshots of a running kiosk."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk

    def snapshot(self) -> HealthSnapshot:
        """Ask every part for its state now (the printer status query may touch the device)."""
        kiosk = self.kiosk
        ils = kiosk.circulation.health()
        service = kiosk.runtime.service_mode
        devices = [DeviceHealth(f"pass_reader_{n}", "ok") for n, _ in enumerate(kiosk.readers)]
        retry = getattr(kiosk, "scanner_retry", None)
        if retry is not None and kiosk.scanner is None:
            devices.append(DeviceHealth("barcode_scanner", "offline", retry.last_error or "not opened"))
        if ils.get("ils_login_refused"):  # shown on the maintenance panel's device lines
            devices.append(DeviceHealth("ils", "error", "login refused"))
        paper = "unknown"
        if kiosk.printer is not None:
            status = kiosk.printer.status()
            paper = {"ok": "ok", "near_end": "low", "low": "low", "out": "out"}.get(
                getattr(status.paper, "value", "unknown"), "unknown"
            )
            online = getattr(status, "online", None)
            devices.append(DeviceHealth("printer", "offline" if online is False else "ok", status.detail))
        if kiosk.payments is not None:
            devices.append(DeviceHealth("terminal", *kiosk.payments.health()))
        else:
            devices.append(DeviceHealth("terminal", "disabled"))
        if kiosk.speech is not None:  # [speech] url set: its output's state (issue 17)
            devices.append(DeviceHealth("speech", *kiosk.speech.health()))
        return HealthSnapshot(
            ils_online=bool(ils["ils_online"]),
            ils_latency_s=ils["ils_latency_s"],
            ils_offline_since=ils["ils_offline_since"],
            ils_login_refused=bool(ils.get("ils_login_refused", False)),
            queue_depth=int(ils["queue_depth"]),
            queue_failed=int(ils["queue_failed"]),
            queue_storage_error=str(ils.get("queue_storage_error", "")),
            devices=tuple(devices),
            printer_paper=paper,
            payment_enabled=kiosk.payments is not None,
            out_of_order=kiosk.runtime.out_of_order,
            service_mode=service.staffing.value,
            service_hours=service.hours.as_dict() if service.hours is not None else {},
            payments_needs_staff=_needs_staff(kiosk),
            security_not_switched=_security_not_switched(kiosk),
        )


def _security_not_switched(kiosk: Kiosk) -> int:
    """Items whose tag security the RFID pad could not switch and verify (0 without a pad)."""
    pad = getattr(kiosk, "pad", None)
    return int(pad.security.failures) if pad is not None else 0


def _needs_staff(kiosk: Kiosk) -> int:
    """Payments in NEEDS_STAFF in the payment journal (0 without payments)."""
    journal = getattr(getattr(kiosk.payments, "service", None), "journal", None)
    return int(journal.counts().get("NEEDS_STAFF", 0)) if journal is not None else 0


def start_monitoring(kiosk: Kiosk) -> HealthMonitor:
    """Start the health monitor (metrics endpoint and webhook alerts as configured); returns it."""
    from kiosk.monitoring.alerts import AlertPolicy, WebhookNotifier
    from kiosk.monitoring.listener import ListenerTls
    from kiosk.monitoring.metrics import KioskMetrics, start_metrics_server
    from kiosk.monitoring.monitor import HealthMonitor
    from kiosk.monitoring.transactions import TransactionCounter

    cfg = kiosk.config.monitoring
    metrics = KioskMetrics()
    notifier = WebhookNotifier(cfg.webhook_url, kiosk.config.site.kiosk_id) if cfg.webhook_url else None
    policy = AlertPolicy(cfg.ils_offline_alert_minutes, cfg.alert_min_interval)
    monitor = HealthMonitor(KioskHealth(kiosk).snapshot, metrics, policy, notifier)
    tls = ListenerTls(cfg.metrics_tls_cert_file, cfg.metrics_tls_key_file, cfg.metrics_client_ca_file)
    try:
        server = start_metrics_server(
            metrics,
            cfg.metrics_address,
            cfg.metrics_port,
            lambda: monitor.last.to_json() if monitor.last else None,
            tls,
        )
    except OSError as exc:  # the port is taken or the address is not this machine's: run without metrics
        log.error(
            "metrics endpoint %s:%d cannot listen (%s); running without it",
            cfg.metrics_address,
            cfg.metrics_port,
            exc.strerror or exc,
        )
        kiosk.alert("metrics_unavailable", "metrics", str(exc))
        server = None
    kiosk.runtime.subscribe(TransactionCounter(metrics))  # kinds and results only
    kiosk.circulation.on_latency = metrics.observe_ils_latency
    if notifier is not None:
        forward = _webhook_alert(notifier)
        kiosk.alert_listeners.append(forward)
        for kind, reference in kiosk.early_alerts:  # e.g. a device missing at start
            forward(kind, reference)
    monitor.start()
    kiosk.runtime.add_on_stop(monitor.stop)  # released with the kiosk
    if server is not None:
        kiosk.runtime.add_on_stop(server.close)
    return monitor


def _webhook_alert(notifier: WebhookNotifier) -> Callable[[str, str], None]:
    """Forward the kiosk's own alerts (payments needing staff) to the webhook: kind and opaque id only."""
    from kiosk.monitoring.alerts import Alert, wall_clock

    def send(kind: str, reference: str) -> None:
        now = wall_clock()
        notifier.send(
            Alert(
                kind,
                "firing",
                f"{kind} ({reference}): staff must check this",
                now,
                now,
                labels={"reference": reference},
            )
        )

    return send
