"""The circulation service: carries out the session's SIP2 effects, online or offline.

* All I/O runs on one worker thread that owns the SIP2 client (one request outstanding per socket);
  results go back through ``post(event)`` — the application hands them to the UI thread (Kivy:
  ``Clock.schedule_once``).
* At start the worker's first job is one connection attempt (bounded by the client's connect timeout):
  a patron who taps a pass while the kiosk is still connecting waits for it instead of being served
  offline; when it fails the kiosk starts offline and a reconnect thread keeps trying.
* A health monitor switches to offline within ``offline_after`` (default 1.5 s) of the ILS failing:
  a keepalive (SIP2 99) every ``probe_interval`` while idle, and a watchdog that abandons a request
  hanging longer than ``offline_after`` (closing the socket wakes the worker). Offline, a separate
  thread tries to reconnect; when it succeeds the worker takes the new client, announces
  :class:`~kiosk.core.events.IlsOnline` and replays the queue before anything else.
* Offline policy ([offline]): returns are always accepted and queued; loans only when ``allow_loans``,
  at most ``max_loans_per_pass`` queued per pass, and only for passes that pass the offline check;
  renew and account are unavailable (the UI says so).
* What each effect becomes in SIP2 is :mod:`kiosk.services.circulation_online` (online) and
  :mod:`kiosk.services.circulation_offline` (offline); this module decides which one answers.
* A loan or return whose outcome became unknown online (link died mid-request) is queued "in doubt":
  the replay asks the ILS before sending it again (see :mod:`kiosk.store.replay`).
"""

from __future__ import annotations

import logging
import queue as queue_mod
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.errors import NoConnection
from kiosk.services.circulation_link import (
    Watched,
    WatchedClient,
    abort,
    connect_client,
    probe,
    quietly_close,
)
from kiosk.services.circulation_offline import (
    OfflineDesk,
    OfflinePolicy,
    PassValidator,
    default_pass_validator,
)
from kiosk.services.circulation_online import OnlineDesk
from kiosk.store.queue import TransactionQueue
from kiosk.store.replay import Replayer, ReplayReport
from sip2.errors import Sip2Error
from sip2.reconnect import ReconnectBackoff

__all__ = ["CirculationService", "OfflinePolicy", "PassValidator", "default_pass_validator"]

log = logging.getLogger(__name__)

Post = Callable[[ev.Event], None]
ClientFactory = Callable[[], Any]
HANDLED = (fx.LookUpPatron, fx.CheckOut, fx.CheckIn, fx.Renew, fx.LoadAccount)
PURGE_INTERVAL = 3600.0  # seconds between retention purges of failed rows


class _Probe:
    """Worker job: a keepalive."""


@dataclass
class _Recovered:
    """Worker job: the reconnect thread has a fresh, logged-in client."""

    client: Any


class _FirstContact:
    """Worker job at start-up: try the ILS once (bounded by the client's connect timeout) before any
    patron's request, so a member at a kiosk that has just started is not served offline while the ILS
    is fine. Requests that arrive meanwhile wait behind it in the job queue."""


class _Replay:
    """Worker job: replay the queue."""


class _Purge:
    """Worker job: delete failed rows past the retention period (at start, then hourly)."""


class CirculationService:
    """Runs circulation effects against the ILS, with offline fallback and automatic replay."""

    def __init__(
        self,
        client_factory: ClientFactory,
        store: TransactionQueue,
        policy: OfflinePolicy,
        post: Post,
        *,
        validate_pass: PassValidator | None = None,
        probe_interval: float = 1.0,
        offline_after: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``client_factory()`` returns a NEW, unconnected SIP2 client (``sip2.client.Sip2Client``)."""
        self._factory = client_factory
        self.store = store
        self._post = post
        self.desk = OfflineDesk(store, policy, validate_pass or default_pass_validator())
        watched = WatchedClient(self._call, lambda: self._client)
        self.online_desk = OnlineDesk(watched, post, self._replay_if_queued)
        self.probe_interval = probe_interval
        self.offline_after = offline_after
        self._clock = clock
        self._jobs: queue_mod.Queue[object] = queue_mod.Queue()
        self._client: Any = None
        self._online = False
        self._stop = threading.Event()
        self._recovering = threading.Event()
        # Guards the client, the online flag and the watchdog's view of the request in flight (re-entrant:
        # the watchdog goes offline while holding it, so no new request can start in between).
        self._lock = threading.RLock()
        self._busy_since: float | None = None
        self._last_ok = 0.0
        self.latency: float | None = None
        self.on_latency: Callable[[float], None] | None = None  # monitoring's round-trip histogram
        self.offline_since: float | None = time.time()
        #: When the next connection attempt may be made: the one reconnect policy (sip2.reconnect), shared
        #: by every fresh client this service makes (issue 11 item 5: no reconnect storm).
        self.backoff = ReconnectBackoff()
        self.last_replay: ReplayReport | None = None
        self._threads: list[threading.Thread] = []
        self.first_contact = threading.Event()  # set when the first connect attempt ended (sd_notify)

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the worker (whose first job is connecting: online, or offline and reconnecting) and the
        health monitor."""
        for name, target in (("circulation-worker", self._work), ("circulation-health", self._watch)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._jobs.put(_FirstContact())
        self._jobs.put(_Purge())

    def stop(self) -> None:
        """Stop the threads and close the connection (queued transactions stay on disk)."""
        self._stop.set()
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._close_client()

    @property
    def busy(self) -> bool:
        """Whether an effect or a replay is waiting or running (the runtime settles on this)."""
        return self._busy_since is not None or not self._jobs.empty()

    @property
    def online(self) -> bool:
        """Whether the ILS is reachable now."""
        return self._online

    def health(self) -> dict[str, Any]:
        """ILS and queue health for monitoring (counts and times only)."""
        counts = self.store.counts()
        depth = counts["queued"] + counts["sending"]
        return {
            "ils_online": self._online, "ils_latency_s": self.latency,
            "ils_offline_since": self.offline_since, "queue_depth": depth, "queue_failed": counts["failed"],
            "queue_storage_error": self.desk.storage_error, "ils_login_refused": self.backoff.login_refused,
        }  # fmt: skip

    def submit(self, effect: fx.Effect) -> bool:
        """Queue an effect for the worker; False when it is not a circulation effect (not ours)."""
        if not isinstance(effect, HANDLED):
            return False
        self._jobs.put(effect)
        return True

    def replay_now(self) -> None:
        """Ask the worker to replay the queue (it also does so by itself after recovery)."""
        self._jobs.put(_Replay())

    # --- health --------------------------------------------------------------------------------------
    def _watch(self) -> None:
        """Keepalive while idle; abandon a request that hangs (the ILS is treated as down)."""
        tick = min(0.25, self.probe_interval / 2)
        last_purge = self._clock()
        while not self._stop.wait(tick):
            now = self._clock()
            if now - last_purge >= PURGE_INTERVAL:
                last_purge = now
                self._jobs.put(_Purge())
            busy = self._busy_since
            if self._online and busy is not None and now - busy > self.offline_after:
                with self._lock:
                    # The same request still? (Each request stores a new float object, so identity tells
                    # a request that just ended, and the next one that began, from the hanging one.)
                    if self._busy_since is not busy:
                        continue
                    log.warning("ILS request hanging for %.1f s: going offline", now - busy)
                    self._set_offline("no answer")
                    abort(self._client)  # wakes the worker: its request fails and is handled offline
            elif (
                self._online
                and busy is None
                and self._jobs.empty()
                and now - self._last_ok >= self.probe_interval
            ):
                self._jobs.put(_Probe())

    def _start_recovery(self) -> None:
        if self._recovering.is_set() or self._stop.is_set():
            return
        self._recovering.set()
        threading.Thread(target=self._reconnect, name="circulation-reconnect", daemon=True).start()

    def _reconnect(self) -> None:
        """Offline: try a fresh connection whenever the backoff allows, until one logs in."""
        try:
            while not self._stop.is_set():
                wait = self.backoff.remaining()
                if wait > 0:
                    self._stop.wait(wait)
                    continue
                client = self._try_connect(logging.DEBUG, "ILS still unreachable")
                if client is not None:
                    self._jobs.put(_Recovered(client))
                    return
        finally:
            self._recovering.clear()

    def _try_connect(self, level: int, failure: str) -> Any | None:
        """A fresh, logged-in client sharing :attr:`backoff`, or None (see :func:`connect_client`)."""
        return connect_client(self._factory, self.backoff, level, failure)

    def _went_offline(self, reason: str) -> None:
        """Worker side: drop the connection, announce offline (once) and start reconnecting."""
        self._close_client()
        self._set_offline(reason)
        self._start_recovery()

    def _set_offline(self, reason: str) -> None:
        with self._lock:
            was_online, self._online = self._online, False
        if was_online:
            self.offline_since = time.time()
            log.warning("ILS offline (%s): continuing offline", reason)
            self._post(ev.IlsOffline())

    def _close_client(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            quietly_close(client)

    # --- worker --------------------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                break
            try:
                self._run(job)
            except Exception:  # never let the worker die: the kiosk would hang on the next scan
                log.exception("circulation job %s failed", type(job).__name__)

    def _run(self, job: object) -> None:
        if isinstance(job, _FirstContact):
            client = self._try_connect(logging.WARNING, "ILS unreachable at start, starting offline")
            self.first_contact.set()
            if client is None:
                self._start_recovery()
            else:
                self._run(_Recovered(client))
        elif isinstance(job, _Recovered):
            with self._lock:
                self._client = job.client
                self._online = True
            self._last_ok = self._clock()
            self.offline_since = None
            log.info("ILS online")
            self._post(ev.IlsOnline())
            self._replay(yield_to_patrons=True)
        elif isinstance(job, _Probe):
            if self._online:
                try:
                    self._call("probe", probe)
                except (Sip2Error, NoConnection):
                    return  # already switched to offline by _call
                self._replay(yield_to_patrons=True)  # anything left waiting (e.g. another replayer was busy)
        elif isinstance(job, _Replay):
            if self._online:
                self._replay(yield_to_patrons=True)
        elif isinstance(job, _Purge):
            self.store.purge()
        elif isinstance(job, fx.Effect):
            self._post(self._carry_out(job))

    def _call(self, what: str, fn: Callable[[Any], Any]) -> Any:
        """Run one client exchange with the watchdog armed; on failure go offline and re-raise."""
        client = self._client
        if client is None:
            raise NoConnection()
        started = self._set_busy(True)
        try:
            result = fn(client)
        except Sip2Error as exc:
            self._went_offline(f"{what}: {type(exc).__name__}")
            raise
        except OSError as exc:  # a socket closed under us by the watchdog
            self._went_offline(f"{what}: {type(exc).__name__}")
            raise NoConnection() from exc
        finally:
            self._set_busy(False)
        if not self._online:
            # The watchdog gave up on this request, but the client recovered it by itself (reconnect and
            # query). Keep the reply, and take the normal way back: reconnect, IlsOnline, replay.
            self._went_offline(f"{what}: answered after the watchdog gave up")
            return result
        self._last_ok = self._clock()
        self.latency = self._last_ok - started
        if self.on_latency is not None:
            self.on_latency(self.latency)
        return result

    def _set_busy(self, busy: bool) -> float:
        """Arm (a request starts) or disarm the watchdog; returns the time."""
        now = self._clock()
        with self._lock:
            self._busy_since = now if busy else None
        return now

    def _mark_busy(self, busy: bool) -> None:
        now = self._set_busy(busy)
        if not busy:
            self._last_ok = now

    def _replay(self, yield_to_patrons: bool = False) -> None:
        """Replay the queue. ``yield_to_patrons``: pause between batches when a patron's request waits
        (and continue afterwards), so a long queue does not hold up the person at the kiosk."""
        if not self.store.waiting_count():
            return
        client = self._client
        if client is None:
            return

        def should_stop() -> bool:
            return self._stop.is_set() or (yield_to_patrons and any(
                isinstance(job, fx.Effect) for job in list(self._jobs.queue)
            ))  # fmt: skip

        # The watchdog must time each exchange, not the whole replay (10,000 rows take a while).
        report = Replayer(self.store, Watched(client, self._mark_busy)).replay(should_stop)
        self.last_replay = report
        log.info("replay: %s", report.as_dict())
        if report.confirmed or report.failed or report.resolved:
            self.store.scrub()  # the sent rows' encrypted pass numbers leave the WAL too
        if report.stopped == "busy":  # another process (kiosk queue replay) is at it; try again later
            return
        if report.stopped:
            self._went_offline(f"replay stopped: {report.stopped}")
        elif report.remaining and not self._stop.is_set():
            self._jobs.put(_Replay())  # continue after the patron's requests

    # --- effects -------------------------------------------------------------------------------------
    def _carry_out(self, effect: fx.Effect) -> ev.Event:
        if self._online:
            if isinstance(effect, fx.CheckOut | fx.CheckIn) and self._queued_ahead(effect.item_id):
                # A queued row for this item is still waiting (e.g. `kiosk queue replay` holds the replay):
                # sent now, this one would overtake it (a return applied before the offline loan it
                # undoes is a no-op, then the loan replays). It goes through the queue, behind that row.
                return self.desk.behind_queue(effect)
            try:
                return self.online_desk.carry_out(effect)
            except (Sip2Error, NoConnection) as exc:
                return self._after_failure(effect, exc)
        return self.desk.carry_out(effect, self._post)

    def _queued_ahead(self, item_id: str) -> bool:
        """Replay what waits for this item; True when a row for it is still waiting afterwards."""
        if not self.store.has_item(item_id):
            return False
        self._replay()
        return self.store.has_item(item_id)

    def _replay_if_queued(self, item_id: str) -> None:
        """A queued transaction for this item must reach the ILS before a new one."""
        if self.store.has_item(item_id):
            self._replay()

    def _after_failure(self, effect: fx.Effect, exc: Exception) -> ev.Event:
        """The ILS failed during this effect: a loan/return may have been applied (queued in doubt)."""
        if isinstance(exc, Sip2Error):
            return self.desk.in_doubt(effect)
        return self.desk.carry_out(effect, self._post)
