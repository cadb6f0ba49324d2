"""A short ILS hang must not leave the circulation service offline for good (review finding): the
watchdog gives up on a hanging request, the SIP2 client recovers that request by itself, and the service
must still come back online (IlsOnline) and keep serving."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import events as ev
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store.queue import TransactionQueue
from sip2.client import ClientSettings, Sip2Client
from sip2.simulator import IlsSimulator

from .waiting import wait_until


@pytest.fixture
def ils() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(port=0)
    simulator.start()
    yield simulator
    simulator.stop()


def test_service_comes_back_online_after_a_hang_the_client_survived(ils: IlsSimulator) -> None:
    events: list[ev.Event] = []
    # Generous client timeouts: only the service's watchdog (1.5 s) is meant to give up here.
    settings = ClientSettings(
        "127.0.0.1",
        ils.port,
        user="kiosk",
        password="demo",
        institution="WIERDEN",
        location="KIOSK1",
        connect_timeout=15.0,
        read_timeout=15.0,
        keepalive_interval=0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        service = CirculationService(
            lambda: Sip2Client(settings),
            store,
            OfflinePolicy(),
            events.append,
            validate_pass=lambda number: True,
            probe_interval=0.3,
        )
        service.start()
        try:
            wait_until(lambda: service.online, what="online")
            ils.faults.latency = 2.0  # the next probe hangs past the watchdog (1.5 s) ...
            wait_until(lambda: not service.online, what="offline after the hang")
            ils.faults.latency = 0.0  # ... and the ILS is fine again a moment later
            wait_until(lambda: service.online, what="back online")
            kinds = [type(e).__name__ for e in events]
            assert kinds[-2:] == ["IlsOffline", "IlsOnline"], kinds
        finally:
            service.stop()
            store.close()
