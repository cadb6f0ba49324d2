"""Issue 12 item 3, against a terminal simulator in ``strict_ack`` mode (any byte but an ACK while it
waits for one is a failed try): after a restart, recovery listens first and answers only what the
terminal asks, so a terminal that is repeating its Status-Information is never talked over.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.payment.link import SerialLink, Timers
from drivers.payment.sim_books import COMMITTED, Books
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator
from kiosk.payments.states import State
from sip2.simulator import IlsSimulator
from tests.foundation.waiting import wait_until
from tests.payments_flow.rig import PASSWORD
from tests.payments_flow.test_crash import FEES, PAY_BOTH, Crash, assert_books_agree

#: The spec's T2 and repeats (as the kiosk's): a frame nobody acknowledges is repeated after 5 s, twice.
STRICT_TIMERS = Timers(t1=0.5, t2=5.0, t3=10.0, t4=10.0, repeats=2)


def start_strict_terminal() -> tuple[TerminalSimulator, str]:
    settings = SimSettings(password=PASSWORD, card_wait=0.3, step_delay=0.02, power_off=0.05,
                           commit_timeout=30.0, ask_again_delay=1.0, strict_ack=True)  # fmt: skip
    sim = TerminalSimulator(settings, Books(), STRICT_TIMERS)
    return sim, sim.start_pty()


@pytest.fixture
def strict(ils: IlsSimulator, tmp_path: Path) -> Iterator[Crash]:
    terminal, tty = start_strict_terminal()
    try:
        yield Crash(terminal, tty, ils, tmp_path / "kiosk.db")
    finally:
        terminal.stop()


def test_restart_while_the_terminal_waits_for_the_ack_of_its_repeated_status_information(
    strict: Crash,
) -> None:
    # Fee Paid is applied at once but its answer takes 3 s: meanwhile the kiosk tells the terminal to
    # ask again (84 9C) every ~1.2 s. It is killed right after the 4th: the fee is recorded at the ILS
    # by then, and a moment later (ask_again_delay) the terminal asks again with a fresh 04 0F that
    # nobody acknowledges; it waits for the ACK and repeats after T2.
    strict.ils.faults.latency = 3.0
    code, _ = strict.run(*PAY_BOTH, "--kill-after-sent", "849C#4")
    assert code == -signal.SIGKILL
    strict.ils.faults.latency = 0.0
    link = strict.terminal._link
    assert isinstance(link, SerialLink)
    wait_until(lambda: link._awaiting_ack, what="the terminal waiting for the ACK of its repeated 04 0F")
    strict.restart()
    rec = assert_books_agree(strict, FEES)
    assert rec.state is State.DONE  # the fee was recorded: the held payment is committed, not lost
    assert [p.state for p in strict.terminal.books.payments()] == [COMMITTED]
    assert link.failed_tries == 0  # recovery never talked while the terminal waited for an ACK


def test_listening_never_outlasts_the_terminal_s_hold_window() -> None:
    from kiosk.payments.terminal import listen_time

    class Term:
        timers = Timers(t1=0.2, t2=5.0)
        vending_timeout = 30

    full = 5.2
    assert listen_time(Term(), last_write=1000.0, now=1002.0) == pytest.approx(full)  # type: ignore[arg-type]
    # 26 s after the last journal write only 4 s of the 30 s hold are left: listen until 1 s before
    assert listen_time(Term(), last_write=1000.0, now=1026.0) == pytest.approx(3.0)  # type: ignore[arg-type]
    assert listen_time(Term(), last_write=1000.0, now=1040.0) == 0.0  # type: ignore[arg-type]
