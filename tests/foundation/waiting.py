"""The one way a test waits: for a condition, with a generous bound, never for a fixed time.

A loaded 2-core CI machine can hold any thread back for seconds, so every wait is for a condition with a
wall-clock bound far above what the work needs (:data:`WAIT_LIMIT`, a hang guard, never a speed goal).
:func:`wait_until` is the only polling loop in tests/ (``test_waiting_boundary.py`` keeps it so); what a
test must do between looks (settle the kiosk's runtime, run a Kivy frame, apply events a service posted)
is its ``pump``. The kiosk's ILS timeouts are made generous (:data:`PATIENT_SIP2`) so that a slow moment
is not mistaken for an ILS outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

WAIT_LIMIT = 30.0  # seconds: a hang guard, never a speed goal
INTERVAL = 0.02  # seconds between looks: short enough not to slow a test, long enough to let threads run

# [sip2] settings for test configs: the defaults (connect 1.5 s for TCP + login + status, a request
# watchdog of 1.5 s) are meant to notice a dead ILS quickly, which on a loaded machine also "notices" a
# merely slow in-process simulator. Tests that want an outage stop the simulator: that fails at once.
PATIENT_SIP2 = "connect_timeout = 15.0\nread_timeout = 15.0\noffline_after = 30.0\n"

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    *,
    what: str | Callable[[], str],
    timeout: float = WAIT_LIMIT,
    interval: float = INTERVAL,
    pump: Callable[[], object] | None = None,
) -> T:
    """Look at ``predicate()`` until it returns a truthy value, and return that value.

    Between two looks the helper sleeps ``interval`` seconds and then calls ``pump()`` (if given): the
    work the test must do for the condition to come true (settle a runtime, run a Kivy frame, handle an
    event a service posted; a pump that blocks for a moment may come with ``interval=0``). The first look
    comes before any pump. After ``timeout`` seconds it raises :class:`AssertionError` naming ``what`` (a
    callable is asked only then, for a description of the state it failed in) and the predicate's last value.
    """
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= end:
            described = what() if callable(what) else what
            raise AssertionError(f"never happened within {timeout:g} s: {described} (last value: {value!r})")
        if interval > 0:
            time.sleep(interval)
        if pump is not None:
            pump()


def settle(kiosk: Any) -> None:
    """Wait until the runtime has handled every event and the services are idle (bound: WAIT_LIMIT)."""
    kiosk.runtime.settle(timeout=WAIT_LIMIT, quiet=kiosk.idle)


def wait_for(kiosk: Any, predicate: Callable[[], object], what: str, limit: float = WAIT_LIMIT) -> None:
    """Settle the assembled kiosk's runtime until ``predicate()`` holds; fail with ``what`` and the
    screen it shows after ``limit`` seconds (:func:`wait_until` with :func:`settle` as its pump)."""
    settle(kiosk)
    wait_until(
        predicate,
        what=lambda: f"kiosk reaching {what}; view={kiosk.runtime.view}",
        timeout=limit,
        interval=0.025,
        pump=lambda: settle(kiosk),
    )
