"""The running kiosk: the patron session core on its own thread, effects handed to the services.

The core (:mod:`kiosk.core`) is pure; this module is the one place where it meets threads:

* :meth:`KioskRuntime.send` queues an event from any thread (Kivy, a pass reader, a service) and
  returns at once, so the UI never blocks.
* One *session thread* applies events to the :class:`~kiosk.core.Session` in order and hands each
  effect to the first service whose ``submit(effect)`` accepts it (circulation, payments, receipts).
  Services do their I/O on their own workers and post result events back with :meth:`send`.
* Every new view goes to the UI's subscribers (the view is the one channel from the core to the UI:
  screen, language, banners, prompts, service mode, the end of a session), and effects no service
  takes (sounds); the UI marshals them to the Kivy thread with ``Clock.schedule_once``.

The runtime implements the UI's ``UiRuntime`` protocol (``view``, ``send``, ``subscribe``,
``subscribe_effects``) and ``settle()`` for tests and benchmarks (wait until all work is done).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from kiosk.core import Session, SessionView
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.service import Availability, ServiceMode

log = logging.getLogger(__name__)

ViewListener = Callable[[SessionView], None]
EffectListener = Callable[[fx.Effect], None]


class EffectHandler(Protocol):
    """A service that carries out some effects (``submit`` returns False for the others)."""

    def submit(self, effect: fx.Effect) -> bool:
        """Take ``effect`` (returning at once) or decline it."""


class KioskRuntime:
    """Session core + services + subscribers. Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(
        self,
        session: Session,
        handlers: Iterable[EffectHandler] = (),
        *,
        on_stop: Iterable[Callable[[], None]] = (),
    ) -> None:
        """``on_stop`` callables release services and devices, in order, when the runtime stops."""
        self.session = session
        self.handlers = list(handlers)
        self._on_stop = list(on_stop)
        self._events: queue.Queue[ev.Event | None] = queue.Queue()
        self._view = session.view
        self._view_listeners: list[ViewListener] = []
        self._effect_listeners: list[EffectListener] = []
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    # --- what the UI uses ---------------------------------------------------------------------------
    @property
    def view(self) -> SessionView:
        """The view after the last processed event."""
        return self._view

    def send(self, event: ev.Event) -> None:
        """Queue ``event`` for the session thread; never blocks."""
        with self._idle:
            self._pending += 1
        self._events.put(event)

    @property
    def service_mode(self) -> ServiceMode:
        """The core's service mode after the last processed event."""
        return self._view.service

    @property
    def out_of_order(self) -> bool:
        """True when the core is out of order (monitoring's gauge, the maintenance panel)."""
        return self._view.service.out_of_order

    def set_availability(self, availability: Availability) -> None:
        """Ask the core to change its availability (applied in order with every other event)."""
        self.send(ev.ServiceModeChanged(availability))

    def subscribe(self, callback: ViewListener) -> None:
        """Call ``callback(view)`` from the session thread after every event."""
        self._view_listeners.append(callback)

    def subscribe_effects(self, callback: EffectListener) -> None:
        """Call ``callback(effect)`` for each effect no service took (sounds)."""
        self._effect_listeners.append(callback)

    # --- lifecycle -----------------------------------------------------------------------------------
    def add_on_stop(self, release: Callable[[], None]) -> None:
        """Release ``release`` when the runtime stops (after everything registered before it)."""
        self._on_stop.append(release)

    def start_ticking(self, interval: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        """Post a :class:`Tick` every ``interval`` s (the UI does this itself; headless mode needs it
        so an idle session still times out and its data is cleared)."""
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(interval):
                self.send(ev.Tick(clock()))

        threading.Thread(target=tick, name="kiosk-ticks", daemon=True).start()
        self.add_on_stop(stop.set)

    def start(self) -> None:
        """Start the session thread (services are started by whoever built them)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-session", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the session thread, then release services and devices."""
        if self._thread is not None:
            self._events.put(None)
            self._thread.join(timeout=5)
            self._thread = None
        for release in reversed(self._on_stop):
            try:
                release()
            except Exception:  # one broken device must not keep the others open
                log.exception("error while stopping %r", release)
        self._on_stop.clear()

    def settle(self, timeout: float = 10.0, quiet: Callable[[], bool] | None = None) -> None:
        """Wait until every queued event is processed (and ``quiet()`` holds, e.g. services idle).

        For tests and benchmarks: they wait on a condition, never on a fixed time.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._idle:
                while self._pending:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("the kiosk runtime did not settle")
                    self._idle.wait(left)
            if quiet is None or quiet():
                with self._idle:
                    if not self._pending:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError("the kiosk services did not settle")
            time.sleep(0.005)

    # --- the session thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                return
            try:
                self._apply(event)
            except Exception:  # keep the kiosk alive; the core already resets itself on its own bugs
                log.exception("error while applying %s", type(event).__name__)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _apply(self, event: ev.Event) -> None:
        effects = self.session.handle(event)
        view = self.session.view
        changed = view != self._view
        self._view = view
        for effect in effects:
            if not any(handler.submit(effect) for handler in self.handlers):
                for listener in self._effect_listeners:
                    listener(effect)
        if changed:
            for view_listener in self._view_listeners:
                view_listener(view)
