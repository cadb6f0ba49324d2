"""What maintenance mode needs from the running kiosk: the :class:`MaintenanceBackend` protocol, and
:class:`TechnicianBackend`, which implements it on an assembled :class:`~kiosk.assembly.Kiosk` (device
tests, queue actions, out of order, restart, exit); :func:`technician_gate` opens the PIN gate.

Every method may block (device I/O, SIP2): the UI calls them on a worker thread, never on the Kivy
thread, and shows the :class:`ActionResult` when it arrives. Results carry counts, states and error
class names only, never who did what.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from drivers.cardreader.events import ForeignCardRead, PassRead
from kiosk.health import KioskHealth
from kiosk.monitoring.health import HealthSnapshot

if TYPE_CHECKING:
    from kiosk.assembly import Kiosk
    from kiosk.config_schema import KioskConfig
    from kiosk.maintenance.pin import PinGate

log = logging.getLogger(__name__)


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


class TechnicianBackend:
    """What maintenance mode can do on a running kiosk."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self._health = KioskHealth(kiosk)

    def health(self) -> HealthSnapshot:
        """Current health."""
        return self._health.snapshot()

    def test_read_card(self, timeout: float) -> ActionResult:
        """Wait up to ``timeout`` s for the next card on any reader; report only that one was read."""
        seen: list[PassRead | ForeignCardRead] = []
        done = threading.Event()
        router = self.kiosk.reader_router
        if not self.kiosk.readers or router is None:
            return ActionResult(False, "maint.result.no_reader")

        def capture(event: object) -> None:
            if isinstance(event, PassRead | ForeignCardRead):
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
        if isinstance(event, PassRead):
            return ActionResult(True, "maint.result.card_read", (("digits", str(len(event.pass_number))),))
        return ActionResult(False, "maint.result.not_a_pass", (("reason", event.reason),))

    def print_test_receipt(self) -> ActionResult:
        """Print a receipt with no member data on it."""
        from datetime import datetime

        from drivers.printer import Receipt

        try:
            self.kiosk.printer.print_receipt(
                Receipt(
                    library_name=self.kiosk.config.site.library_name, printed_at=datetime.now(), footer="TEST"
                )
            )
        except Exception as exc:
            return ActionResult(False, "maint.result.print_failed", (("error", type(exc).__name__),))
        return ActionResult(True, "maint.result.printed")

    def terminal_status(self) -> ActionResult:
        """The payment terminal's status."""
        if self.kiosk.payments is None:
            return ActionResult(False, "maint.result.terminal_disabled")
        state, detail = self.kiosk.payments.health(refresh=True)
        return ActionResult(state == "ok", "maint.result.terminal_status", (("status", detail or state),))

    def terminal_end_of_day(self) -> ActionResult:
        """Close the terminal's day (totals go to the terminal's own receipt)."""
        if self.kiosk.payments is None:
            return ActionResult(False, "maint.result.terminal_disabled")
        ok, detail = self.kiosk.payments.end_of_day()
        return ActionResult(ok, "maint.result.end_of_day", (("status", detail),))

    def replay_queue(self) -> ActionResult:
        """Ask the circulation service to replay the offline queue now."""
        if not self.kiosk.circulation.online:
            return ActionResult(False, "maint.result.ils_offline")
        self.kiosk.circulation.replay_now()
        return ActionResult(True, "maint.result.replay_started")

    def pad_status(self) -> ActionResult:
        """The RFID pad: reader kind, tags in the field, last error (kiosk.maintenance.pad_check)."""
        from kiosk.maintenance.pad_check import pad_status

        return pad_status(self.kiosk.pad)

    def pad_tag_test(self) -> ActionResult:
        """Dump the one tag on the pad and switch its security both ways, verified."""
        from kiosk.maintenance.pad_check import tag_test
        from kiosk.rfid.hub import security_policy

        rfid = self.kiosk.config.rfid
        return tag_test(self.kiosk.pad, security_policy(rfid), tuple(rfid.own_isils))

    def failed_rows(self) -> list[dict[str, Any]]:
        """The failed queue rows as ``kiosk queue list`` prints them (no pass numbers)."""
        return [row.public() for row in self.kiosk.circulation.store.failed()]

    def purge_failed(self) -> ActionResult:
        """Delete failed queue rows now (staff handled them)."""
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


def technician_gate(config: KioskConfig) -> PinGate:
    """The technician PIN gate, its wrong-try count and lockout kept in the state directory."""
    from kiosk.maintenance.pin import LockoutStore, PinGate

    m = config.maintenance
    seconds = m.lockout_minutes * 60
    store = LockoutStore.beside(config.store.path, seconds, m.lockout_tries)
    return PinGate(m.pin_hash or None, m.lockout_tries, seconds, store=store)
