"""A technician who walks away never leaves the kiosk stuck: an unanswered PIN prompt closes after its
timeout, and an untouched maintenance panel closes after ``maintenance_idle`` (so the next member cannot
use it). The kiosk clock is the test's; the UI timer is driven by hand (``KioskRoot.tick``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.maintenance.access import AccessState, MaintenanceAccess
from kiosk.maintenance.pin import PinGate
from tests.ui.conftest import Kiosk
from tests.ui.test_pay_and_maintenance import Backend, five_taps, tech_hash, type_pin

pytestmark = pytest.mark.ui
__all__ = ["tech_hash"]  # the module-scoped fixture, shared


def tick(kiosk: Kiosk, seconds: float) -> None:
    kiosk.now += seconds
    kiosk.root.tick()
    kiosk.settle()


def test_an_unanswered_pin_prompt_closes_by_itself(
    kiosk_factory: Callable[..., Kiosk], tech_hash: str
) -> None:
    access = MaintenanceAccess(PinGate(tech_hash), pin_timeout=30.0)
    kiosk = kiosk_factory(access=access, backend=Backend())
    five_taps(kiosk)
    assert kiosk.root.current == "maint_pin"
    tick(kiosk, 20.0)
    assert kiosk.root.current == "maint_pin"  # still waiting
    tick(kiosk, 20.0)
    assert kiosk.root.current == "attract" and access.state is AccessState.CLOSED
    five_taps(kiosk)  # and it can be opened again
    assert kiosk.root.current == "maint_pin"


def test_an_untouched_maintenance_panel_closes_and_a_touched_one_stays(
    kiosk_factory: Callable[..., Kiosk], tech_hash: str
) -> None:
    access = MaintenanceAccess(PinGate(tech_hash))
    kiosk = kiosk_factory(access=access, backend=Backend())
    idle = kiosk.root.settings.maintenance_idle
    five_taps(kiosk)
    type_pin(kiosk, "2468")
    assert kiosk.root.current == "maintenance"
    tick(kiosk, idle * 0.8)
    kiosk.tap_at(10, kiosk.root.height - 10)  # the technician is working (a corner, on no button)
    tick(kiosk, idle * 0.8)
    assert kiosk.root.current == "maintenance"  # 1.6 × idle since it opened, but touched in between
    tick(kiosk, idle * 0.3)
    assert kiosk.root.current == "attract" and access.state is AccessState.CLOSED
