"""Crash recovery: the kiosk's payment process is SIGKILLed at each journal state (and at random
moments), restarted, and the outcome checked against the books of both simulators, which live here in
the test process and so outlive the killed child:

* no double charge (at most one payment committed on the terminal, and only one Authorization);
* no unreported payment (money committed and not reversed → every fee recorded exactly once);
* no fee marked paid without money (a ledger line → committed money for it);
* the journal agrees: DONE exactly when the money stayed taken.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from drivers.payment.sim_books import COMMITTED, REVERSED
from drivers.payment.simulator import TerminalSimulator
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.states import FINAL, PaymentRecord, State
from sip2.simulator import IlsSimulator
from tests.foundation.waiting import wait_until
from tests.payments_flow.rig import FEE_HOLD, FEE_SMALL, PATRON, start_terminal

ROOT = Path(__file__).resolve().parents[2]
PAY_BOTH = ["--pay", f"{FEE_SMALL},{FEE_HOLD}", "3.00"]
PAY_HOLD = ["--pay", FEE_HOLD, "2.50"]


@dataclass
class Crash:
    """Two simulators and a journal path; runs kiosk child processes against them."""

    terminal: TerminalSimulator
    tty: str
    ils: IlsSimulator
    db: Path

    def child(self, *args: str) -> subprocess.Popen[str]:
        cmd = [sys.executable, "-m", "tests.payments_flow.crash_child", "--db", str(self.db),
               "--tty", self.tty, "--ils-port", str(self.ils.port), *args]  # fmt: skip
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, *args: str) -> tuple[int, list[dict[str, object]]]:
        proc = self.child(*args)
        out, err = proc.communicate(timeout=60)
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        if proc.returncode not in (0, -signal.SIGKILL):
            raise AssertionError(f"child failed ({proc.returncode}):\n{err[-3000:]}")
        return proc.returncode, lines

    def restart(self) -> list[dict[str, object]]:
        """A fresh kiosk process: start-up recovery only. It must finish normally."""
        code, lines = self.run()
        assert code == 0
        return lines

    def records(self) -> list[PaymentRecord]:
        journal = PaymentJournal(self.db, self.db.with_suffix(".key"))
        try:
            return journal.all()
        finally:
            journal.close()


@pytest.fixture
def crash(ils: IlsSimulator, tmp_path: Path) -> Iterator[Crash]:
    terminal, tty = start_terminal()
    try:
        yield Crash(terminal, tty, ils, tmp_path / "kiosk.db")
    finally:
        terminal.stop()


def assert_books_agree(
    c: Crash, fees: dict[str, Decimal], desk_paid: Decimal = Decimal("0")
) -> PaymentRecord:
    """The three invariants, from the simulators' books; returns the (final) journal record."""
    (rec,) = c.records()
    assert rec.state in FINAL, f"recovery left {rec.state.value}"
    payments = c.terminal.books.payments()
    assert c.terminal.played.count("approve") <= 1  # never a second Authorization
    kept = [p for p in payments if p.state == COMMITTED]
    assert len(kept) <= 1, "double charge"
    ledger = {f.bk: c.ils.library.payments_for(f.bk) for f in rec.fees}
    assert all(len(lines) <= 1 for lines in ledger.values()), "a fee recorded twice"
    recorded = sum(lines[0].amount for lines in ledger.values() if lines)
    if kept:  # money taken: every fee recorded, for exactly that money
        assert kept[0].amount == rec.amount_cents
        assert recorded * 100 == rec.amount_cents, "unreported payment"
        assert rec.state is State.DONE
    else:  # no money: nothing recorded
        assert recorded == 0, "fee marked paid without money"
        assert rec.state in (State.CANCELLED, State.REVERSED, State.DECLINED)
        assert all(p.state in (REVERSED, "declined") for p in payments)
    still_open = {f.fee_id: f.outstanding for f in c.ils.library.open_fees_of(PATRON)}
    expected = {} if kept else {k: v for k, v in fees.items()}
    if desk_paid and not kept:
        expected[FEE_HOLD] -= desk_paid
    assert still_open == expected
    return rec


FEES = {FEE_SMALL: Decimal("0.50"), FEE_HOLD: Decimal("2.50")}
VENDING_STATES = ["NEW", "AUTH_SENT", "SI_RECEIVED", "SIP2_SENT", "SIP2_SENT#2", "SIP2_ACCEPTED", "COMMITTED",
                  "DONE"]  # fmt: skip
OUTBOX_STATES = ["NEW", "AUTH_SENT", "SI_RECEIVED", "COMMITTED", "COMMITTED#2", "SIP2_SENT", "SIP2_SENT#2",
                 "SIP2_ACCEPTED", "DONE"]  # fmt: skip


@pytest.mark.parametrize("kill_at", VENDING_STATES)
def test_kill_at_each_state_issue_of_goods(crash: Crash, kill_at: str) -> None:
    code, _ = crash.run(*PAY_BOTH, "--kill-at", kill_at)
    assert code == -signal.SIGKILL
    crash.restart()
    rec = assert_books_agree(crash, FEES)
    # killed once the ILS had accepted: recovery commits the held payment instead of losing it
    if kill_at in ("SIP2_ACCEPTED", "COMMITTED", "DONE"):
        assert rec.state is State.DONE
    if kill_at in ("NEW", "AUTH_SENT", "SI_RECEIVED"):
        assert rec.state is not State.DONE


@pytest.mark.parametrize("kill_at", OUTBOX_STATES)
def test_kill_at_each_state_outbox(crash: Crash, kill_at: str) -> None:
    code, _ = crash.run("--outbox", *PAY_BOTH, "--kill-at", kill_at)
    assert code == -signal.SIGKILL
    crash.restart()
    rec = assert_books_agree(crash, FEES)
    if kill_at in ("COMMITTED#2", "SIP2_SENT", "SIP2_SENT#2", "SIP2_ACCEPTED", "DONE"):
        assert rec.state is State.DONE  # committed money: the outbox delivers Fee Paid after the restart


@pytest.mark.parametrize(
    "mode,kill_at", [("outbox", "SIP2_REJECTED"), ("outbox", "REVERSAL_NEEDED"), ("vending", "SIP2_REJECTED")]
)
def test_kill_while_reversing_an_ils_refusal(crash: Crash, mode: str, kill_at: str) -> None:
    extra = ["--outbox"] if mode == "outbox" else []
    code, _ = crash.run(*extra, *PAY_HOLD, "--desk-pays", FEE_HOLD, "1.00", "--kill-at", kill_at)
    assert code == -signal.SIGKILL
    lines = crash.restart()
    rec = assert_books_agree(crash, {FEE_HOLD: Decimal("2.50"), FEE_SMALL: Decimal("0.50")}, Decimal("1.00"))
    assert rec.state is State.REVERSED
    assert [p.state for p in crash.terminal.books.payments()] == [REVERSED]
    if mode == "outbox":  # money had been taken and was given back: staff hear of it
        assert {"alert": "payment_reversed", "payment_id": rec.payment_id} in lines
    else:  # the terminal never kept it
        assert [t.kind for t in crash.terminal.books.transactions] == ["payment"]


@pytest.mark.parametrize("mode", ["vending", "outbox"])
def test_kill_while_the_member_is_at_the_terminal(crash: Crash, mode: str) -> None:
    """Killed after the Authorization left, before any Status-Information: the terminal goes on with
    the payment on its own. Its approval ends reversed (refused by the restarted kiosk, which decided
    nothing about it, or timed out); recovery reads the terminal's books and the ILS ends up agreeing."""
    extra = ["--outbox"] if mode == "outbox" else []
    code, _ = crash.run(*extra, *PAY_BOTH, "--kill-on-prompt", "terminal.insert_card")
    assert code == -signal.SIGKILL
    assert crash.records()[0].state is State.AUTH_SENT
    crash.restart()
    assert_books_agree(crash, FEES)


@pytest.mark.parametrize("seed", range(4))
def test_kill_at_random_moments(crash: Crash, seed: int) -> None:
    rng = random.Random(seed)
    proc = crash.child(*(["--outbox"] if seed % 2 else []), *PAY_BOTH)
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until recovery is over and the payment starts
        if '"ready"' in line:
            break
    time.sleep(rng.uniform(0.0, 0.6))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.communicate()
    crash.restart()
    assert_books_agree(crash, FEES)


def test_restart_after_the_terminal_gave_up_waiting_needs_staff(ils: IlsSimulator, tmp_path: Path) -> None:
    """The one case no machine can settle: the ILS recorded the fee, the kiosk died before committing,
    and came back only after the terminal had auto-reversed. It is flagged for staff, with an alert."""
    terminal, tty = start_terminal(commit_timeout=0.5)
    try:
        c = Crash(terminal, tty, ils, tmp_path / "kiosk.db")
        code, _ = c.run(*PAY_HOLD, "--kill-at", "SIP2_ACCEPTED")
        assert code == -signal.SIGKILL
        wait_until(  # the terminal's own timeout ran out
            lambda: terminal.books.payments()[0].state == REVERSED,
            what="the terminal reversing the payment it held",
            interval=0.05,
        )
        lines = c.restart()
        (rec,) = c.records()
        assert rec.state is State.NEEDS_STAFF and rec.reason == "ils_recorded_unpaid"
        assert {"alert": "fee_recorded_without_payment", "payment_id": rec.payment_id} in lines
    finally:
        terminal.stop()
