"""Waiting for the assembled kiosk without racing the scheduler: conditions, generous bounds, no sleeps.

A loaded 2-core CI machine can hold any thread back for seconds, so every wait here is for a condition
with a wall-clock bound far above what the work needs, and the kiosk's ILS timeouts are made generous
(:data:`PATIENT_SIP2`) so that a slow moment is not mistaken for an ILS outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

WAIT_LIMIT = 30.0  # seconds: a hang guard, never a speed goal

# [sip2] settings for test configs: the defaults (connect 1.5 s for TCP + login + status, a request
# watchdog of 1.5 s) are meant to notice a dead ILS quickly, which on a loaded machine also "notices" a
# merely slow in-process simulator. Tests that want an outage stop the simulator: that fails at once.
PATIENT_SIP2 = "connect_timeout = 15.0\nread_timeout = 15.0\noffline_after = 30.0\n"


def settle(kiosk: Any) -> None:
    """Wait until the runtime has handled every event and the services are idle (bound: WAIT_LIMIT)."""
    kiosk.runtime.settle(timeout=WAIT_LIMIT, quiet=kiosk.idle)


def wait_for(kiosk: Any, predicate: Callable[[], object], what: str, limit: float = WAIT_LIMIT) -> None:
    """Settle the runtime until ``predicate()`` holds; fail with ``what`` after ``limit`` seconds."""
    end = time.monotonic() + limit
    while True:
        settle(kiosk)
        if predicate():
            return
        if time.monotonic() >= end:
            raise AssertionError(f"kiosk never reached: {what}; view={kiosk.runtime.view}")
        kiosk.circulation._stop.wait(0.025)


def eventually(condition: Callable[[], object], what: str, limit: float = WAIT_LIMIT) -> None:
    """Poll ``condition`` (no runtime involved) until it holds; fail with ``what`` after ``limit`` s."""
    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() >= end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)
