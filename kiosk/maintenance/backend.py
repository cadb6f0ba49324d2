"""What maintenance mode needs from the running kiosk, as a protocol the runtime implements.

Every method may block (device I/O, SIP2): the UI calls them on a worker thread, never on the Kivy
thread, and shows the :class:`ActionResult` when it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.monitoring.health import HealthSnapshot


@dataclass(frozen=True)
class ActionResult:
    """The outcome of a device test or queue action: ``ok`` and a short message key plus values.

    ``key`` is a catalog key (``"maint.result.printed"``); ``values`` fill its fields. No personal
    data: a card test reports that a pass was read and its length, never the number.
    """

    ok: bool
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def fields(self) -> dict[str, str]:
        """``values`` as a dict, for ``Translator(key, **fields)``."""
        return dict(self.values)


class MaintenanceBackend(Protocol):
    """The services behind the maintenance screens (implemented by the runtime)."""

    def health(self) -> HealthSnapshot:
        """Current health: ILS, queue, devices, paper."""

    def test_read_card(self, timeout: float) -> ActionResult:
        """Wait up to ``timeout`` s for a pass on the reader."""

    def print_test_receipt(self) -> ActionResult:
        """Print a test receipt."""

    def terminal_status(self) -> ActionResult:
        """Ask the payment terminal for its status."""

    def terminal_end_of_day(self) -> ActionResult:
        """Run the terminal's end-of-day closing."""

    def replay_queue(self) -> ActionResult:
        """Send queued offline transactions to the ILS now."""

    def purge_failed(self) -> ActionResult:
        """Delete failed queue rows (after staff handled them)."""

    def pad_status(self) -> ActionResult:
        """The RFID pad: reader kind, tags in the field, last error."""

    def pad_tag_test(self) -> ActionResult:
        """Dump the one tag on the pad; security write + verify on it."""

    def set_out_of_order(self, on: bool) -> None:
        """Switch the patron screens to out of order, or back."""

    def restart(self) -> None:
        """Restart the kiosk program (systemd brings it back)."""

    def exit(self) -> None:
        """Stop the kiosk program (to the desktop / for the technician)."""
