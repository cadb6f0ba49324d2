"""Start-up: a request that arrives before the first connection to the ILS has been made waits for that
first attempt instead of being served offline (a member at a kiosk that has just started is not told
"offline" while the ILS is fine), and a dead ILS at start-up still gives an offline answer."""

from __future__ import annotations

import queue
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store import TransactionQueue
from sip2.client import Sip2Client
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import LIMIT, client_settings


class GatedClient:
    """A real SIP2 client whose first ``connect()`` waits until the test opens the gate."""

    def __init__(self, client: Sip2Client, gate: threading.Event, connecting: threading.Event) -> None:
        self._client = client
        self._gate = gate
        self._connecting = connecting

    def connect(self) -> None:
        self._connecting.set()
        assert self._gate.wait(LIMIT), "the test never opened the gate"
        self._client.connect()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


Results = "queue.Queue[ev.Event]"
Started = tuple[CirculationService, Results, threading.Event, threading.Event, TransactionQueue]


def start_service(port: int, tmp_path: Path) -> Started:
    """A circulation service whose first connection waits for the test's gate."""
    # Generous timeouts: a loaded machine must not turn a slow first contact into "offline" (the dead-ILS
    # case below fails at once: nothing listens on its port).
    patient = replace(client_settings(port), connect_timeout=15.0, read_timeout=15.0)
    results: queue.Queue[ev.Event] = queue.Queue()
    gate, connecting = threading.Event(), threading.Event()
    store = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    service = CirculationService(
        lambda: GatedClient(Sip2Client(patient), gate, connecting),
        store,
        OfflinePolicy(allow_loans=True, max_loans_per_pass=3, offline_pass_validation=True),
        results.put,
        validate_pass=lambda n: True,
        probe_interval=0.2,
        offline_after=30.0,
    )
    service.start()
    return service, results, gate, connecting, store


def first_result(results: queue.Queue[ev.Event]) -> ev.Event:
    """The first answer to a request (skipping IlsOnline/IlsOffline announcements)."""
    while True:
        event = results.get(timeout=LIMIT)
        if isinstance(event, ev.ResultEvent):
            return event


def test_a_patron_at_a_kiosk_that_is_still_connecting_is_served_online(
    sim: IlsSimulator, tmp_path: Path
) -> None:
    service, results, gate, connecting, store = start_service(sim.port, tmp_path)
    try:
        assert connecting.wait(LIMIT)
        service.submit(fx.LookUpPatron(1, demo.NORMAL, demo.NORMAL_PIN))  # before the first connection
        gate.set()
        found = first_result(results)
        assert isinstance(found, ev.PatronFound) and not found.offline
        assert service.online
    finally:
        service.stop()
        store.close()


def test_an_ils_that_is_down_at_start_up_gives_an_offline_answer(tmp_path: Path, free_port: int) -> None:
    service, results, gate, connecting, store = start_service(free_port, tmp_path)  # nobody listens
    try:
        assert connecting.wait(LIMIT)
        service.submit(fx.CheckIn(1, "30301000500013"))
        gate.set()
        returned = first_result(results)
        assert isinstance(returned, ev.ItemCheckedIn) and returned.offline
        assert [row.item_id for row in store.all()] == ["30301000500013"]
        assert not service.online
    finally:
        service.stop()
        store.close()
