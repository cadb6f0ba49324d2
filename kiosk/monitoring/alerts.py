"""Alerts to a webhook: ILS offline too long, printer out of paper, failed queue rows, a queue that
cannot be written (disk full), terminal unavailable. Built only from a :class:`HealthSnapshot`, so an
alert can never carry personal data.

The webhook speaks Alertmanager's API (``POST /api/v2/alerts``): the body is a JSON list of alerts, each
``{"labels": {"alertname", "kiosk_id", "severity", "service"}, "annotations": {"summary"}, "startsAt",
"endsAt"}`` (RFC 3339). So ``webhook_url`` can be an Alertmanager itself
(``http://alertmanager:9093/api/v2/alerts``) or any receiver of that format. While a condition lasts it
is sent again every ``min_interval`` seconds with ``endsAt`` three intervals ahead: a lost "firing" is
repeated, and a lost "resolved" (``endsAt`` = now) repairs itself when ``endsAt`` passes.
Deciding (:class:`AlertPolicy`, pure, time as argument) is separate from sending
(:class:`WebhookNotifier`, ``requests``, called off the UI thread).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kiosk.monitoring.health import HealthSnapshot

if TYPE_CHECKING:  # requests is imported only when a webhook is configured (about 7 MB resident)
    import requests

log = logging.getLogger(__name__)

ALERTS = {
    "ils_offline": "The ILS has been unreachable for more than {minutes:g} minutes",
    "ils_login_refused": "The ILS refuses the kiosk's SIP2 login: check [sip2] user and password",
    "printer_paper_out": "The receipt printer is out of paper",
    "queue_failed": "{count} queued transactions were refused by the ILS and need staff",
    "terminal_unavailable": "The payment terminal is unavailable",
    "queue_storage": "The kiosk cannot write its transaction queue (disk full?): offline loans and returns "
    "are refused",
}

RESOLVED = {
    "ils_offline": "The ILS answers again",
    "ils_login_refused": "The ILS accepts the kiosk's SIP2 login again",
    "printer_paper_out": "The receipt printer has paper again",
    "queue_failed": "No refused queued transactions are left",
    "terminal_unavailable": "The payment terminal is available again",
    "queue_storage": "The transaction queue can be written again",
}


#: Severity label per alert (Alertmanager routes on it); anything not listed is "warning".
SEVERITY = {
    "ils_offline": "critical",
    "queue_storage": "critical",
    "queue_failed": "warning",
    "printer_paper_out": "warning",
    "terminal_unavailable": "warning",
}


def rfc3339(seconds: float) -> str:
    """Wall-clock seconds as Alertmanager's time format (UTC, second precision)."""
    return datetime.fromtimestamp(round(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Alert:
    """One alert to send: its name, firing or resolved, a fixed English summary, and times.

    ``ends`` is when Alertmanager may consider it resolved if it hears nothing more (firing), or when
    it was resolved (resolved); None lets Alertmanager apply its own ``resolve_timeout``. ``labels`` are
    extra labels (opaque references only, never personal data).
    """

    name: str
    state: str  # "firing" | "resolved"
    summary: str
    since: float
    at: float
    ends: float | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def payload(self, kiosk_id: str) -> dict[str, Any]:
        """This alert in Alertmanager's API format."""
        labels = {
            "alertname": self.name,
            "kiosk_id": kiosk_id,
            "severity": SEVERITY.get(self.name, "warning"),
            "service": "library-kiosk",
            **self.labels,
        }
        body: dict[str, Any] = {
            "labels": labels,
            "annotations": {"summary": self.summary},
            "startsAt": rfc3339(self.since),
        }
        ends = self.at if self.state == "resolved" else self.ends
        if ends is not None:
            body["endsAt"] = rfc3339(ends)
        return body


class AlertPolicy:
    """Turns successive health snapshots into alerts.

    A condition fires when it starts (for the ILS: once it has lasted ``ils_offline_minutes``) and is
    sent again every ``min_interval`` seconds while it lasts (``endsAt`` three intervals ahead); when it
    clears, one ``resolved`` is sent. ``now`` is wall-clock seconds.
    """

    def __init__(self, ils_offline_minutes: float = 5.0, min_interval: float = 900.0) -> None:
        self.ils_offline_minutes = ils_offline_minutes
        self.min_interval = min_interval
        self._since: dict[str, float] = {}  # condition -> when first seen
        self._sent: dict[str, float] = {}  # condition -> when last sent (firing)
        self._offline_seen: float | None = None

    def _conditions(self, snap: HealthSnapshot, now: float) -> dict[str, str]:
        active: dict[str, str] = {}
        if snap.ils_online:
            self._offline_seen = None
        else:
            if self._offline_seen is None:
                self._offline_seen = snap.ils_offline_since or now
            if now - self._offline_seen >= self.ils_offline_minutes * 60:
                active["ils_offline"] = ALERTS["ils_offline"].format(minutes=self.ils_offline_minutes)
        if snap.ils_login_refused:  # a configuration error: alert at once, not after minutes offline
            active["ils_login_refused"] = ALERTS["ils_login_refused"]
        if snap.printer_paper == "out":
            active["printer_paper_out"] = ALERTS["printer_paper_out"]
        if snap.queue_failed > 0:
            active["queue_failed"] = ALERTS["queue_failed"].format(count=snap.queue_failed)
        if snap.queue_storage_error:
            active["queue_storage"] = ALERTS["queue_storage"]
        if snap.payment_enabled and not snap.terminal_available:
            active["terminal_unavailable"] = ALERTS["terminal_unavailable"]
        return active

    def evaluate(self, snap: HealthSnapshot, now: float) -> list[Alert]:
        """The alerts to send now for this snapshot."""
        out: list[Alert] = []
        active = self._conditions(snap, now)
        for name, summary in active.items():
            since = self._since.setdefault(
                name, self._offline_seen if name == "ils_offline" and self._offline_seen is not None else now
            )
            last = self._sent.get(name)
            if last is None or now - last >= self.min_interval:
                self._sent[name] = now
                out.append(Alert(name, "firing", summary, since, now, ends=now + 3 * self.min_interval))
        for name in [n for n in self._since if n not in active]:
            since = self._since.pop(name)
            if self._sent.pop(name, None) is not None:
                out.append(Alert(name, "resolved", RESOLVED[name], since, now, ends=now))
        return out


class WebhookNotifier:
    """Posts alerts as JSON to the configured webhook URL. Failures are logged, never raised: a dead
    webhook must not disturb the patron. Call it from a worker thread."""

    def __init__(
        self, url: str, kiosk_id: str, timeout: float = 5.0, session: requests.Session | None = None
    ) -> None:
        self.url = url
        self.kiosk_id = kiosk_id
        self.timeout = timeout
        if session is None:
            import requests

            session = requests.Session()
        self._session = session

    def send(self, alert: Alert) -> bool:
        """Post one alert; True when the webhook answered 2xx."""
        if not self.url:
            return False
        import requests

        try:
            response = self._session.post(self.url, json=[alert.payload(self.kiosk_id)], timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("alert %s not delivered: %s", alert.name, type(exc).__name__)
            return False
        if not 200 <= response.status_code < 300:
            log.warning("alert %s: webhook answered HTTP %d", alert.name, response.status_code)
            return False
        log.info("alert %s (%s) delivered", alert.name, alert.state)
        return True

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._session.close()


def wall_clock() -> float:
    """The time alerts are stamped with (a function so the monitor can be driven with fake times)."""
    return time.time()
