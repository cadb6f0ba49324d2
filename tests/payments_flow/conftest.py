"""Fixtures: the terminal simulator on a pty, the ILS simulator on TCP, and the kiosk's payment service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.payment.link import Timers
from drivers.payment.simulator import TerminalSimulator
from kiosk.payments.service import PaymentService
from kiosk.payments.states import PaymentRecord, State
from sip2.simulator import IlsSimulator
from tests.payments_flow.rig import ILS_PATIENT, TIMERS, build_service, start_ils, start_terminal


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

    def open(
        self, vending: bool = True, ils_timeouts: tuple[float, float, float] = ILS_PATIENT
    ) -> PaymentService:
        """(Re)build the payment service on the same journal, like a kiosk restart."""
        if self.service is not None:
            self.service.close()
        self.service = build_service(
            self.db, self.tty, self.ils.port, vending=vending, on_alert=lambda *a: self.alerts.append(a),
            ils_timeouts=ils_timeouts,
        )  # fmt: skip
        self.service.start()
        return self.service


@contextmanager
def silent_terminal(
    service: PaymentService, timers: Timers, *, until: State | None = None, after: State | None = None
) -> Iterator[None]:
    """The terminal falls silent on purpose in this block: the kiosk's link uses ``timers`` (short ones)
    only for that silent wait, generous ones otherwise. ``until``: short from the start of the block up
    to the journal write of that state; ``after``: short from the journal write of that state on (up to
    ``until`` if both are given)."""
    link = service.terminal.link
    advance = service.journal.advance

    def advance_and_switch(payment_id: str, state: State, **kw: object) -> PaymentRecord:
        if state is until:
            link.timers = TIMERS
        elif state is after:
            link.timers = timers
        return advance(payment_id, state, **kw)  # type: ignore[arg-type]

    link.timers = timers if until is not None and after is None else TIMERS
    service.journal.advance = advance_and_switch  # type: ignore[method-assign]
    try:
        yield
    finally:
        link.timers = TIMERS
        del service.journal.advance


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
