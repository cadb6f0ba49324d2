"""The kiosk's service mode: whether it serves members now.

Two axes:

* *availability*: in service, out of order (a technician switched it off, or a fault), maintenance (a
  technician is at the screen). Only "in service" lets an event lead to a circulation or payment effect;
  the machine enforces that for every event (:func:`kiosk.core.machine.transition`).
* *staffing* (issue 17): staffed / unstaffed (Open+) / closed, from the service hours in config
  evaluated on every :class:`~kiosk.core.events.WallClock` event, or a technician's override. Each
  staffing mode has a :class:`~kiosk.core.service_hours.ModePolicy` (what is offered, which desk texts
  are replaced); closed offers nothing. The rules live in :mod:`kiosk.core.staffing`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from kiosk.core.schedule import Override, Staffing
from kiosk.core.service_hours import STAFFED_POLICY, ModePolicy, ServiceStatus

__all__ = ["Availability", "ServiceMode", "Staffing"]


class Availability(enum.Enum):
    """Whether the kiosk may serve members at all."""

    IN_SERVICE = "in_service"
    OUT_OF_ORDER = "out_of_order"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True, slots=True)
class ServiceMode:
    """The kiosk's mode, part of the core's state and of its view (the UI renders it, never decides it)."""

    availability: Availability = Availability.IN_SERVICE
    # What maintenance returns to when the technician leaves (out of order stays out of order).
    resume: Availability = Availability.IN_SERVICE
    # The staffing axis: the latest evaluation of the service hours (None before the first WallClock),
    # and a technician's override (kept across a restart; it expires by itself).
    staffing: Staffing = Staffing.STAFFED
    hours: ServiceStatus | None = None
    override: Override | None = None

    @property
    def policy(self) -> ModePolicy:
        """What the current staffing mode offers (staffed defaults before the schedule was read)."""
        return self.hours.policy if self.hours is not None else STAFFED_POLICY

    @property
    def closed(self) -> bool:
        """True when the library is closed (the closed screen with the next opening time)."""
        return self.staffing is Staffing.CLOSED

    @property
    def closing_in_minutes(self) -> int | None:
        """The closing countdown banner's minutes (None: no banner)."""
        return self.hours.closing_in_minutes if self.hours is not None else None

    @property
    def may_start_session(self) -> bool:
        """False when closed or in the last minute(s) before closing."""
        return self.hours.may_start_session if self.hours is not None else not self.closed

    @property
    def serving(self) -> bool:
        """True when members may borrow, return, renew and pay."""
        return self.availability is Availability.IN_SERVICE

    @property
    def out_of_order(self) -> bool:
        """True when the patron screens show "out of order"."""
        return self.availability is Availability.OUT_OF_ORDER

    def with_availability(self, availability: Availability) -> ServiceMode:
        """A copy with ``availability`` changed (other axes kept). Entering maintenance remembers what
        to return to; any other change made meanwhile (e.g. "out of order" from the panel) replaces it."""
        if availability is Availability.MAINTENANCE:
            if self.availability is Availability.MAINTENANCE:
                return self
            return replace(self, availability=availability, resume=self.availability)
        return replace(self, availability=availability, resume=Availability.IN_SERVICE)

    def after_maintenance(self) -> ServiceMode:
        """Leaving maintenance: back to what it was before (unchanged when not in maintenance)."""
        if self.availability is not Availability.MAINTENANCE:
            return self
        return replace(self, availability=self.resume, resume=Availability.IN_SERVICE)
