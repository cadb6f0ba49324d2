"""Paying a fee on the ZVT terminal simulator, and maintenance mode by touch (gesture, PIN, lockout)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.core import SessionSettings
from kiosk.core import events as ev
from kiosk.maintenance.access import MaintenanceAccess
from kiosk.maintenance.backend import ActionResult
from kiosk.maintenance.logbuffer import attach_log_buffer
from kiosk.maintenance.pin import PinGate, hash_pin
from kiosk.monitoring.health import DeviceHealth, HealthSnapshot
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.sim_runtime import SimRuntime, SimTerminal
from tests.ui.test_flows import log_in

pytestmark = pytest.mark.ui


@pytest.fixture
def terminal() -> Iterator[SimTerminal]:
    term = SimTerminal()
    yield term
    term.close()


def test_pay_fees_on_the_terminal(kiosk_factory: Callable[..., Kiosk], terminal: SimTerminal) -> None:
    runtime = SimRuntime(SessionSettings(languages=("nl", "en", "de", "tr")), pay=terminal)
    kiosk = kiosk_factory(runtime=runtime)
    terminal.on_prompt = lambda key: runtime.send(ev.TerminalPrompt(key))  # as the assembly wires it
    log_in(kiosk, demo.FEES, demo.FEES_PIN)
    kiosk.tap(kiosk.button("menu", "pay"))
    assert kiosk.root.current == "pay"
    fees = kiosk.runtime.view.account.fees  # type: ignore[union-attr]
    assert fees and kiosk.screen("pay").selection == {f.fee_id for f in fees}
    total = sum(f.amount for f in fees)
    assert f"Betaal € {total:.2f}".replace(".", ",") in kiosk.texts()
    kiosk.tap(kiosk.button("pay", "pay"))
    assert terminal.terminal.simulator.played == ["approve"]
    assert terminal.prompts  # the terminal's own instructions reached the screen's prompt line
    assert "Betaling gelukt" in kiosk.texts()
    assert kiosk.runtime.library.open_fees_of(demo.FEES) == []
    assert "success" in kiosk.root.sounds.played


def test_pay_declined_keeps_the_fees(kiosk_factory: Callable[..., Kiosk]) -> None:
    term = SimTerminal("decline")
    try:
        runtime = SimRuntime(SessionSettings(languages=("nl", "en")), pay=term)
        kiosk = kiosk_factory(runtime=runtime)
        log_in(kiosk, demo.FEES, demo.FEES_PIN)
        kiosk.tap(kiosk.button("menu", "pay"))
        kiosk.tap(kiosk.button("pay", "pay"))
        assert "Betaling geweigerd" in kiosk.texts()
        assert kiosk.runtime.library.open_fees_of(demo.FEES) != []
    finally:
        term.close()


class Backend:
    """A maintenance backend that records what was asked (the real one is the runtime's)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.out_of_order: list[bool] = []

    def health(self) -> HealthSnapshot:
        self.calls.append("health")
        return HealthSnapshot(
            ils_online=True,
            ils_latency_s=0.05,
            queue_depth=4,
            queue_failed=1,
            printer_paper="out",
            devices=(DeviceHealth("printer", "error", "NoPaper"),),
        )

    def print_test_receipt(self) -> ActionResult:
        self.calls.append("print")
        return ActionResult(True, "maint.result.printed")

    def __getattr__(self, name: str) -> Any:
        def action(*_a: Any) -> ActionResult:
            self.calls.append(name)
            return ActionResult(True, "maint.result.ok")

        return action

    def set_out_of_order(self, on: bool) -> None:
        self.out_of_order.append(on)


def five_taps(kiosk: Kiosk) -> None:
    for _ in range(5):
        kiosk.tap_at(10, kiosk.root.height - 10)
        kiosk.now += 0.3


def type_pin(kiosk: Kiosk, pin: str, wait: bool = True) -> None:
    """Type ``pin`` and OK; by default wait until its check (on the worker thread) has come back."""
    prompt = kiosk.screen("maint_pin")
    for digit in [*pin, "ok"]:
        kiosk.tap(next(b for b in prompt.ids.pad.children if b.key == digit))
    if wait:
        kiosk.until(lambda: prompt.checks_pending == 0, "the PIN check came back")


@pytest.fixture(scope="module")
def tech_hash() -> str:
    return hash_pin("2468", log2_n=8, r=2, p=1)


def test_maintenance_gesture_pin_status_and_out_of_order(
    kiosk_factory: Callable[..., Kiosk], tech_hash: str
) -> None:
    backend = Backend()
    access = MaintenanceAccess(PinGate(tech_hash), technician_cards=["29990000000017"])
    logger = logging.getLogger("tests.ui.maintenance")
    logger.setLevel(logging.INFO)
    buffer = attach_log_buffer(logger=logger)
    logger.info("checkout refused for pass_number=21234000000015")
    kiosk = kiosk_factory(access=access, backend=backend, log_buffer=buffer)
    five_taps(kiosk)
    assert kiosk.root.current == "maint_pin"
    type_pin(kiosk, "2468")
    assert kiosk.root.current == "maintenance"
    kiosk.settle()
    kiosk.until(lambda: "Wachtrij: 4 wachtend, 1 mislukt" in kiosk.texts(), "health shown")
    assert "Printerpapier: op" in kiosk.texts()  # states in words
    log_text = kiosk.screen("maintenance").ids.log.text
    assert "checkout refused for pass_number=#" in log_text  # the recent log, already redacted
    assert "21234000000015" not in log_text
    logger.removeHandler(buffer)
    kiosk.tap(kiosk.button("maintenance", "test_print"))
    kiosk.until(lambda: "print" in backend.calls, "test receipt printed")
    kiosk.tap(kiosk.button("maintenance", "out_of_order"))
    assert backend.out_of_order == [True]
    kiosk.tap(kiosk.button("maintenance", "close"))
    assert kiosk.root.current == "out_of_order"
    assert "Buiten gebruik" in kiosk.texts()
    # A technician card opens the PIN prompt too.
    assert kiosk.root.offer_pass("29990000000017")
    assert not kiosk.root.offer_pass(demo.NORMAL)
    kiosk.frames(2)
    assert kiosk.root.current == "maint_pin"


def test_maintenance_pin_lockout(kiosk_factory: Callable[..., Kiosk], tech_hash: str) -> None:
    access = MaintenanceAccess(PinGate(tech_hash, max_tries=5, lockout_seconds=300))
    kiosk = kiosk_factory(access=access, backend=Backend())
    five_taps(kiosk)
    for i in range(4):
        type_pin(kiosk, "0000")
        assert f"nog {4 - i} pogingen" in kiosk.texts()
    type_pin(kiosk, "0000")
    assert "Vergrendeld voor 5 minuten" in kiosk.texts()
    pad = kiosk.screen("maint_pin").ids.pad
    assert all(key.disabled for key in pad.children)  # no guess is even checked while locked
    assert "error" in kiosk.root.sounds.played
    kiosk.tap(kiosk.button("maint_pin", "back"))
    assert kiosk.root.current == "attract"
    kiosk.now += 60
    five_taps(kiosk)
    assert kiosk.root.current == "maint_pin"
    assert "Vergrendeld voor 4 minuten" in kiosk.texts()
    assert not access.pin("2468", kiosk.now).attempt.ok  # type: ignore[union-attr]
    kiosk.tap(kiosk.button("maint_pin", "back"))
    kiosk.now += 300
    five_taps(kiosk)
    type_pin(kiosk, "2468")
    assert kiosk.root.current == "maintenance"
