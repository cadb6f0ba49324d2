"""Fixtures for the simulator tests: a running simulator and a logged-in raw SIP2 socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sip2.simulator import IlsSimulator
from tests.simulator.rawsip import USERS, SipSocket


@pytest.fixture
def sim() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(host="127.0.0.1", port=0, users=USERS).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def sc(sim: IlsSimulator) -> Iterator[SipSocket]:
    """A logged-in raw connection to ``sim``."""
    conn = SipSocket(sim.port)
    assert conn.login()
    try:
        yield conn
    finally:
        conn.close()
