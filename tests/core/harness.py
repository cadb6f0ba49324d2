"""A kiosk without a UI for the flow tests: the session machine, the circulation service, a real SIP2
client and the ILS simulator over TCP on 127.0.0.1.

``Kiosk.do(event)`` hands the event to the session, gives the effects to the service and feeds the
result events back until every answer has arrived (as the UI thread would, minus Kivy). Waits are
bounded only so that a broken build fails instead of hanging; nothing asserts on time.

Timeouts are patient (:data:`PATIENT`, :data:`OFFLINE_AFTER`): a slow moment on a loaded machine must
not send the kiosk offline. A test about the watchdog shortens ``kiosk.service.offline_after`` only
while the ILS hangs on purpose.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.passnumber import validate_pass_number
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.machine import Session
from kiosk.core.state import SessionSettings
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store import TransactionQueue
from sip2.client import Sip2Client
from sip2.settings import ClientSettings
from sip2.simulator import IlsSimulator
from tests.foundation.waiting import wait_until

LIMIT = 60.0  # seconds: only against hangs
PATIENT = 15.0  # connect and read timeouts: far beyond any slow moment of a loaded machine
OFFLINE_AFTER = 30.0  # the watchdog's bound: longer than a read timeout, so only a real hang trips it
SETTINGS = SessionSettings(
    pin="always",
    pin_tries=3,
    idle_timeout=120.0,
    idle_warning=20.0,
    receipt="ask",
    languages=("nl", "en"),
    default_language="nl",
)


def client_settings(port: int) -> ClientSettings:
    """The demo login; the service does its own keepalive, so the client's is off."""
    return ClientSettings(
        "127.0.0.1",
        port,
        user="kiosk",
        password="demo",
        institution="WIERDEN",
        location="KIOSK1",
        connect_timeout=PATIENT,
        read_timeout=PATIENT,
        keepalive_interval=0,
    )


class Kiosk:
    """Session + circulation service + store, driven synchronously from the test thread."""

    def __init__(
        self,
        sim: IlsSimulator,
        tmp_path: Path,
        policy: OfflinePolicy | None = None,
        settings: SessionSettings = SETTINGS,
        *,
        wrap_client: Callable[[Sip2Client], Any] = lambda client: client,
        on_post: Callable[[ev.Event], None] | None = None,
    ) -> None:
        """``wrap_client`` may wrap each new SIP2 client; ``on_post`` sees every event the service posts
        (on the service's thread, before the test thread can receive it)."""
        self.results: queue.Queue[ev.Event] = queue.Queue()

        def post(event: ev.Event) -> None:
            if on_post is not None:
                on_post(event)
            self.results.put(event)

        self.store = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
        base = client_settings(sim.port)
        self.service = CirculationService(
            lambda: wrap_client(Sip2Client(replace(base, port=sim.port))),
            self.store,
            policy or OfflinePolicy(allow_loans=True, max_loans_per_pass=3, offline_pass_validation=True),
            post,
            validate_pass=lambda n: validate_pass_number(n).valid,
            probe_interval=0.2,
            offline_after=OFFLINE_AFTER,
        )
        self.session = Session(settings)
        self.effects: list[fx.Effect] = []
        self.clock = 0.0
        self.session.handle(ev.Tick(self.clock))
        self.service.start()
        self.wait_for(lambda: self.service.online)

    def close(self) -> None:
        """Stop the service and close the queue."""
        self.service.stop()
        self.store.close()

    def do(self, *events: ev.Event) -> list[fx.Effect]:
        """Apply events one by one; wait for every service answer; return all effects produced."""
        produced: list[fx.Effect] = []
        for event in events:
            self.clock += 1.0
            self.session.handle(ev.Tick(self.clock))
            expected = 0
            for effect in self.session.handle(event):
                produced.append(effect)
                if self.service.submit(effect):
                    expected += len(effect.item_ids) if isinstance(effect, fx.Renew) else 1
            while expected:
                result = self.results.get(timeout=LIMIT)
                produced += self.session.handle(result)
                if isinstance(result, ev.ResultEvent):
                    expected -= 1
        self.effects += produced
        return produced

    def pump(self) -> None:
        """Apply whatever the service posted on its own (IlsOffline / IlsOnline)."""
        while True:
            try:
                event = self.results.get_nowait()
            except queue.Empty:
                return
            self.effects += self.session.handle(event)

    def wait_for(self, condition: Callable[[], bool]) -> None:
        """Pump events until ``condition()`` holds (bounded only against hangs)."""
        wait_until(condition, what="the condition", timeout=LIMIT, interval=0, pump=self._apply_next)
        self.pump()

    def _apply_next(self) -> None:
        """Apply the next event the service posts, if one comes within a moment."""
        try:
            self.effects += self.session.handle(self.results.get(timeout=0.05))
        except queue.Empty:
            pass

    def sign_in(self, pass_number: str, pin: str) -> None:
        """Present a pass and type the PIN."""
        self.do(ev.PassPresented(pass_number), ev.PinEntered(pin))
