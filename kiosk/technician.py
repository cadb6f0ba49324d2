"""The running kiosk as technicians and monitoring see it.

* :class:`KioskHealth` takes a :class:`~kiosk.monitoring.health.HealthSnapshot` of an assembled
  :class:`~kiosk.assembly.Kiosk`: ILS online and latency, queue depth and failures, devices, paper.
* :class:`TechnicianBackend` implements the maintenance screens' ``MaintenanceBackend`` protocol on it
  (device tests, queue actions, out of order, restart, exit). Its methods block; the UI calls them on
  a worker thread.
* :func:`start_monitoring` wires the health into Prometheus metrics and webhook alerts.
* The Kivy app is opened by :func:`kiosk.ui.launch.launch_ui` (the headless paths never load Kivy).

Nothing here reports who did what: counts, states and error class names only.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

from kiosk.monitoring.health import DeviceHealth, HealthSnapshot

log = logging.getLogger(__name__)


class KioskHealth:
    """Health snapshots of a running kiosk."""

    def __init__(self, kiosk: Any) -> None:
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
        speech = getattr(kiosk, "speech", None)  # [speech] url set: its output's state (issue 17)
        if speech is not None:
            devices.append(DeviceHealth("speech", *speech.health()))
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


def _security_not_switched(kiosk: Any) -> int:
    """Items whose tag security the RFID pad could not switch and verify (0 without a pad)."""
    pad = getattr(kiosk, "pad", None)
    return int(pad.security.failures) if pad is not None else 0


def _needs_staff(kiosk: Any) -> int:
    """Payments in NEEDS_STAFF in the payment journal (0 without payments)."""
    journal = getattr(getattr(kiosk.payments, "service", None), "journal", None)
    return int(journal.counts().get("NEEDS_STAFF", 0)) if journal is not None else 0


def start_monitoring(kiosk: Any) -> Any:
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


def _webhook_alert(notifier: Any) -> Any:
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


class TechnicianBackend:
    """What maintenance mode can do on a running kiosk."""

    def __init__(self, kiosk: Any) -> None:
        self.kiosk = kiosk
        self._health = KioskHealth(kiosk)

    def health(self) -> HealthSnapshot:
        """Current health."""
        return self._health.snapshot()

    def test_read_card(self, timeout: float) -> Any:
        """Wait up to ``timeout`` s for the next card on any reader; report only that one was read."""
        from drivers.cardreader.events import CardNotAPass, PassPresented
        from kiosk.maintenance.backend import ActionResult

        seen: list[Any] = []
        done = threading.Event()
        router = self.kiosk.reader_router
        if not self.kiosk.readers or router is None:
            return ActionResult(False, "maint.result.no_reader")

        def capture(event: Any) -> None:
            if isinstance(event, PassPresented | CardNotAPass):
                seen.append(event)
                done.set()

        router.capture = capture  # the test card must not start a patron session
        try:
            done.wait(timeout)
        finally:
            router.capture = None
        if not seen:
            return ActionResult(False, "maint.result.no_card")
        event = seen[0]
        if isinstance(event, PassPresented):
            return ActionResult(True, "maint.result.card_read", (("digits", str(len(event.pass_number))),))
        return ActionResult(False, "maint.result.not_a_pass", (("reason", event.reason),))

    def print_test_receipt(self) -> Any:
        """Print a receipt with no member data on it."""
        from datetime import datetime

        from drivers.printer import Receipt
        from kiosk.maintenance.backend import ActionResult

        try:
            self.kiosk.printer.print_receipt(
                Receipt(
                    library_name=self.kiosk.config.site.library_name, printed_at=datetime.now(), footer="TEST"
                )
            )
        except Exception as exc:
            return ActionResult(False, "maint.result.print_failed", (("error", type(exc).__name__),))
        return ActionResult(True, "maint.result.printed")

    def terminal_status(self) -> Any:
        """The payment terminal's status."""
        from kiosk.maintenance.backend import ActionResult

        if self.kiosk.payments is None:
            return ActionResult(False, "maint.result.terminal_disabled")
        state, detail = self.kiosk.payments.health(refresh=True)
        return ActionResult(state == "ok", "maint.result.terminal_status", (("status", detail or state),))

    def terminal_end_of_day(self) -> Any:
        """Close the terminal's day (totals go to the terminal's own receipt)."""
        from kiosk.maintenance.backend import ActionResult

        if self.kiosk.payments is None:
            return ActionResult(False, "maint.result.terminal_disabled")
        ok, detail = self.kiosk.payments.end_of_day()
        return ActionResult(ok, "maint.result.end_of_day", (("status", detail),))

    def replay_queue(self) -> Any:
        """Ask the circulation service to replay the offline queue now."""
        from kiosk.maintenance.backend import ActionResult

        if not self.kiosk.circulation.online:
            return ActionResult(False, "maint.result.ils_offline")
        self.kiosk.circulation.replay_now()
        return ActionResult(True, "maint.result.replay_started")

    def pad_status(self) -> Any:
        """The RFID pad: reader kind, tags in the field, last error (kiosk.maintenance.pad_check)."""
        from kiosk.maintenance.pad_check import pad_status

        return pad_status(self.kiosk.pad)

    def pad_tag_test(self) -> Any:
        """Dump the one tag on the pad and switch its security both ways, verified."""
        from kiosk.maintenance.pad_check import tag_test
        from kiosk.rfid.hub import security_policy

        rfid = self.kiosk.config.rfid
        return tag_test(self.kiosk.pad, security_policy(rfid), tuple(rfid.own_isils))

    def failed_rows(self) -> list[dict[str, Any]]:
        """The failed queue rows as ``kiosk queue list`` prints them (no pass numbers)."""
        return [row.public() for row in self.kiosk.circulation.store.failed()]

    def purge_failed(self) -> Any:
        """Delete failed queue rows now (staff handled them)."""
        from kiosk.maintenance.backend import ActionResult

        removed = self.kiosk.circulation.store.purge(now=float("inf"))
        return ActionResult(True, "maint.result.purged", (("count", str(removed)),))

    def set_out_of_order(self, on: bool) -> None:
        """Switch the patron screens to out of order (the UI shows it) or back."""
        from kiosk.core.service import Availability

        self.kiosk.runtime.set_availability(Availability.OUT_OF_ORDER if on else Availability.IN_SERVICE)
        log.warning("out of order switched %s by a technician", "on" if on else "off")

    def restart(self) -> None:
        """Restart the program in place (under systemd a plain exit would do too)."""
        log.warning("restart requested by a technician")
        self.kiosk.stop()
        os.execv(sys.executable, [sys.executable, "-m", "kiosk", *sys.argv[1:]])

    def exit(self) -> None:
        """Stop the kiosk program."""
        log.warning("exit requested by a technician")
        from kivy.app import App

        app = App.get_running_app()
        if app is not None:
            app.stop()


def technician_gate(config: Any) -> Any:
    """The technician PIN gate, its wrong-try count and lockout kept in the state directory."""
    from kiosk.maintenance.pin import LockoutStore, PinGate

    m = config.maintenance
    seconds = m.lockout_minutes * 60
    store = LockoutStore.beside(config.store.path, seconds, m.lockout_tries)
    return PinGate(m.pin_hash or None, m.lockout_tries, seconds, store=store)
