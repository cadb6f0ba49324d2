"""How a technician gets into maintenance mode: a technician card or a hidden five-tap gesture, then
the PIN. Pure logic: positions and times are arguments, so it is tested without Kivy or sleeping.
"""

from __future__ import annotations

import hmac
import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from kiosk.maintenance.pin import PinAttempt, PinGate

log = logging.getLogger(__name__)


class CornerTaps:
    """Detects ``count`` taps inside a square corner zone within ``window`` seconds.

    The zone is the top-left corner (``size`` px), in window coordinates with y up as in Kivy; a tap
    anywhere else starts over, so a patron tapping around the screen never triggers it by accident.
    """

    def __init__(self, count: int = 5, window: float = 3.0, size: int = 120) -> None:
        self.count, self.window, self.size = count, window, size
        self._taps: deque[float] = deque(maxlen=count)

    def in_zone(self, x: float, y: float, height: float) -> bool:
        """True when (x, y) lies in the top-left corner zone of a window ``height`` pixels tall."""
        return x <= self.size and y >= height - self.size

    def tap(self, x: float, y: float, height: float, now: float) -> bool:
        """Record a tap; True when it completes the gesture (the count then starts again)."""
        if not self.in_zone(x, y, height):
            self._taps.clear()
            return False
        self._taps.append(now)
        if len(self._taps) == self.count and now - self._taps[0] <= self.window:
            self._taps.clear()
            return True
        return False


class AccessState(Enum):
    """Where the technician is on the way in."""

    CLOSED = "closed"
    PIN = "pin"  # card or gesture seen, waiting for the PIN
    OPEN = "open"


@dataclass(frozen=True)
class AccessResult:
    """The state after an input, and the PIN attempt if there was one."""

    state: AccessState
    attempt: PinAttempt | None = None


class MaintenanceAccess:
    """The gate in front of maintenance mode.

    ``technician_cards`` are the pass numbers from config ``[maintenance] technician_cards``; they are
    compared in constant time and never logged.
    """

    def __init__(
        self,
        gate: PinGate,
        technician_cards: Iterable[str] = (),
        taps: CornerTaps | None = None,
        pin_timeout: float = 30.0,
    ) -> None:
        self.gate = gate
        self._cards = tuple(c.strip() for c in technician_cards if c.strip())
        self.taps = taps or CornerTaps()
        self.pin_timeout = pin_timeout
        self.state = AccessState.CLOSED
        self._pin_since = 0.0

    def is_technician_card(self, pass_number: str) -> bool:
        """True when ``pass_number`` is a configured technician card."""
        candidate = pass_number.strip().encode()
        found = False
        for card in self._cards:  # no early exit: the time does not depend on which card matched
            found |= hmac.compare_digest(candidate, card.encode())
        return found

    def card(self, pass_number: str, now: float) -> bool:
        """A pass was presented; True when it was a technician card (then ask for the PIN)."""
        if not self.is_technician_card(pass_number) or not self.gate.configured:
            return False
        log.info("technician card presented")
        self._ask_pin(now)
        return True

    def tap(self, x: float, y: float, height: float, now: float) -> bool:
        """A touch somewhere; True when it completed the hidden gesture (then ask for the PIN)."""
        if self.taps.tap(x, y, height, now) and self.gate.configured:
            log.info("maintenance gesture recognised")
            self._ask_pin(now)
            return True
        return False

    def _ask_pin(self, now: float) -> None:
        if self.state is AccessState.CLOSED:
            self.state = AccessState.PIN
            self._pin_since = now

    def pin(self, pin: str, now: float) -> AccessResult:
        """The technician entered a PIN (while locked it is not checked; the prompt stays open so the
        screen can say how long the lock lasts). Blocks for the scrypt check; the UI instead runs
        ``gate.attempt`` on a worker thread and hands the result to :meth:`settle`."""
        if self.state is not AccessState.PIN:
            return AccessResult(self.state)
        return self.settle(self.gate.attempt(pin, now))

    def settle(self, attempt: PinAttempt) -> AccessResult:
        """Apply a finished PIN check: a correct PIN opens maintenance mode only while the prompt is
        still waiting for one (not after it was cancelled or timed out). The gate has already counted
        the attempt either way."""
        if attempt.ok and self.state is AccessState.PIN:
            self.state = AccessState.OPEN
        return AccessResult(self.state, attempt)

    def tick(self, now: float) -> AccessState:
        """Give up waiting for a PIN after ``pin_timeout`` seconds (back to the patron screens)."""
        if self.state is AccessState.PIN and now - self._pin_since > self.pin_timeout:
            self.state = AccessState.CLOSED
        return self.state

    def cancel(self) -> None:
        """Leave the PIN prompt without entering."""
        if self.state is AccessState.PIN:
            self.state = AccessState.CLOSED

    def close(self) -> None:
        """Leave maintenance mode."""
        self.state = AccessState.CLOSED
        log.info("maintenance mode closed")
