"""The kiosk's service mode: whether it serves members now.

One axis today, *availability*: in service, out of order (a technician switched it off, or a fault),
maintenance (a technician is at the screen). Only "in service" lets an event lead to a circulation or
payment effect; the machine enforces that for every event (:func:`kiosk.core.machine.transition`).
The unstaffed-hours work (issue 17) adds a second axis, *staffing* (staffed / unstaffed / closed),
beside this one in :class:`ServiceMode`, with its own rule for what each combination offers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
            return ServiceMode(availability, resume=self.availability)
        return ServiceMode(availability)

    def after_maintenance(self) -> ServiceMode:
        """Leaving maintenance: back to what it was before (unchanged when not in maintenance)."""
        if self.availability is not Availability.MAINTENANCE:
            return self
        return ServiceMode(self.resume)
