"""When to try the ILS again: capped exponential backoff with jitter, the one reconnect policy.

Issue 11 item 5: with a wrong password the kiosk logged in about once a second forever, and against a
server that dropped every connection after one request it reconnected 45-55 times a second.  Every
reconnect -- the client's own (:class:`sip2.client.Sip2Client`) and the kiosk's circulation service,
which makes a fresh client per attempt -- now asks one :class:`ReconnectBackoff` when it may try:

* after a failed attempt the wait doubles from ``initial`` (0.5 s) up to ``maximum`` (60 s), each wait
  drawn from its upper half (jitter, so a fleet of kiosks does not reconnect in step);
* a connection that was made but did not stay up ``healthy_after`` seconds counts as a failure too (a
  server that accepts, answers the login and drops the link must not reset the backoff); the first
  such loss is reconnected at once (an ILS restart), the next ones wait;
* a refused login (wrong user or password: a configuration error, not an outage) is retried slowly:
  never sooner than ``refused_wait`` (5 min), until a login succeeds.

Pure logic: time comes from *clock*, randomness from *rand*, so tests drive it without sleeping.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable


class ReconnectBackoff:
    """Decides how long to wait before the next connection attempt (thread-safe)."""

    def __init__(
        self,
        initial: float = 0.5,
        maximum: float = 60.0,
        *,
        healthy_after: float = 10.0,
        refused_wait: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if not 0 < initial <= maximum:
            raise ValueError("backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        self.healthy_after = healthy_after
        self.refused_wait = max(refused_wait, maximum)
        self._clock = clock
        self._rand = rand
        self._lock = threading.Lock()
        self._failures = 0
        self._next_at = 0.0
        self._connected_at: float | None = None
        self.login_refused = False

    def _delay(self, steps: int) -> float:
        """The wait after *steps* consecutive failures: initial, doubling, capped; upper-half jitter."""
        base = min(self.maximum, self.initial * 2.0 ** min(max(steps - 1, 0), 32))
        return base * (0.5 + 0.5 * self._rand())

    def failed(self, *, login_refused: bool = False) -> float:
        """An attempt failed: returns the wait before the next one (and remembers it)."""
        with self._lock:
            self._failures += 1
            self._connected_at = None
            self.login_refused = login_refused
            wait = self._delay(self._failures)
            if login_refused:
                wait = self.refused_wait * (0.9 + 0.1 * self._rand())
            self._next_at = self._clock() + wait
            return wait

    def connected(self) -> None:
        """An attempt succeeded (logged in).  The backoff is reset only once the link stays up."""
        with self._lock:
            self._connected_at = self._clock()
            self.login_refused = False
            self._next_at = 0.0

    def disconnected(self) -> float:
        """The link was lost: returns the wait before reconnecting (none after a healthy link)."""
        with self._lock:
            now = self._clock()
            lived = now - self._connected_at if self._connected_at is not None else 0.0
            self._connected_at = None
            if lived >= self.healthy_after:
                self._failures = 0
                self._next_at = now
                return 0.0
            self._failures += 1
            # One loss may be a restart of the ILS: reconnect at once.  Losing the next link soon
            # again is a pattern (a server that drops every link): back off from there.
            wait = 0.0 if self._failures == 1 else self._delay(self._failures - 1)
            self._next_at = now + wait
            return wait

    def remaining(self) -> float:
        """Seconds until an attempt is allowed (0 when it is)."""
        with self._lock:
            return max(0.0, self._next_at - self._clock())

    @property
    def failures(self) -> int:
        """Consecutive failed (or short-lived) attempts."""
        return self._failures
