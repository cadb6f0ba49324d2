"""A PIN hash whose checks wait until the test lets them go: a scrypt check "still running", without
sleeping or timing anything. The comparison itself is the real :class:`PinHash`."""

from __future__ import annotations

import threading

from kiosk.maintenance.pin import PinGate, PinHash
from tests.foundation.waiting import WAIT_LIMIT

WAIT = WAIT_LIMIT  # generous bound: only reached if the code under test is broken


class HeldHash:
    """Wraps a real :class:`PinHash`; ``matches`` blocks while ``hold`` is cleared."""

    def __init__(self, text: str) -> None:
        self.real = PinHash.parse(text)
        self.release = threading.Event()
        self.release.set()
        self.entered = threading.Semaphore(0)  # one token per check that has started
        self.checked: list[str] = []  # PINs actually compared, in order (test data only)
        self.threads: list[str] = []  # the thread each check ran on
        self._guard = threading.Lock()

    def matches(self, pin: str) -> bool:
        """Record the check, wait for the test, then compare for real."""
        with self._guard:
            self.checked.append(pin)
            self.threads.append(threading.current_thread().name)
        self.entered.release()
        assert self.release.wait(WAIT), "the test never released the check"
        return self.real.matches(pin)

    def wait_until_running(self) -> None:
        """Block until a check has started (it is then inside ``matches``)."""
        assert self.entered.acquire(timeout=WAIT), "no PIN check started"


def held_gate(text: str, max_tries: int = 5, lockout_seconds: float = 300.0) -> tuple[PinGate, HeldHash]:
    """A real :class:`PinGate` whose hash checks can be held."""
    gate = PinGate(text, max_tries=max_tries, lockout_seconds=lockout_seconds)
    held = HeldHash(text)
    gate._hash = held  # type: ignore[assignment]  # same interface as PinHash: matches(pin)
    return gate, held
