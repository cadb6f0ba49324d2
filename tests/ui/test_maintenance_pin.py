"""The technician PIN is checked off the Kivy thread: the screen stays live while scrypt runs, the
result is applied on the Kivy thread, and the lockout counts every PIN, also ones typed during a check.

A check is held open by :class:`~tests.maintenance.held_check.HeldHash` (no sleeping, no timing): if the
UI waited for the check on its own thread, typing the next PIN would never return and the test would
hit its timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.maintenance.access import AccessResult, AccessState, MaintenanceAccess
from kiosk.maintenance.pin import PinAttempt, hash_pin
from tests.maintenance.held_check import held_gate
from tests.ui.conftest import Kiosk
from tests.ui.test_pay_and_maintenance import Backend, five_taps, type_pin

pytestmark = pytest.mark.ui


class WatchedAccess(MaintenanceAccess):
    """Records the thread each PIN result is applied on."""

    settled_on: list[str]

    def settle(self, attempt: PinAttempt) -> AccessResult:
        self.settled_on = [*getattr(self, "settled_on", []), threading.current_thread().name]
        return super().settle(attempt)


@pytest.fixture(scope="module")
def tech_hash() -> str:
    return hash_pin("2468", log2_n=8, r=2, p=1)


def test_two_quick_pins_during_a_check_still_lock_after_five(
    kiosk_factory: Callable[..., Kiosk], tech_hash: str
) -> None:
    gate, held = held_gate(tech_hash, max_tries=5, lockout_seconds=300)
    access = WatchedAccess(gate)
    kiosk = kiosk_factory(access=access, backend=Backend())
    prompt: Any = kiosk.screen("maint_pin")
    five_taps(kiosk)
    assert kiosk.root.current == "maint_pin"
    for i in range(4):
        type_pin(kiosk, "0000")
        assert f"nog {4 - i} pogingen" in kiosk.texts()
    held.release.clear()
    type_pin(kiosk, "0000", wait=False)  # the fifth wrong PIN: its check is held open
    held.wait_until_running()
    kiosk.frames(2)  # the Kivy thread keeps drawing while the check runs
    assert prompt.checks_pending == 1
    assert kiosk.root.t("maint.running") in kiosk.texts()
    type_pin(kiosk, "2468", wait=False)  # the right PIN, typed quickly after
    assert prompt.checks_pending == 2
    held.release.set()
    kiosk.until(lambda: prompt.checks_pending == 0, "both checks came back")
    assert kiosk.root.current == "maint_pin"  # the right PIN came after the fifth wrong one: locked
    assert "Vergrendeld voor 5 minuten" in kiosk.texts()
    assert all(key.disabled for key in prompt.ids.pad.children)
    assert held.checked == ["0000"] * 5  # the right PIN was never compared
    assert "MainThread" not in held.threads  # every scrypt ran on the worker
    assert set(access.settled_on) == {"MainThread"}  # every result was applied on the Kivy thread
    assert access.state is AccessState.PIN


def test_right_pin_opens_only_the_prompt_it_was_typed_into(
    kiosk_factory: Callable[..., Kiosk], tech_hash: str
) -> None:
    gate, held = held_gate(tech_hash)
    access = MaintenanceAccess(gate)
    kiosk = kiosk_factory(access=access, backend=Backend())
    prompt: Any = kiosk.screen("maint_pin")
    five_taps(kiosk)
    held.release.clear()
    type_pin(kiosk, "2468", wait=False)
    held.wait_until_running()
    kiosk.tap(kiosk.button("maint_pin", "back"))  # cancelled while the check runs
    assert kiosk.root.current == "attract"
    held.release.set()
    kiosk.until(lambda: prompt.checks_pending == 0, "the check came back")
    kiosk.frames(2)
    assert kiosk.root.current == "attract"
    assert access.state is AccessState.CLOSED
    five_taps(kiosk)
    type_pin(kiosk, "2468")
    assert kiosk.root.current == "maintenance"
