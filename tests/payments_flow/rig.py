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
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator
from kiosk.payments.ils import IlsFees
from kiosk.payments.journal import JournalHook, PaymentJournal
from kiosk.payments.recovery import AlertHook
from kiosk.payments.service import PaymentService
from sip2.client import ClientSettings, Sip2Client
from sip2.simulator import IlsSimulator
from sip2.simulator.demo import FEES, INSTITUTION

PASSWORD = "123456"
#: Generous ZVT timers: a simulator or kiosk thread held up by a loaded machine must never make a frame
#: repeat or a payment time out. Tests about a silent terminal shorten the one wait that is silent on
#: purpose (:data:`SILENT_TIMERS`); load can then only make that wait run out later.
TIMERS = Timers(t1=0.5, t2=5.0, t3=10.0, t4=10.0, repeats=2)
SILENT_TIMERS = Timers(t1=0.1, t2=0.25, t3=1.0, t4=1.0, repeats=2)
#: SIP2 timeouts: generous; only a test about an ILS that drops a reply shortens them (ILS_SILENT).
ILS_PATIENT = (10.0, 10.0, 5.0)  # connect, read, resend
ILS_SILENT = (1.0, 1.0, 0.5)
PATRON = FEES  # demo patron with fees 900001 (0.50) and 900002 (2.50)
FEE_SMALL, FEE_HOLD = "900001", "900002"


def start_terminal(
    commit_timeout: float = 20.0, books: Books | None = None, strict_ack: bool = True
) -> tuple[TerminalSimulator, str]:
    """A terminal simulator on a fresh pty (in this process); returns it and the path the kiosk opens.

    ``commit_timeout``: how long it holds an approved payment for the kiosk's answer (issue of goods).
    ``strict_ack``: as strict as the least forgiving terminals (any byte but ACK while it waits for
    one is a failed try), so the flow and crash tests see a kiosk that talks out of turn.
    """
    settings = SimSettings(password=PASSWORD, card_wait=0.3, step_delay=0.02, power_off=0.05,
                           commit_timeout=commit_timeout, strict_ack=strict_ack)  # fmt: skip
    sim = TerminalSimulator(settings, books or Books(), TIMERS)
    return sim, sim.start_pty()


def start_ils() -> IlsSimulator:
    """The ILS simulator with the demo library on a free loopback port."""
    return IlsSimulator(host="127.0.0.1", port=0).start()


def sip2_client(port: int, timeouts: tuple[float, float, float] = ILS_PATIENT) -> Sip2Client:
    """A SIP2 client for the demo ILS: ``timeouts`` (connect, read, resend), no keepalive thread."""
    connect, read, resend = timeouts
    return Sip2Client(ClientSettings(
        host="127.0.0.1", port=port, user="kiosk", password="demo", institution=INSTITUTION,
        location="KIOSK1", connect_timeout=connect, read_timeout=read, keepalive_interval=0, retries=1,
        resend_timeout=resend, reconnect_backoff_max=0.5,
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
    ils_timeouts: tuple[float, float, float] = ILS_PATIENT,
) -> PaymentService:
    """The kiosk's payment service against the simulators (journal in ``db``, key next to it).

    Issue of goods: the kiosk asks the terminal to ask again every 0.2 s while Fee Paid runs, up to
    ``max_status_infos`` times (60: about 12 s for the ILS to answer, however loaded the machine).
    """
    journal = PaymentJournal(db, db.with_suffix(".key"), on_write=on_write)
    term = open_terminal(f"zvt+serial://{tty}", password=PASSWORD, timers=TIMERS, vending_timeout=30,
                         max_status_infos=60)  # fmt: skip
    ils = IlsFees(sip2_client(ils_port, ils_timeouts))
    return PaymentService(journal, term, ils, vending=vending, on_alert=on_alert, max_amount=max_amount,
                          ask_slice=0.2, hold_quiet=1.0)  # fmt: skip


def payments_of(books: Books) -> list[tuple[int, str]]:
    """(amount, state) of every payment the terminal handled."""
    return [(tx.amount, tx.state) for tx in books.payments()]


Recorder = Callable[[str, str, str], None]
