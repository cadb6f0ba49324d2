"""Issue 11 item 5: no reconnect storm. One backoff policy (sip2.reconnect), used by the client and by the
kiosk's circulation service (a fresh client per attempt); a refused login is a configuration alert,
retried slowly; ``[sip2] keepalive_interval`` is the idle 99. Against the simulator over TCP."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import build_kiosk
from kiosk.config import parse_config
from kiosk.monitoring.alerts import AlertPolicy
from kiosk.monitoring.health import HealthSnapshot
from kiosk.monitoring.metrics import KioskMetrics
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store.queue import TransactionQueue
from sip2.client import Sip2Client
from sip2.errors import Sip2LoginRefused
from sip2.reconnect import ReconnectBackoff
from sip2.simulator.server import IlsSimulator
from tests.foundation.waiting import PATIENT_SIP2, wait_until
from tests.sip2.conftest import settings_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_from_half_a_second_to_a_minute_with_jitter() -> None:
    clock = FakeClock()
    top = ReconnectBackoff(clock=clock, rand=lambda: 1.0)
    assert [round(top.failed(), 2) for _ in range(10)] == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    low = ReconnectBackoff(clock=clock, rand=lambda: 0.0)
    assert [round(low.failed(), 2) for _ in range(3)] == [0.25, 0.5, 1]  # jitter: the upper half
    assert low.remaining() == pytest.approx(1.0)
    clock.now += 1.0
    assert low.remaining() == 0.0


def test_a_link_that_does_not_stay_up_counts_as_a_failure() -> None:
    clock = FakeClock()
    backoff = ReconnectBackoff(clock=clock, rand=lambda: 1.0, healthy_after=10.0)
    waits = []
    for _ in range(5):  # login and status fine, then the link drops at once: again and again
        backoff.connected()
        clock.now += 0.1
        waits.append(backoff.disconnected())
    assert waits == [0.0, 0.5, 1.0, 2.0, 4.0]  # the first loss may be a restart: at once
    backoff.connected()
    clock.now += 30.0  # a link that stayed up: the backoff starts over
    assert backoff.disconnected() == 0.0 and backoff.failures == 0


def test_refused_login_is_retried_slowly() -> None:
    backoff = ReconnectBackoff(clock=FakeClock(), rand=lambda: 0.0)
    assert backoff.failed(login_refused=True) >= 270.0 and backoff.login_refused
    backoff.connected()
    assert not backoff.login_refused


@pytest.fixture
def store() -> Iterator[TransactionQueue]:
    with tempfile.TemporaryDirectory() as tmp:
        queue = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        yield queue
        queue.close()


def _service(sim: IlsSimulator, store: TransactionQueue, password: str = "secret") -> CirculationService:
    settings = settings_for(sim.port, password=password)
    service = CirculationService(
        lambda: Sip2Client(settings),
        store,
        OfflinePolicy(),
        lambda event: None,
        validate_pass=lambda number: True,
        probe_interval=0.2,
    )
    service.start()
    return service


def test_wrong_password_is_an_alert_and_not_retried_every_second(store: TransactionQueue) -> None:
    sim = IlsSimulator(users={"kiosk": "secret"}).start()
    service = _service(sim, store, password="wrong")
    try:
        wait_until(lambda: service.health().get("ils_login_refused"), what="login refused reported")
        assert sim.connections_accepted == 1
        assert service.backoff.remaining() > 60.0  # next try in minutes, not in a second
        with pytest.raises(Sip2LoginRefused):
            Sip2Client(settings_for(sim.port, password="wrong")).connect()
    finally:
        service.stop()
        sim.stop()


def test_a_server_that_drops_every_link_is_not_stormed(store: TransactionQueue) -> None:
    sim = IlsSimulator(users={"kiosk": "secret"}).start()
    sim.faults.close_after_replies = 2  # login and status answered; the next request sees EOF
    service = _service(sim, store)
    try:
        wait_until(lambda: service.backoff.failures >= 4, what="backing off")
        # One connection per attempt (the first loss may reconnect at once, once); never a storm.
        assert sim.connections_accepted <= service.backoff.failures + 2
        assert not service.health()["ils_login_refused"]
    finally:
        service.stop()
        sim.stop()


def test_login_refused_alert_metric_and_panel_line() -> None:
    policy = AlertPolicy()
    [alert] = policy.evaluate(HealthSnapshot(ils_online=False, ils_login_refused=True), now=100.0)
    assert alert.name == "ils_login_refused" and alert.state == "firing"
    [resolved] = policy.evaluate(HealthSnapshot(ils_online=True), now=200.0)
    assert resolved.name == "ils_login_refused" and resolved.state == "resolved"
    metrics = KioskMetrics()
    metrics.update(HealthSnapshot(ils_login_refused=True))
    assert metrics.registry.get_sample_value("kiosk_ils_login_refused") == 1.0


def test_keepalive_interval_sets_the_idle_probe(tmp_path: Path) -> None:
    data = tmp_path / "var"
    config = parse_config(
        f'[store]\npath = "{data}/kiosk.db"\nkey_file = "{data}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "fake://"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}keepalive_interval = 42.0\n',
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config, readers=False, start=False)
    try:
        assert kiosk.circulation.probe_interval == 42.0
    finally:
        kiosk.stop()
