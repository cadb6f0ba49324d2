"""The circulation service's link to the ILS: one current SIP2 client, online or offline, watched.

:class:`IlsLink` holds what the kiosk knows about its connection to the ILS:

* the current client -- a fresh :class:`sip2.client.Sip2Client` per connection, every one sharing
  :attr:`IlsLink.backoff` (the one reconnect policy, :mod:`sip2.reconnect`: no reconnect storm);
* whether the ILS is online, since when it is offline, and the last round trip;
* the watchdog's view of the request in flight: :meth:`IlsLink.call` arms it around one exchange and,
  when the exchange fails, switches the kiosk offline; :meth:`IlsLink.check` (the health monitor's
  tick) gives up on a request hanging longer than ``offline_after`` by shutting its socket down,
  which wakes the worker;
* the reconnect thread: offline, it tries a fresh connection whenever the backoff allows and hands the
  logged-in client to ``recovered`` (the worker takes it with :meth:`IlsLink.go_online`).

The SIP2 connection itself (login, resend, safe recovery after a lost reply) is :mod:`sip2.link`'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kiosk.core import events as ev
from kiosk.errors import NoConnection as NoConnection  # defined in the kiosk error tree
from sip2.client import Sip2Client
from sip2.errors import Sip2Error, Sip2LoginRefused
from sip2.messages import ACSStatus
from sip2.reconnect import ReconnectBackoff

log = logging.getLogger(__name__)
#: The link's changes of state are logged as the service, as before (operators filter on that name).
_service_log = logging.getLogger("kiosk.services.circulation")

R = TypeVar("R")
#: Makes a NEW, unconnected SIP2 client.
ClientFactory = Callable[[], Sip2Client]


class IlsLink:
    """The kiosk's one connection to the ILS as the circulation worker uses it (see the module)."""

    def __init__(
        self,
        factory: ClientFactory,
        post: Callable[[ev.Event], None],
        recovered: Callable[[Sip2Client], None],
        stopping: threading.Event,
        *,
        offline_after: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``factory()`` makes a fresh client; ``post`` announces IlsOnline/IlsOffline; ``recovered``
        receives the reconnect thread's logged-in client; ``stopping`` ends the reconnect thread."""
        self.factory = factory
        self._post = post
        self._recovered = recovered
        self._stopping = stopping
        self.offline_after = offline_after  # seconds a request may hang before the ILS counts as down
        self._clock = clock
        # Guards the client, the online flag and the watchdog's view of the request in flight (re-entrant:
        # the watchdog goes offline while holding it, so no new request can start in between).
        self._lock = threading.RLock()
        self._client: Sip2Client | None = None
        self._online = False
        self._busy_since: float | None = None
        self._last_ok = 0.0
        self._recovering = threading.Event()
        self.latency: float | None = None
        self.on_latency: Callable[[float], None] | None = None  # monitoring's round-trip histogram
        self.offline_since: float | None = time.time()
        #: When the next connection attempt may be made, shared by every fresh client (issue 11 item 5).
        self.backoff = ReconnectBackoff()
        #: Given to every client the link takes (:attr:`sip2.link.Sip2Link.on_wait`).
        self.on_wait: Callable[[], None] | None = None

    # --- state ---------------------------------------------------------------------------------------
    @property
    def client(self) -> Sip2Client | None:
        """The client in use, or None while offline."""
        return self._client

    @property
    def online(self) -> bool:
        """Whether the ILS is reachable now."""
        return self._online

    @property
    def busy(self) -> bool:
        """Whether a request is in flight (the watchdog is armed)."""
        return self._busy_since is not None

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (``[sip2] fee_format``), from the current client's dialect."""
        client = self._client
        return client.fee_format if client is not None else "generic"

    # --- connecting ----------------------------------------------------------------------------------
    def connect(self, level: int, failure: str) -> Sip2Client | None:
        """A fresh, logged-in client sharing :attr:`backoff`, or None (see :func:`connect_client`)."""
        return connect_client(self.factory, self.backoff, level, failure)

    def go_online(self, client: Sip2Client) -> None:
        """Take a fresh, logged-in client (worker side) and announce IlsOnline."""
        client.link.on_wait = self.on_wait
        with self._lock:
            self._client = client
            self._online = True
        self._last_ok = self._clock()
        self.offline_since = None
        _service_log.info("ILS online")
        self._post(ev.IlsOnline())

    def start_recovery(self) -> None:
        """Start the reconnect thread (unless it runs already or the service stops)."""
        if self._recovering.is_set() or self._stopping.is_set():
            return
        self._recovering.set()
        threading.Thread(target=self._reconnect, name="circulation-reconnect", daemon=True).start()

    def _reconnect(self) -> None:
        """Offline: try a fresh connection whenever the backoff allows, until one logs in."""
        try:
            while not self._stopping.is_set():
                wait = self.backoff.remaining()
                if wait > 0:
                    self._stopping.wait(wait)
                    continue
                client = self.connect(logging.DEBUG, "ILS still unreachable")
                if client is not None:
                    self._recovered(client)
                    return
        finally:
            self._recovering.clear()

    # --- watched exchanges ---------------------------------------------------------------------------
    def call(self, what: str, fn: Callable[[Sip2Client], R]) -> R:
        """Run one client exchange with the watchdog armed; on failure go offline and re-raise
        (:class:`~kiosk.errors.NoConnection` when there is no client or its socket was shut)."""
        client = self._client
        if client is None:
            raise NoConnection()
        started = self._set_busy(True)
        try:
            result = fn(client)
        except Sip2Error as exc:
            self.went_offline(f"{what}: {type(exc).__name__}")
            raise
        except OSError as exc:  # a socket closed under us by the watchdog
            self.went_offline(f"{what}: {type(exc).__name__}")
            raise NoConnection() from exc
        finally:
            self._set_busy(False)
        if not self._online:
            # The watchdog gave up on this request, but the client recovered it by itself (reconnect and
            # query). Keep the reply, and take the normal way back: reconnect, IlsOnline, replay.
            self.went_offline(f"{what}: answered after the watchdog gave up")
            return result
        self._last_ok = self._clock()
        self.latency = self._last_ok - started
        if self.on_latency is not None:
            self.on_latency(self.latency)
        return result

    def mark_busy(self, busy: bool) -> None:
        """Arm (``True``) or disarm the watchdog around one exchange the link does not make itself
        (the replay's); disarming counts as a sign of life."""
        now = self._set_busy(busy)
        if not busy:
            self._last_ok = now

    def _set_busy(self, busy: bool) -> float:
        """Arm (a request starts) or disarm the watchdog; returns the time."""
        now = self._clock()
        with self._lock:
            self._busy_since = now if busy else None
        return now

    def check(self, now: float, probe_interval: float) -> bool:
        """The watchdog's tick: abandon a request hanging longer than :attr:`offline_after` (the ILS is
        treated as down); True when the link is online, idle, and a keepalive is due."""
        busy = self._busy_since
        if self._online and busy is not None and now - busy > self.offline_after:
            with self._lock:
                # The same request still? (Each request stores a new float object, so identity tells a
                # request that just ended, and the next one that began, from the hanging one.)
                if self._busy_since is not busy:
                    return False
                _service_log.warning("ILS request hanging for %.1f s: going offline", now - busy)
                self._set_offline("no answer")
                abort(self._client)  # wakes the worker: its request fails and is handled offline
            return False
        return self._online and busy is None and now - self._last_ok >= probe_interval

    # --- going offline -------------------------------------------------------------------------------
    def went_offline(self, reason: str) -> None:
        """Worker side: drop the connection, announce offline (once) and start reconnecting."""
        self.close()
        self._set_offline(reason)
        self.start_recovery()

    def _set_offline(self, reason: str) -> None:
        with self._lock:
            was_online, self._online = self._online, False
        if was_online:
            self.offline_since = time.time()
            _service_log.warning("ILS offline (%s): continuing offline", reason)
            self._post(ev.IlsOffline())

    def close(self) -> None:
        """Close the current client (if any); the link is then without one until :meth:`go_online`."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            quietly_close(client)


def probe(client: Sip2Client) -> ACSStatus:
    """A keepalive exchange: SIP2 99 SC status."""
    return client.sc_status()


def abort(client: Sip2Client | None) -> None:
    """Break a request hanging in another thread: shut the socket down (``close()`` would wait for
    the client's lock, which the hanging request holds)."""
    if client is None:
        return
    client.abort()


def quietly_close(client: Sip2Client) -> None:
    """Close a client that is being discarded; errors from a broken connection are irrelevant."""
    try:
        client.close()
    except Exception:  # closing a broken connection may fail; it is being discarded anyway
        log.debug("closing the SIP2 client failed", exc_info=True)


def connect_client(
    factory: ClientFactory, backoff: ReconnectBackoff, level: int, failure: str
) -> Sip2Client | None:
    """A fresh, logged-in client from ``factory()``, or None (logged at ``level`` as ``failure``) when the
    ILS refuses.

    Every fresh client shares ``backoff``, so the client's own bookkeeping (a failed setup, a refused
    login, a link lost soon after it was made) decides the next attempt. A refused login is a
    configuration alert (``ils_login_refused`` in the service's health), logged as a warning when it
    starts, and retried slowly."""
    client = factory()
    if hasattr(client, "backoff"):  # a test's wrapper around the client may not pass it on
        client.backoff = backoff
    was_refused = backoff.login_refused
    try:
        client.connect()
    except Sip2Error as exc:
        wait = backoff.remaining()
        if isinstance(exc, Sip2LoginRefused) and not was_refused:
            _service_log.warning(
                "ILS login refused: check [sip2] user and password; retrying every %.0f s", wait
            )
        else:
            _service_log.log(level, "%s: %s (next attempt in %.1f s)", failure, type(exc).__name__, wait)
        quietly_close(client)
        return None
    return client
