"""Fixtures: the driver wired to the simulator over a real pseudo-terminal pair or real TCP on 127.0.0.1.

The default timers are generous (several seconds): a timer that runs out while the other side is merely
slow (a loaded CI machine) would repeat frames or reverse payments. Only a test about a timer running
out while the other side is silent *on purpose* shortens that timer (:data:`SILENT_TIMERS`): load can
then only make it run out later, never wrongly. Nothing asserts on elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.payment import TerminalEvent, ZvtTerminal
from drivers.payment.link import SerialChannel, SerialLink, TcpLink, Timers, connect_tcp
from drivers.payment.sim_books import Books
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator

PASSWORD = "123456"
TEST_TIMERS = Timers(t1=0.5, t2=5.0, t3=10.0, t4=10.0, repeats=2)
#: Short timers, only for waits on a side that is silent by design (no ACK, no answer, no Completion).
SILENT_TIMERS = Timers(t1=0.1, t2=0.25, t3=1.0, t4=1.0, repeats=2)
#: The Completion wait after a terminal falls silent by design, where the messages before the silence
#: count against it too: short enough for the suite, long for a thread held up by load.
QUIET_T4 = 3.0
# slow_ack: in that scenario every ACK of the payment comes 0.3 s late (well within T2).
SIM_SETTINGS = SimSettings(
    password=PASSWORD, card_wait=0.3, power_off=0.05, commit_timeout=10.0, slow_ack=0.3
)


@dataclass
class Rig:
    """A driver connected to a simulator, with the screen events the driver reported."""

    term: ZvtTerminal
    sim: TerminalSimulator
    transport: str
    events: list[TerminalEvent] = field(default_factory=list)


def make_rig(
    transport: str,
    books: Books | None = None,
    settings: SimSettings = SIM_SETTINGS,
    kiosk_timers: Timers = TEST_TIMERS,
) -> Rig:
    """Start a simulator on ``transport`` ("pty" or "tcp") and connect a driver to it."""
    sim = TerminalSimulator(settings, books or Books(), TEST_TIMERS)
    events: list[TerminalEvent] = []
    if transport == "pty":
        link: SerialLink | TcpLink = SerialLink(SerialChannel(sim.start_pty()), kiosk_timers)
    else:
        link = TcpLink(connect_tcp("127.0.0.1", sim.start_tcp("127.0.0.1", 0)), kiosk_timers)
    term = ZvtTerminal(
        link,
        password=PASSWORD,
        on_status=events.append,
        on_close=sim.stop,
        vending_timeout=30,
        max_status_infos=3,
    )
    term.simulator = sim
    return Rig(term, sim, transport, events)


@pytest.fixture(params=["pty", "tcp"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    """Driver ⇄ simulator over a pty pair and over TCP."""
    r = make_rig(request.param)
    try:
        yield r
    finally:
        r.term.close()


@pytest.fixture
def pty_rig() -> Iterator[Rig]:
    """Driver ⇄ simulator over a pty pair only (serial link layer behaviour)."""
    r = make_rig("pty")
    try:
        yield r
    finally:
        r.term.close()


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    """Where a simulator keeps its books."""
    return tmp_path / "terminal-state.json"
