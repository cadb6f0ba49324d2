"""Driving the runtime as a member would: log in, move between screens, wait for answers."""

from __future__ import annotations

from kiosk.core import Screen
from kiosk.core import events as ev
from tests.ui.sim_runtime import SimRuntime

PINS = {
    "20301000010015": "1234",
    "20301000010049": "4444",
    "20301000010080": "8888",
    "20301000010023": "2222",
    "20301000010031": "3333",
    "20301000010064": "6666",
}


def log_in(runtime: SimRuntime, pass_number: str) -> None:
    """Present the pass, type the PIN when asked, wait for the menu (or a notice)."""
    runtime.send(ev.PassPresented(pass_number))
    runtime.settle()
    if runtime.view.screen is Screen.PIN:
        runtime.send(ev.PinEntered(PINS[pass_number]))
        runtime.settle()


def do(runtime: SimRuntime, *events: ev.Event) -> None:
    """Send events one by one, each answered before the next."""
    for event in events:
        runtime.send(event)
        runtime.settle()
