"""The root's maintenance mode and out-of-order switch: the technician card, the PIN prompt, the panel.

Which screen the technician sees (PIN prompt or panel) is the UI's; whether the kiosk serves members is
the core's (:class:`~kiosk.core.service.ServiceMode` in the view): entering the panel and switching out
of order are events to the core, and the screens follow its view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from kiosk.core import events as ev
from kiosk.core.service import Availability
from kiosk.core.view import SessionView
from kiosk.maintenance.access import AccessState, MaintenanceAccess
from kiosk.maintenance.backend import MaintenanceBackend
from kiosk.ui.settings import UiSettings

log = logging.getLogger(__name__)


class MaintenanceHost:
    """Mixed into :class:`~kiosk.ui.root.KioskRoot`: maintenance mode and out of order."""

    # Provided by KioskRoot.
    view: SessionView
    settings: UiSettings
    access: MaintenanceAccess | None
    backend: MaintenanceBackend | None
    runtime: Any
    screens: Any
    clock: Callable[[], float]
    maintenance: str | None
    _touched: float
    rerender: Callable[[], None]

    def _tick_maintenance(self, now: float) -> None:
        """A PIN prompt nobody answers closes after the access's ``pin_timeout``, and a panel nobody
        touches after ``maintenance_idle`` seconds."""
        if self.maintenance == "maint_pin" and self.access is not None:
            if self.access.tick(now) is not AccessState.PIN:
                log.info("technician PIN prompt closed: no PIN entered in time")
                self.close_maintenance()
        elif self.maintenance == "maintenance" and now - self._touched > self.settings.maintenance_idle:
            log.info("maintenance mode closed: untouched for %.0f s", now - self._touched)
            self.close_maintenance()
        elif self.maintenance == "maintenance":
            self.screens["maintenance"].refresh(self, now)

    def offer_pass(self, pass_number: str) -> bool:
        """For the runtime's pass reader: True when the pass is a technician card (then the PIN prompt
        opens and the pass must not go to the patron session). Safe to call from any thread."""
        access = self.access
        if access is None or not access.gate.configured or not access.is_technician_card(pass_number):
            return False

        def open_prompt(_dt: float) -> None:
            if access.card(pass_number, self.clock()):
                self.open_maintenance_pin()

        Clock.schedule_once(open_prompt, 0)
        return True

    def open_maintenance_pin(self) -> None:
        """Show the technician PIN prompt."""
        self.screens["maint_pin"].reset()
        self.maintenance = "maint_pin"
        self.rerender()

    def show_maintenance_panel(self) -> None:
        """The PIN was right: show the maintenance panel."""
        self._touched = self.clock()
        self.maintenance = "maintenance"
        self.runtime.send(ev.ServiceModeChanged(Availability.MAINTENANCE))  # the core stops serving
        self.rerender()

    def close_maintenance(self) -> None:
        """Back to the patron screens."""
        if self.access is not None:
            self.access.close()
        if self.maintenance == "maintenance":
            self.runtime.send(ev.MaintenanceEnded())
        self.maintenance = None
        prompt = self.screens.built().get("maint_pin")
        if prompt is not None:
            prompt.reset()
        self.rerender()

    @property
    def out_of_order(self) -> bool:
        """Out of order is the core's state (its view's service mode), not a flag of the UI's own."""
        return self.view.service.out_of_order

    def set_out_of_order(self, on: bool, from_maintenance: bool = False) -> None:
        """Switch the kiosk out of order (or back): the core decides, the screen follows its view."""
        self.runtime.send(ev.ServiceModeChanged(Availability.OUT_OF_ORDER if on else Availability.IN_SERVICE))
        if from_maintenance and self.backend is not None:
            self.backend.set_out_of_order(on)
        log.info("kiosk %s", "out of order" if on else "back in service")
        self.rerender()
