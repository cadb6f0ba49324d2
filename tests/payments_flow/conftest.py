"""Fixtures: the terminal simulator on a pty, the ILS simulator on TCP, and the kiosk's payment service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.payment.simulator import TerminalSimulator
from kiosk.payments.service import PaymentService
from sip2.simulator import IlsSimulator
from tests.payments_flow.rig import build_service, start_ils, start_terminal


@dataclass
class Kiosk:
    """Everything one flow test needs: both simulators, the service, what it reported."""

    terminal: TerminalSimulator
    tty: str
    ils: IlsSimulator
    db: Path
    service: PaymentService | None = None
    alerts: list[tuple[str, str, str]] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)

    def open(self, vending: bool = True) -> PaymentService:
        """(Re)build the payment service on the same journal, like a kiosk restart."""
        if self.service is not None:
            self.service.close()
        self.service = build_service(
            self.db, self.tty, self.ils.port, vending=vending, on_alert=lambda *a: self.alerts.append(a)
        )
        self.service.start()
        return self.service


@pytest.fixture
def ils() -> Iterator[IlsSimulator]:
    """The ILS simulator (demo library) on a free loopback port."""
    sim = start_ils()
    yield sim
    sim.stop()


@pytest.fixture
def kiosk(ils: IlsSimulator, tmp_path: Path) -> Iterator[Kiosk]:
    """Terminal simulator + ILS simulator + an opened payment service (issue-of-goods mode)."""
    terminal, tty = start_terminal()
    k = Kiosk(terminal, tty, ils, tmp_path / "kiosk.db")
    try:
        yield k
    finally:
        if k.service is not None:
            k.service.close()
        terminal.stop()
