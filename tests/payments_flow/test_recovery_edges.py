"""Recovery at the edges the review found, against the real terminal simulator (over a pty) and the real
ILS simulator (over TCP): a held payment the terminal asks about again after a restart, a terminal that
kept money the kiosk had refused, a reversal record that must never pass for a payment, and a payment
decision that breaks off half-way.

The terminal subclasses below only change *when* or *whether* the simulator answers; its books,
receipts and link layer are the real ones.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from drivers.payment import Outcome, PaymentResult, StatusInformation, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.link import SocketChannel, TcpLink
from drivers.payment.sim_books import COMMITTED, REVERSED
from drivers.payment.simulator import TerminalSimulator
from drivers.payment.status_information import build_status_information
from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentFailed
from kiosk.payments import terminal as t
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.states import MONEY_COMMITTED, MONEY_NOT_TAKEN, VENDING, PaymentRecord, State
from sip2.simulator import IlsSimulator
from tests.payment.conftest import TEST_TIMERS
from tests.payment.test_terminal_edge import ScriptedTerminal
from tests.payments_flow.conftest import Kiosk, silent_terminal
from tests.payments_flow.rig import (
    FEE_HOLD,
    FEE_SMALL,
    PATRON,
    SILENT_TIMERS,
    TIMERS,
    payments_of,
    start_terminal,
)
from tests.payments_flow.test_crash import FEES, PAY_BOTH, PAY_HOLD, Crash, assert_books_agree

BOTH = StartPayment(1, PATRON, (FEE_SMALL, FEE_HOLD), Decimal("3.00"))
HOLD_ONLY = StartPayment(1, PATRON, (FEE_HOLD,), Decimal("2.50"))
ACK = m.ack_apdu()
REFUSE = m.negative_apdu(m.RESULT_ECR_REFUSES)


def _swap(sim: TerminalSimulator, cls: type[TerminalSimulator]) -> tuple[TerminalSimulator, str]:
    """The same settings and books as ``sim``, served by ``cls`` on a fresh pty (``sim`` stops)."""
    sim.stop()
    other = cls(sim.settings, sim.books, TIMERS)
    return other, other.start_pty()


# --- 1. a held payment the terminal asks about again after the restart ------------------------------------


class AsksAgainAfterTheRestart(TerminalSimulator):
    """After the kiosk's "ask again" (84 9C) this terminal pauses (P015: 2 s) and asks again with a fresh
    04 0F. Here the pause lasts until the kiosk sends an answer anyway, which the terminal ignores (it is
    not waiting for one): so its fresh 04 0F always arrives *after* a restarted kiosk's unasked answer."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.last_answer: Apdu | None = None
        self.ignored: list[Apdu] = []  # answers that came while the terminal was not waiting

    def _answer(self, timeout: float) -> Apdu | None:
        self.last_answer = super()._answer(timeout)
        return self.last_answer

    def _pause(self, seconds: float) -> bool:
        asked_again = self.last_answer == m.ask_again_apdu()
        self.last_answer = None
        if not asked_again:
            return super()._pause(seconds)
        assert self._link is not None
        deadline = time.monotonic() + 30  # a bound for a broken test, not a timing assumption
        while time.monotonic() < deadline:
            apdu = self._link.receive(0.05)
            if apdu is not None and apdu.cls in (0x80, 0x84):
                self.ignored.append(apdu)
                return False
        return False


@pytest.fixture
def asks_again(ils: IlsSimulator, tmp_path: Path) -> Iterator[Crash]:
    terminal, _ = start_terminal()
    terminal, tty = _swap(terminal, AsksAgainAfterTheRestart)
    try:
        yield Crash(terminal, tty, ils, tmp_path / "kiosk.db")
    finally:
        terminal.stop()


def test_held_payment_asked_again_after_the_restart_is_committed(asks_again: Crash) -> None:
    """The kiosk said "ask again" while the ILS recorded the first fee, and died. The restarted kiosk
    answers "commit" unasked (the terminal is in its pause and ignores it), then the terminal asks
    again: that fresh 04 0F is the journalled payment and the journal wants it kept, so it is committed
    (not refused, which would leave a fee recorded without money) and the second fee delivered."""
    c = asks_again
    c.ils.faults.latency = 0.4  # each 38 takes longer than the kiosk's 0.2 s slice: "ask again" first
    code, _ = c.run(*PAY_BOTH, "--kill-at", "SIP2_SENT#2")  # fee 1 accepted, fee 2 not yet sent
    assert code == -signal.SIGKILL
    c.ils.faults.latency = 0.0
    (rec,) = c.records()
    assert rec.state is State.SIP2_SENT and rec.receipt_no is not None
    c.restart()
    assert isinstance(c.terminal, AsksAgainAfterTheRestart)
    assert c.terminal.ignored == [ACK]  # the unasked answer came while the terminal was not waiting
    rec = assert_books_agree(c, FEES)
    assert rec.state is State.DONE
    assert payments_of(c.terminal.books) == [(300, COMMITTED)]


def _held(commit: bool = True) -> t.Held:
    return t.Held(receipt_no=7, trace=7, amount=500, tid="52523535", commit=commit)


def _si(receipt: int = 7, trace: int = 7, amount: int = 500, result: int = 0) -> Apdu:
    return build_status_information(
        StatusInformation(result_code=result, amount=amount, currency=978, trace=trace, receipt_no=receipt,
                          tid="52523535")
    )  # fmt: skip


@pytest.mark.parametrize(
    "offered,held,answer",
    [
        (_si(), _held(), ACK),  # the journalled payment, to be kept: commit
        (_si(), _held(commit=False), REFUSE),  # the journal decided to refuse it
        (_si(), None, REFUSE),  # nothing held (e.g. the start-up Registration)
        (_si(receipt=8), _held(), REFUSE),  # another receipt
        (_si(trace=8), _held(), REFUSE),  # another trace
        (_si(amount=400), _held(), REFUSE),  # another amount (a partial approval)
        (Apdu(0x04, 0x0F, bytes.fromhex("2700 04000000")), _held(), REFUSE),  # unreadable
        (_si(result=0x05), _held(commit=False), ACK),  # declined: acknowledging commits nothing
    ],
)
def test_only_the_journalled_payment_is_ever_committed_while_serving(
    offered: Apdu, held: t.Held | None, answer: Apdu
) -> None:
    """The decision at the lowest level, with a scripted terminal on a socket pair."""
    # The terminal hangs up at the end, which ends the serving at once: no "quiet" time to race.
    pt = ScriptedTerminal(
        [("send", offered), ("expect", answer), ("send", m.completion()), ("expect", ACK), ("close", None)]
    )
    term = ZvtTerminal(TcpLink(SocketChannel(pt.kiosk_end), TEST_TIMERS), password="123456")
    try:
        committed = t.serve_until_quiet(term, held, quiet=30.0, limit=60.0)
        pt.join()
    finally:
        term.close()
    assert pt.error is None
    assert committed is (answer == ACK and offered == _si())


# --- 2. the terminal kept money for a row the kiosk had refused -------------------------------------------


class KeepsTheMoney(TerminalSimulator):
    """A terminal without real issue-of-goods support: whatever the kiosk answers to an approved 04 0F
    (but "ask again"), it keeps the payment."""

    ils: IlsSimulator | None = None  # stopped when the Authorization arrives

    def _authorization(self, apdu: Apdu) -> None:
        if self.ils is not None:
            self.ils.stop()  # the ILS goes away while the member is at the terminal
            self.ils = None
        super()._authorization(apdu)

    def _tell_within(self, apdu: Apdu, timeout: float) -> Apdu | None:
        answer = super()._tell_within(apdu, timeout)
        if answer is not None and answer.cls == 0x84 and answer.instr != m.RESULT_PLEASE_WAIT:
            return ACK  # "84 6C" is not honoured: the money stays taken
        return answer


def test_money_kept_for_a_refused_payment_is_delivered_not_stuck(ils: IlsSimulator, tmp_path: Path) -> None:
    """SIP2_REJECTED (the ILS was unreachable, the kiosk refused the goods and died before saying so);
    the terminal keeps the money anyway. Recovery must then record the fees (or reverse), never leave a
    row that fails every minute and blocks all later payments."""
    terminal, _ = start_terminal()
    sim, tty = _swap(terminal, KeepsTheMoney)
    assert isinstance(sim, KeepsTheMoney)
    sim.ils = ils
    try:
        c = Crash(sim, tty, ils, tmp_path / "kiosk.db")
        code, _ = c.run(*PAY_HOLD, "--kill-at", "SIP2_REJECTED")
        assert code == -signal.SIGKILL
        (rec,) = c.records()
        assert rec.state is State.SIP2_REJECTED and rec.reason == "ils_unreachable"
        ils.start()
        c.restart()
        (rec,) = c.records()
        assert rec.state is State.DONE and payments_of(sim.books) == [(250, COMMITTED)]
        assert len(ils.library.payments_for(f"{rec.payment_id}-1")) == 1  # recorded once, for the money
        assert {f.fee_id for f in ils.library.open_fees_of(PATRON)} == {FEE_SMALL}
        assert State.COMMITTED in _history(c, rec.payment_id)
    finally:
        sim.stop()


def _history(c: Crash, payment_id: str) -> list[State]:
    journal = PaymentJournal(c.db, c.db.with_suffix(".key"))
    try:
        return journal.history(payment_id)
    finally:
        journal.close()


# --- 3. a reversal record never passes for a payment ------------------------------------------------------


class LosesAReversalAnswer(TerminalSimulator):
    """Reverses the first payment it is asked to, but every answer after the "80 00" is lost: the kiosk
    cannot know, and asks again later (the terminal then answers B4, "already reversed")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.muted = False
        self.lost = threading.Event()  # the muted reversal is over (the books have it)

    def _send(self, apdu: Apdu) -> None:
        if not self.muted or apdu == ACK:
            super()._send(apdu)

    def _answer(self, timeout: float) -> Apdu | None:
        # a muted message never reached the kiosk, so no answer can come: no need to wait T3 for it
        return super()._answer(0.2 if self.muted else timeout)

    def _reversal(self, apdu: Apdu) -> None:
        if self.lost.is_set():
            super()._reversal(apdu)
            return
        self.muted = True
        try:
            super()._reversal(apdu)
        finally:
            self.muted = False
            self.lost.set()


def test_reversal_record_after_an_already_reversed_answer_is_not_taken_for_the_next_payment(
    kiosk: Kiosk,
) -> None:
    """Outbox: the ILS refuses, the kiosk reverses, the answer is lost; the retry hears B4 and so never
    learns the reversal record's number. The next payment of the same amount is lost before any
    Status-Information (the Authorization is never acknowledged): recovery reads the terminal's newest
    transaction, the reversal record, and must not take it for that payment."""
    kiosk.terminal, kiosk.tty = _swap(kiosk.terminal, LosesAReversalAnswer)
    try:
        _reversal_record_scenario(kiosk)
    finally:
        if kiosk.service is not None:
            kiosk.service.close()
            kiosk.service = None
        kiosk.terminal.stop()


def _reversal_record_scenario(kiosk: Kiosk) -> None:
    sim = kiosk.terminal
    assert isinstance(sim, LosesAReversalAnswer)
    service = kiosk.open(vending=False)

    def fee_changes_meanwhile(key: str) -> None:
        if key == "terminal.insert_card":
            kiosk.ils.library.fees[FEE_HOLD].outstanding = Decimal("1.00")

    # the terminal mutes its answers to the reversal on purpose: a short T4 for that wait only
    with silent_terminal(service, dataclasses.replace(TIMERS, t4=1.0), after=State.REVERSAL_NEEDED):
        first = service.handle(HOLD_ONLY, progress=fee_changes_meanwhile)
    assert isinstance(first, PaymentFailed)
    assert sim.lost.wait(30)
    (rec,) = service.recover()  # 06 30 again: B4, already reversed
    assert rec.state is State.REVERSED
    reversal = sim.books.transactions[-1]
    assert reversal.kind == "reversal" and reversal.amount == 250
    assert service.journal.last_receipt() == reversal.receipt_no  # the baseline moved past the record

    kiosk.ils.library.fees[FEE_HOLD].outstanding = Decimal("2.50")  # staff put the fee right again
    sim.push("no_ack")
    # the terminal swallows the Authorization on purpose: short T2 for it only, generous for recovery
    with silent_terminal(service, SILENT_TIMERS, after=State.AUTH_SENT, until=State.UNKNOWN):
        second = service.handle(HOLD_ONLY)
    assert second == PaymentFailed(1, reason="payment.aborted")  # nothing was charged, nothing recorded
    rec = service.journal.all()[-1]
    assert rec.state is State.CANCELLED and rec.money == MONEY_NOT_TAKEN
    assert kiosk.ils.library.payments_for(f"{rec.payment_id}-1") == []
    assert payments_of(sim.books) == [(250, REVERSED)]


def _row(prior: int | None, receipt: int | None = None) -> PaymentRecord:
    return PaymentRecord(
        payment_id="P1", state=State.AUTH_SENT, mode=VENDING, amount_cents=250, currency="EUR",
        prior_receipt=prior, receipt_no=receipt, trace=None, tid=None, term_date=None, money=None,
        reason="", created=0.0, updated=0.0, fees=(),
    )  # fmt: skip


def _last(receipt: int, amount: int = 250) -> PaymentResult:
    return PaymentResult(Outcome.APPROVED_COMMITTED, amount=amount, receipt_no=receipt, trace=receipt,
                         tid="52523535", date=t.today())  # fmt: skip


@pytest.mark.parametrize(
    "prior,last,reversals,money",
    [
        (5, 6, (), MONEY_COMMITTED),  # the next receipt: ours
        (9999, 1, (), MONEY_COMMITTED),  # the receipt numbers wrapped
        (5, 5, (), MONEY_NOT_TAKEN),  # the baseline itself
        (5, 4, (), MONEY_NOT_TAKEN),  # older than the baseline
        (5, 6, (6,), MONEY_NOT_TAKEN),  # a reversal record the kiosk saw
        (None, 6, (6,), MONEY_NOT_TAKEN),  # ... whatever the baseline
    ],
)
def test_without_a_receipt_only_a_newer_non_reversal_transaction_counts(
    prior: int | None, last: int, reversals: tuple[int, ...], money: str
) -> None:
    assert t.truth_for(_row(prior), _last(last), frozenset(reversals)).money == money


# --- 4. a decision or a payment that breaks off half-way --------------------------------------------------


def test_decision_failing_after_fee_paid_started_sends_no_further_fee_paid(kiosk: Kiosk) -> None:
    """The decision callback raises after the Fee Paid thread started: the driver refuses the goods
    (the terminal reverses), so that thread must not record any fee."""
    service = kiosk.open()
    decided = threading.Event()
    decide, deliver = service.flow._decide, service.settler.deliver

    def decide_then_tell(run: object, si: StatusInformation) -> object:
        try:
            return decide(run, si)  # type: ignore[arg-type]
        finally:
            decided.set()

    def deliver_after_the_decision(rec: PaymentRecord, hold: object = None) -> object:
        if hold is not None:  # the Fee Paid thread: start only once the decision has broken off
            assert decided.wait(10)
        return deliver(rec, hold)  # type: ignore[arg-type]

    service.flow._decide = decide_then_tell  # type: ignore[assignment,method-assign]
    service.settler.deliver = deliver_after_the_decision  # type: ignore[assignment,method-assign]
    service.flow.ask_slice = "not a number"  # type: ignore[assignment]  # join() raises after start()
    event = service.handle(BOTH)
    assert event == PaymentFailed(1, reason="payment.aborted")
    rec = service.journal.all()[-1]
    assert rec.state is State.REVERSED
    assert payments_of(kiosk.terminal.books) == [(300, REVERSED)]
    assert kiosk.ils.library.payments == [] and kiosk.ils.requests.get("37", 0) == 0


def test_unexpected_failure_after_the_authorization_says_unknown_then_recovers(kiosk: Kiosk) -> None:
    service = kiosk.open(vending=False)

    def broken(rec: PaymentRecord) -> PaymentRecord:
        raise RuntimeError("a bug after the money was taken")

    service.settler.close_committed = broken  # type: ignore[method-assign]
    event = service.handle(HOLD_ONLY)
    assert event == PaymentFailed(1, reason="payment.unknown")  # money may be taken: never "unavailable"
    del service.settler.close_committed
    (rec,) = service.recover()
    assert rec.state is State.DONE and payments_of(kiosk.terminal.books) == [(250, COMMITTED)]
    assert len(kiosk.ils.library.payments_for(f"{rec.payment_id}-1")) == 1


def test_unexpected_failure_before_the_authorization_says_unavailable(kiosk: Kiosk) -> None:
    service = kiosk.open()
    advance = service.journal.advance

    def no_auth_sent(payment_id: str, state: State, **kw: object) -> PaymentRecord:
        if state is State.AUTH_SENT:
            raise OSError("disk full")
        return advance(payment_id, state, **kw)  # type: ignore[arg-type]

    service.journal.advance = no_auth_sent  # type: ignore[method-assign]
    event = service.handle(HOLD_ONLY)
    del service.journal.advance
    assert event == PaymentFailed(1, reason="payment.terminal_unavailable")
    (rec,) = service.recover()
    assert rec.state is State.CANCELLED and payments_of(kiosk.terminal.books) == []


# --- 5. a reversal record the driver marks, without any baseline ------------------------------------------


def test_a_marked_reversal_record_is_never_a_payment() -> None:
    record = PaymentResult(Outcome.REVERSAL_RECORD, amount=250, receipt_no=6, trace=6, tid="52523535",
                           date=t.today())  # fmt: skip
    assert t.truth_for(_row(None), record).money == MONEY_NOT_TAKEN  # no baseline, same amount, today
    assert t.truth_for(_row(5), record).money == MONEY_NOT_TAKEN  # newer than the baseline
    assert t.truth_for(_row(5, receipt=6), record).money == MONEY_NOT_TAKEN  # even the journalled number


def test_reversal_done_at_the_terminal_is_not_taken_for_a_payment_lost_without_a_baseline(
    kiosk: Kiosk,
) -> None:
    """Staff reversed a 2.50 payment at the terminal; the kiosk's journal has no receipt baseline (a new
    install) and its first payment, of the same amount, was lost right after the Authorization left.
    The terminal's newest transaction is that reversal record: same amount, today, newer than anything
    the kiosk knows. Recovery must see the mark and not take it for the payment (no Fee Paid)."""
    books = kiosk.terminal.books
    today = t.today()
    original = books.new(250, COMMITTED, date=today)
    books.set_state(original.receipt_no, REVERSED)
    record = books.new(250, COMMITTED, kind="reversal", reverses=original.receipt_no, date=today)
    journal = PaymentJournal(kiosk.db, kiosk.db.with_suffix(".key"))
    try:
        rec = journal.create(PATRON, [(FEE_HOLD, 250)])
        assert rec.prior_receipt is None
        journal.advance(rec.payment_id, State.AUTH_SENT)
    finally:
        journal.close()
    service = kiosk.open()
    (rec,) = service.journal.all()
    assert rec.state is State.CANCELLED and rec.money == MONEY_NOT_TAKEN
    assert kiosk.ils.library.payments_for(f"{rec.payment_id}-1") == []
    assert service.journal.reversal_records() >= {record.receipt_no}
    assert kiosk.alerts == []
