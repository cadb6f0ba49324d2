"""Fixtures for the flow tests: a fresh ILS simulator with the Dutch demo data on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sip2.simulator import IlsSimulator
from tests.core.harness import Kiosk


@pytest.fixture
def sim() -> Iterator[IlsSimulator]:
    """A running simulator (demo library), stopped afterwards."""
    simulator = IlsSimulator(host="127.0.0.1", port=0)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def kiosk(sim: IlsSimulator, tmp_path: Path) -> Iterator[Kiosk]:
    """A kiosk connected to ``sim`` (offline loans allowed, 3 per pass, check digit required)."""
    k = Kiosk(sim, tmp_path)
    yield k
    k.close()
