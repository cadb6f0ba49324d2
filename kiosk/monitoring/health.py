"""The health of one kiosk at one moment: what maintenance mode shows, metrics export and alerts use."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# "degraded": works, but has failed since the start (e.g. speech output that failed and recovered)
DEVICE_STATES = ("ok", "busy", "degraded", "error", "offline", "disabled", "unknown")
PAPER_STATES = ("ok", "low", "out", "unknown")


@dataclass(frozen=True)
class DeviceHealth:
    """One device (pass reader, scanner, printer, terminal): its kind, state and a short detail
    (an error class or a status word, never data read from a card)."""

    name: str
    state: str = "unknown"
    detail: str = ""

    def __post_init__(self) -> None:
        if self.state not in DEVICE_STATES:
            raise ValueError(f"device state {self.state!r}: expected one of {', '.join(DEVICE_STATES)}")


@dataclass(frozen=True)
class HealthSnapshot:
    """Health of the kiosk. Times are wall-clock seconds (``time.time()``)."""

    ils_online: bool = False
    ils_latency_s: float | None = None  # last SIP2 round trip
    ils_offline_since: float | None = None
    ils_login_refused: bool = False  # the ILS refuses our SIP2 login: wrong [sip2] user/password
    queue_depth: int = 0  # transactions waiting to be sent to the ILS
    queue_failed: int = 0  # transactions the ILS refused on replay: need staff
    queue_storage_error: str = ""  # why the queue cannot be written (e.g. disk full); "" when it can
    devices: tuple[DeviceHealth, ...] = field(default_factory=tuple)
    printer_paper: str = "unknown"
    payment_enabled: bool = False
    out_of_order: bool = False
    service_mode: str = "staffed"  # staffing: staffed / unstaffed / closed (issue 17)
    service_hours: dict[str, Any] = field(default_factory=dict)  # ServiceStatus.as_dict(): countdown, ...
    payments_needs_staff: int = 0  # payments in NEEDS_STAFF: paid or in doubt, only staff can settle them
    security_not_switched: int = 0  # items whose security (AFI/EAS) could not be switched; 0 if unknown

    def __post_init__(self) -> None:
        if self.printer_paper not in PAPER_STATES:
            raise ValueError(f"printer_paper {self.printer_paper!r}: expected one of {PAPER_STATES}")

    def device(self, name: str) -> DeviceHealth | None:
        """The device called ``name`` (e.g. ``"terminal"``), if present."""
        return next((d for d in self.devices if d.name == name), None)

    @property
    def terminal_available(self) -> bool:
        """True when the payment terminal reports ok or busy."""
        terminal = self.device("terminal")
        return terminal is not None and terminal.state in ("ok", "busy")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``kiosk maintenance status``)."""
        data = asdict(self)
        data["devices"] = {d.name: {"state": d.state, "detail": d.detail} for d in self.devices}
        return data
