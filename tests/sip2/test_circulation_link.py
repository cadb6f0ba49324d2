"""The circulation service's parts against a real SIP2 simulator over TCP (issue 14, item 4): the
link's watched calls return typed replies and switch to offline once, the online desk lets the
offline queue send first, and the replay's client arms the watchdog around each exchange."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.errors import NoConnection
from kiosk.services.circulation_link import IlsLink, probe
from kiosk.services.circulation_online import OnlineDesk
from kiosk.services.circulation_watch import WatchedClient, WatchedReplayClient
from sip2.client import Sip2Client
from sip2.errors import Sip2ConnectionError, Sip2Error
from sip2.messages import ACSStatus, CheckoutResponse, ItemInformationResponse
from sip2.simulator import demo
from sip2.simulator.server import IlsSimulator
from tests.sip2.conftest import settings_for


@pytest.fixture
def sim() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users={"kiosk": "secret"}).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def stopping() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # ends a reconnect thread a test started


def _link(port: int, posted: list[ev.Event], stopping: threading.Event) -> IlsLink:
    return IlsLink(lambda: Sip2Client(settings_for(port)), posted.append, lambda client: None, stopping)


def test_the_link_answers_typed_times_each_call_and_goes_offline_once(stopping: threading.Event) -> None:
    sim = IlsSimulator(users={"kiosk": "secret"}).start()
    posted: list[ev.Event] = []
    link = _link(sim.port, posted, stopping)
    try:
        client = link.connect(logging.WARNING, "ILS unreachable")
        assert client is not None and not link.online
        link.go_online(client)
        assert link.online and link.client is client and posted == [ev.IlsOnline()]
        round_trips: list[float] = []
        link.on_latency = round_trips.append
        assert isinstance(link.call("probe", probe), ACSStatus)
        loan = link.call("checkout", lambda c: c.checkout(demo.NORMAL, demo.AVAILABLE, pin=demo.NORMAL_PIN))
        assert isinstance(loan, CheckoutResponse) and loan.ok
        assert len(round_trips) == 2 and link.latency == round_trips[-1] and not link.busy
    finally:
        sim.stop()
    with pytest.raises((Sip2Error, NoConnection)):
        link.call("item", lambda c: c.item_information(demo.AVAILABLE))
    assert not link.online and link.client is None and link.offline_since is not None
    with pytest.raises(NoConnection):  # no client now: fails at once, nothing announced again
        link.call("item", lambda c: c.item_information(demo.AVAILABLE))
    assert posted == [ev.IlsOnline(), ev.IlsOffline()]


class RecordingQueue:
    """A :class:`~kiosk.services.circulation_online.WaitingQueue` that notes what the ILS had applied
    for the item at the moment the desk asked it to send what waits."""

    def __init__(self, sim: IlsSimulator) -> None:
        self.sim = sim
        self.asked: list[tuple[str, int]] = []

    def send_waiting_for(self, item_id: str) -> None:
        self.asked.append((item_id, self.sim.library.times_applied("checkout", item_id=item_id)))


def test_the_online_desk_lets_the_waiting_queue_send_before_the_loan(
    sim: IlsSimulator, stopping: threading.Event
) -> None:
    posted: list[ev.Event] = []
    link = _link(sim.port, posted, stopping)
    client = link.connect(logging.WARNING, "ILS unreachable")
    assert client is not None
    link.go_online(client)
    waiting = RecordingQueue(sim)
    try:
        desk = OnlineDesk(WatchedClient(link), posted.append, waiting)
        result = desk.carry_out(fx.CheckOut(7, demo.NORMAL, demo.AVAILABLE, demo.NORMAL_PIN))
    finally:
        link.close()
    assert isinstance(result, ev.ItemCheckedOut) and result.item_id == demo.AVAILABLE
    assert waiting.asked == [(demo.AVAILABLE, 0)]  # asked before the 11 reached the ILS
    assert sim.library.times_applied("checkout", item_id=demo.AVAILABLE) == 1


class PeekingClient:
    """A real client that notes whether the watchdog was armed when an exchange ran; ``shut`` makes the
    next exchange fail as on a socket the watchdog shut down."""

    def __init__(self, client: Sip2Client, link: IlsLink) -> None:
        self.client = client
        self.link = link
        self.armed: list[bool] = []
        self.shut = False

    def item_information(self, item_id: str) -> ItemInformationResponse:
        self.armed.append(self.link.busy)
        if self.shut:
            raise ConnectionResetError("shut down by the watchdog")
        return self.client.item_information(item_id)


def test_the_replay_client_arms_the_watchdog_per_exchange(
    sim: IlsSimulator, stopping: threading.Event
) -> None:
    link = _link(sim.port, [], stopping)
    client = link.connect(logging.WARNING, "ILS unreachable")
    assert client is not None
    peek = PeekingClient(client, link)
    replay_client = WatchedReplayClient(peek, link)  # type: ignore[arg-type]
    try:
        assert isinstance(replay_client.item_information(demo.AVAILABLE), ItemInformationResponse)
        assert peek.armed == [True] and not link.busy
        peek.shut = True
        with pytest.raises(Sip2ConnectionError):  # what the replay stops on, not a bare OSError
            replay_client.item_information(demo.AVAILABLE)
        assert peek.armed == [True, True] and not link.busy
    finally:
        client.close()
