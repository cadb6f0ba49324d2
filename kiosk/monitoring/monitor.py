"""The health monitor: polls a health source, updates the metrics, sends alerts. One worker thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.monitoring.alerts import Alert, AlertPolicy, WebhookNotifier, wall_clock
from kiosk.monitoring.health import HealthSnapshot
from kiosk.monitoring.metrics import KioskMetrics

log = logging.getLogger(__name__)


class HealthMonitor:
    """Every ``interval`` seconds: take a snapshot, export it, send any due alerts.

    ``tick(now)`` does one round synchronously (tests call it directly with chosen times).
    """

    def __init__(
        self,
        source: Callable[[], HealthSnapshot],
        metrics: KioskMetrics | None = None,
        policy: AlertPolicy | None = None,
        notifier: WebhookNotifier | None = None,
        interval: float = 15.0,
        clock: Callable[[], float] = wall_clock,
    ) -> None:
        self.source = source
        self.metrics = metrics
        self.policy = policy
        self.notifier = notifier
        self.interval = interval
        self.clock = clock
        self.last: HealthSnapshot | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: float | None = None) -> list[Alert]:
        """One round; returns the alerts that were due (sent when a notifier is set)."""
        try:
            snapshot = self.source()
        except Exception:  # a failing probe must not kill monitoring; it is itself worth a log line
            log.exception("health probe failed")
            return []
        self.last = snapshot
        if self.metrics is not None:
            self.metrics.update(snapshot)
        alerts = self.policy.evaluate(snapshot, self.clock() if now is None else now) if self.policy else []
        if self.notifier is not None:
            for alert in alerts:
                self.notifier.send(alert)
        return alerts

    def start(self) -> None:
        """Run ``tick`` every ``interval`` seconds on a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="health-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        """Stop the thread (waits for the current round)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
