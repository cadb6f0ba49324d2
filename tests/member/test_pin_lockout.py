"""Item 8: a PIN lockout holds across sessions (per pass, hashed, in memory) for the configured period."""

from __future__ import annotations

from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.pin_lockout import pass_key
from tests.member.flows import do
from tests.ui.sim_runtime import SimRuntime

PASS, OTHER = "20301000010015", "20301000010049"


def wrong_pin(runtime: SimRuntime) -> None:
    do(runtime, ev.PinEntered("0000"))


def test_rescanning_the_pass_does_not_give_new_tries(runtime: SimRuntime) -> None:
    do(runtime, ev.Tick(100.0), ev.PassPresented(PASS))
    assert runtime.view.screen is Screen.PIN and runtime.view.pin_tries_left == 3
    wrong_pin(runtime)
    wrong_pin(runtime)
    assert runtime.view.pin_tries_left == 1
    do(runtime, ev.Back(), ev.PassPresented(PASS))  # walk away and come back with the same pass
    assert runtime.view.screen is Screen.PIN and runtime.view.pin_tries_left == 1
    wrong_pin(runtime)
    assert runtime.view.screen is Screen.NOTICE and runtime.view.message is not None
    assert runtime.view.message.key == "error.pin_tries" and runtime.view.message.param("minutes") == "15"
    do(runtime, ev.Acknowledge(), ev.PassPresented(PASS))
    assert runtime.view.screen is Screen.NOTICE  # still locked: no PIN pad, no lookup
    assert runtime.session.state.pass_number is None
    do(runtime, ev.Acknowledge(), ev.PassPresented(OTHER))
    assert runtime.view.screen is Screen.PIN and runtime.view.pin_tries_left == 3  # per pass


def test_the_lock_ends_after_the_period_and_a_right_pin_clears_the_count(runtime: SimRuntime) -> None:
    do(runtime, ev.Tick(100.0), ev.PassPresented(PASS))
    for _ in range(3):
        wrong_pin(runtime)
    do(runtime, ev.Acknowledge(), ev.Tick(100.0 + 15 * 60 + 1), ev.PassPresented(PASS))
    assert runtime.view.screen is Screen.PIN and runtime.view.pin_tries_left == 3
    wrong_pin(runtime)
    do(runtime, ev.PinEntered("1234"))
    assert runtime.view.screen is Screen.MENU
    assert runtime.session.state.pin_failures == ()


def test_the_table_holds_no_pass_numbers(runtime: SimRuntime) -> None:
    do(runtime, ev.Tick(1.0), ev.PassPresented(PASS))
    wrong_pin(runtime)
    (entry,) = runtime.session.state.pin_failures
    assert entry.key == pass_key(PASS) and PASS not in repr(runtime.session.state)
