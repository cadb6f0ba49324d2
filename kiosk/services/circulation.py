"""The circulation service: carries out the session's SIP2 effects, online or offline.

It is the worker: one thread that owns the SIP2 link (one request outstanding per socket) and takes
jobs in order from one queue (:mod:`kiosk.services.circulation_jobs`); results go back through
``post(event)`` -- the application hands them to the UI thread (Kivy: ``Clock.schedule_once``).
Its parts, each in its own module:

* the link (:class:`~kiosk.services.circulation_link.IlsLink`): the current SIP2 client, online or
  offline, connect and backoff, the reconnect thread, the watchdog's view of the request in flight;
  the connection itself is :mod:`sip2.link`'s;
* the health monitor (:class:`~kiosk.services.circulation_watch.HealthMonitor`): switches to offline
  within ``offline_after`` (default 1.5 s) of the ILS failing -- a keepalive (SIP2 99) every
  ``probe_interval`` while idle, and a watchdog that abandons a request hanging longer than
  ``offline_after`` (closing the socket wakes the worker);
* the desks: :class:`~kiosk.services.circulation_online.OnlineDesk` (what each effect becomes in SIP2,
  over a :class:`~kiosk.services.circulation_watch.WatchedClient`) and
  :class:`~kiosk.services.circulation_offline.OfflineDesk` (the offline policy: returns always queued;
  loans only when ``allow_loans``, at most ``max_loans_per_pass`` per pass, for passes that pass the
  offline check; renew and account unavailable); this module decides which one answers;
* the replay (:class:`~kiosk.services.circulation_replay.QueueReplayer`): when the link comes back the
  worker announces :class:`~kiosk.core.events.IlsOnline` and replays the queue before anything else.

A stack on the RFID pad is a row of loans (returns) in the job queue. The answer to one of them is posted
once the next one's request is on its way to the ILS (the link's ``on_wait``), not before: posted at once,
it wakes the session thread, which then takes the interpreter from the worker between an ILS answer and
the next request (about half a millisecond per item). Answers keep their order; the last one of a stack,
and the answer before a request that never goes out (offline, an error), are posted without waiting.

At start the worker's first job is one connection attempt (bounded by the client's connect timeout): a
patron who taps a pass while the kiosk is still connecting waits for it instead of being served
offline; when it fails the kiosk starts offline and the link keeps trying.  A loan or return whose
outcome became unknown online (link died mid-request) is queued "in doubt": the replay asks the ILS
before sending it again (see :mod:`kiosk.store.replay`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.errors import NoConnection
from kiosk.services.circulation_jobs import HANDLED, FirstContact, Jobs, Probe, Purge, Recovered, Replay
from kiosk.services.circulation_link import ClientFactory, IlsLink, probe
from kiosk.services.circulation_offline import (
    OfflineDesk,
    OfflinePolicy,
    PassValidator,
    default_pass_validator,
)
from kiosk.services.circulation_online import OnlineDesk
from kiosk.services.circulation_replay import QueueReplayer
from kiosk.services.circulation_watch import HealthMonitor, WatchedClient
from kiosk.store.queue import TransactionQueue
from kiosk.store.replay import ReplayReport
from sip2.errors import Sip2Error
from sip2.reconnect import ReconnectBackoff

__all__ = ["CirculationService", "OfflinePolicy", "PassValidator", "default_pass_validator"]

log = logging.getLogger(__name__)

Post = Callable[[ev.Event], None]


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
        self._deliver = post
        self._held: ev.Event | None = None  # an answer posted when the next request is on its way
        self._answering = threading.Lock()  # every event leaves in order, whichever thread posts it
        self._stop = threading.Event()
        self._jobs = Jobs()
        self.link = IlsLink(
            client_factory,
            self._post,
            self._jobs.recovered,
            self._stop,
            offline_after=offline_after,
            clock=clock,
        )
        self.monitor = HealthMonitor(
            self.link, self._jobs, self._stop, probe_interval=probe_interval, clock=clock
        )
        self.replayer = QueueReplayer(store, self.link, self._jobs, self._stop)
        self.desk = OfflineDesk(store, policy, validate_pass or default_pass_validator())
        self.online_desk = OnlineDesk(WatchedClient(self.link), self._post, self.replayer)
        self._threads: list[threading.Thread] = []
        self.link.on_wait = self._post_held
        self.first_contact = threading.Event()  # set when the first connect attempt ended (sd_notify)

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the worker (whose first job is connecting: online, or offline and reconnecting) and the
        health monitor."""
        for name, target in (("circulation-worker", self._work), ("circulation-health", self.monitor.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._jobs.put(FirstContact())
        self._jobs.put(Purge())

    def stop(self) -> None:
        """Stop the threads and close the connection (queued transactions stay on disk)."""
        self._stop.set()
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self.link.close()

    # --- state (the link's, for monitoring, maintenance and tests) -----------------------------------
    @property
    def busy(self) -> bool:
        """Whether an effect or a replay is waiting or running, or an answer is held back (the runtime
        settles on this)."""
        return self.link.busy or not self._jobs.empty() or self._held is not None

    @property
    def online(self) -> bool:
        """Whether the ILS is reachable now."""
        return self.link.online

    @property
    def offline_after(self) -> float:
        """Seconds a request may hang before the ILS counts as down (``[sip2] offline_after``)."""
        return self.link.offline_after

    @offline_after.setter
    def offline_after(self, seconds: float) -> None:
        self.link.offline_after = seconds

    @property
    def probe_interval(self) -> float:
        """Seconds idle before a keepalive (``[sip2] keepalive_interval``)."""
        return self.monitor.probe_interval

    @property
    def latency(self) -> float | None:
        """The last request's round trip in seconds."""
        return self.link.latency

    @property
    def on_latency(self) -> Callable[[float], None] | None:
        """Called with each request's round trip (monitoring's histogram)."""
        return self.link.on_latency

    @on_latency.setter
    def on_latency(self, observe: Callable[[float], None] | None) -> None:
        self.link.on_latency = observe

    @property
    def offline_since(self) -> float | None:
        """When the ILS went offline (wall clock), None while online."""
        return self.link.offline_since

    @property
    def backoff(self) -> ReconnectBackoff:
        """When the next connection attempt may be made (shared by every fresh client)."""
        return self.link.backoff

    @property
    def last_replay(self) -> ReplayReport | None:
        """What the last replay did."""
        return self.replayer.last_report

    def health(self) -> dict[str, Any]:
        """ILS and queue health for monitoring (counts and times only)."""
        counts = self.store.counts()
        depth = counts["queued"] + counts["sending"]
        return {
            "ils_online": self.link.online, "ils_latency_s": self.link.latency,
            "ils_offline_since": self.link.offline_since, "queue_depth": depth,
            "queue_failed": counts["failed"], "queue_storage_error": self.desk.storage_error,
            "ils_login_refused": self.link.backoff.login_refused,
        }  # fmt: skip

    # --- jobs ----------------------------------------------------------------------------------------
    def submit(self, effect: fx.Effect) -> bool:
        """Queue an effect for the worker; False when it is not a circulation effect (not ours)."""
        if not isinstance(effect, HANDLED):
            return False
        self._jobs.put(effect)
        return True

    def replay_now(self) -> None:
        """Ask the worker to replay the queue (it also does so by itself after recovery)."""
        self._jobs.replay_later()

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                break
            try:
                self._run(job)
            except Exception:  # never let the worker die: the kiosk would hang on the next scan
                log.exception("circulation job %s failed", type(job).__name__)
        self._post_held()

    def _post(self, event: ev.Event) -> None:
        """Post ``event`` to the application, after the answer held back (if any)."""
        with self._answering:
            self._deliver_held()
            self._deliver(event)

    def _post_held(self) -> None:
        """Post the answer held back for the next request (the link calls this when it waits)."""
        with self._answering:
            self._deliver_held()

    def _hold(self, answer: ev.Event) -> None:
        """Keep ``answer`` until the next request is on its way (the previous one goes now, if held)."""
        with self._answering:
            self._deliver_held()
            self._held = answer

    def _deliver_held(self) -> None:
        """Deliver the held answer, if any (the caller holds ``_answering``)."""
        held, self._held = self._held, None
        if held is not None:
            self._deliver(held)

    def _run(self, job: object) -> None:
        if not isinstance(job, fx.Effect):
            self._post_held()
        if isinstance(job, FirstContact):
            client = self.link.connect(logging.WARNING, "ILS unreachable at start, starting offline")
            self.first_contact.set()
            if client is None:
                self.link.start_recovery()
            else:
                self._run(Recovered(client))
        elif isinstance(job, Recovered):
            self.link.go_online(job.client)
            self.replayer.replay(yield_to_patrons=True)
        elif isinstance(job, Probe):
            if self.link.online:
                try:
                    self.link.call("probe", probe)
                except (Sip2Error, NoConnection):
                    return  # already switched to offline by the link
                self.replayer.replay(yield_to_patrons=True)  # anything left (e.g. another replayer was busy)
        elif isinstance(job, Replay):
            if self.link.online:
                self.replayer.replay(yield_to_patrons=True)
        elif isinstance(job, Purge):
            self.store.purge()
        elif isinstance(job, fx.Effect):
            try:
                answer = self._carry_out(job)
            except BaseException:
                self._post_held()  # no request of this job went out: the previous answer goes now
                raise
            next_request = self.link.online and self._jobs.next_is_loan_or_return()
            if isinstance(job, fx.CheckOut | fx.CheckIn) and next_request:
                self._hold(answer)
            else:
                self._post(answer)

    # --- effects -------------------------------------------------------------------------------------
    def _carry_out(self, effect: fx.Effect) -> ev.Event:
        if self.link.online:
            if isinstance(effect, fx.CheckOut | fx.CheckIn) and self.replayer.still_waiting_for(
                effect.item_id
            ):
                # A queued row for this item is still waiting (e.g. `kiosk queue replay` holds the replay):
                # sent now, this one would overtake it (a return applied before the offline loan it
                # undoes is a no-op, then the loan replays). It goes through the queue, behind that row.
                return self.desk.behind_queue(effect)
            try:
                return self.online_desk.carry_out(effect)
            except (Sip2Error, NoConnection) as exc:
                return self._after_failure(effect, exc)
        return self.desk.carry_out(effect, self._post)

    def _after_failure(self, effect: fx.Effect, exc: Exception) -> ev.Event:
        """The ILS failed during this effect: a loan/return may have been applied (queued in doubt)."""
        if isinstance(exc, Sip2Error):
            return self.desk.in_doubt(effect)
        return self.desk.carry_out(effect, self._post)
