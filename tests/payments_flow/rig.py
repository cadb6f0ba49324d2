"""Wiring shared by the flow tests and the crash child: real simulators, real pty, real TCP, real SQLite.

The simulators live in the test process (so their books outlive a killed kiosk); the kiosk side (journal,
terminal driver over ``zvt+serial://<pty>``, SIP2 client over TCP) is built by :func:`build_service`,
in the test process or in a child process.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from drivers.payment import open_terminal
from drivers.payment.link import Timers
from drivers.payment.sim_books import Books
from drivers.payment.simulator import SimSettings, TerminalSimulator
from kiosk.payments.ils import IlsFees
from kiosk.payments.journal import JournalHook, PaymentJournal
from kiosk.payments.recovery import AlertHook
from kiosk.payments.service import PaymentService
from sip2.client import ClientSettings, Sip2Client
from sip2.simulator import IlsSimulator
from sip2.simulator.demo import FEES, INSTITUTION

PASSWORD = "123456"
#: Short ZVT timers: failure paths take a second, not minutes (nothing asserts on time).
TIMERS = Timers(t1=0.1, t2=0.25, t3=1.0, t4=2.0, repeats=2)
PATRON = FEES  # demo patron with fees 900001 (0.50) and 900002 (2.50)
FEE_SMALL, FEE_HOLD = "900001", "900002"


def start_terminal(commit_timeout: float = 20.0, books: Books | None = None) -> tuple[TerminalSimulator, str]:
    """A terminal simulator on a fresh pty (in this process); returns it and the path the kiosk opens.

    ``commit_timeout``: how long it holds an approved payment for the kiosk's answer (issue of goods).
    """
    settings = SimSettings(password=PASSWORD, card_wait=0.3, step_delay=0.02, power_off=0.05,
                           commit_timeout=commit_timeout)  # fmt: skip
    sim = TerminalSimulator(settings, books or Books(), TIMERS)
    return sim, sim.start_pty()


def start_ils() -> IlsSimulator:
    """The ILS simulator with the demo library on a free loopback port."""
    return IlsSimulator(host="127.0.0.1", port=0).start()


def sip2_client(port: int) -> Sip2Client:
    """A SIP2 client for the demo ILS: short timeouts, no keepalive thread."""
    return Sip2Client(ClientSettings(
        host="127.0.0.1", port=port, user="kiosk", password="demo", institution=INSTITUTION,
        location="KIOSK1", connect_timeout=1.0, read_timeout=1.0, keepalive_interval=0, retries=1,
        resend_timeout=0.5, reconnect_backoff_max=0.5,
    ))  # fmt: skip


def build_service(
    db: Path,
    tty: str,
    ils_port: int,
    *,
    vending: bool = True,
    on_alert: AlertHook | None = None,
    on_write: JournalHook | None = None,
    max_amount: Decimal | None = None,
) -> PaymentService:
    """The kiosk's payment service against the simulators (journal in ``db``, key next to it)."""
    journal = PaymentJournal(db, db.with_suffix(".key"), on_write=on_write)
    term = open_terminal(f"zvt+serial://{tty}", password=PASSWORD, timers=TIMERS, vending_timeout=30,
                         max_status_infos=20)  # fmt: skip
    ils = IlsFees(sip2_client(ils_port))
    return PaymentService(journal, term, ils, vending=vending, on_alert=on_alert, max_amount=max_amount,
                          ask_slice=0.2, hold_quiet=1.0)  # fmt: skip


def payments_of(books: Books) -> list[tuple[int, str]]:
    """(amount, state) of every payment the terminal handled."""
    return [(tx.amount, tx.state) for tx in books.payments()]


Recorder = Callable[[str, str, str], None]
