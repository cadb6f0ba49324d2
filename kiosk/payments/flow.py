"""One payment, from the Authorization to the journal's last word: pay once, report once.

Issue of goods (vending mode, the default; zvt.md §5): the terminal approves and then *holds* the
payment while the kiosk records the fees in the ILS. The Fee Paid messages run on a helper thread;
the terminal's question ("keep it?") is answered "ask again" (``84 9C``) while they run, then:

* every fee accepted → journal COMMITTED, answer ``80 00 00``: the money is taken;
* the ILS refused or was unreachable before anything was recorded → journal SIP2_REJECTED, answer
  ``84 6C``: the terminal reverses and the member is told nothing was charged;
* something recorded or in doubt → commit; the rest is settled by the outbox (recovery).

Outbox (terminals without vending mode): commit first, then deliver Fee Paid; a refusal leads to a
same-day reversal and an alert. Whatever the terminal says at the end, an UNKNOWN goes straight to
recovery (Registration + Repeat Receipt), never to "declined".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from drivers.payment import (
    AskAgain,
    Commit,
    Decision,
    Outcome,
    PaymentResult,
    Reverse,
    StatusInformation,
    ZvtTerminal,
)
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.recovery import Hold, Settler, wants_commit
from kiosk.payments.states import (
    MONEY_COMMITTED,
    MONEY_NOT_TAKEN,
    OUTBOX,
    VENDING,
    Line,
    PaymentRecord,
    State,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentOutcome:
    """How a payment ended for the member: the journal record and the ILS's screen message, if any."""

    record: PaymentRecord
    screen_message: str = ""
    terminal_lines: tuple[str, ...] = field(default=(), repr=False)  # the card receipt, for the member

    @property
    def paid(self) -> bool:
        """Money taken and every fee recorded in the ILS."""
        return self.record.state is State.DONE

    @property
    def reason(self) -> str:
        """The message key the member sees (kiosk/i18n catalog)."""
        rec = self.record
        if rec.state is State.DONE:
            return "payment.done"
        if rec.state is State.DECLINED:
            return "payment.declined"
        if rec.money == MONEY_COMMITTED:
            return "payment.not_recorded"  # paid, the ILS will get it from the outbox or from staff
        if rec.state in (State.CANCELLED, State.REVERSED) or rec.money == MONEY_NOT_TAKEN:
            return "payment.aborted"  # "Payment cancelled. Nothing was charged."
        if rec.state is State.NEW:
            return "payment.terminal_unavailable"  # the terminal never got the request
        return "payment.unknown"  # it may have charged: never "declined" or "nothing charged"

    @property
    def member_message(self) -> str:
        """The ILS's screen message, only where it cannot contradict what the kiosk knows: never for a
        payment whose outcome is unknown (the ILS's "payment received" is not the terminal's word), nor
        for one that took no money after the ILS had accepted a fee (that goes to staff)."""
        reason = self.reason
        if reason == "payment.unknown":
            return ""
        if reason == "payment.aborted" and any(f.state is Line.ACCEPTED for f in self.record.fees):
            return ""
        return self.screen_message


@dataclass
class _Run:
    """What one payment's decision callback shares with its Fee Paid thread."""

    payment_id: str
    hold: Hold = field(default_factory=Hold)
    worker: threading.Thread | None = None
    asks: int = 0
    message: str = ""


class PaymentFlow:
    """Runs payments on one terminal with one journal and one ILS (one at a time, on a worker thread)."""

    def __init__(
        self,
        journal: PaymentJournal,
        term: ZvtTerminal,
        settler: Settler,
        *,
        vending: bool = True,
        ask_slice: float = 0.5,
    ) -> None:
        self.journal = journal
        self.term = term
        self.settler = settler
        self.vending = vending
        self.ask_slice = ask_slice
        #: The payment :meth:`pay` is working on (set once its journal row exists), for the caller to
        #: tell the member the right thing if ``pay`` raises.
        self.current: str | None = None

    def pay(self, pass_number: str, fees: list[tuple[str, int]]) -> PaymentOutcome:
        """Pay ``fees`` (fee id, cents) for the patron: NEW → AUTH_SENT → … → a final state (or pending).

        Raises :class:`~kiosk.payments.journal.JournalError` (nothing sent) if another payment is
        still unresolved.
        """
        self.current = None
        rec = self.journal.create(
            pass_number,
            fees,
            mode=VENDING if self.vending else OUTBOX,
            prior_receipt=self.journal.last_receipt(),
        )
        self.current = rec.payment_id
        run = _Run(rec.payment_id)
        self.journal.advance(rec.payment_id, State.AUTH_SENT)
        result = self.term.authorize(
            rec.amount_cents, vending=self.vending, decide=lambda si: self._decide(run, si)
        )
        if run.worker is not None:
            run.worker.join()  # bounded by the SIP2 client's own timeouts
        return self._finish(run, result)

    # --- while the terminal holds the approved payment ----------------------------------------------------

    def _decide(self, run: _Run, si: StatusInformation) -> Decision:
        """The answer to an approved Status-Information. Whatever happens in here (the journal failing,
        a bug), unless the answer is "ask again" no further Fee Paid may leave: the driver refuses the
        goods when this raises, and the terminal reverses."""
        decision: Decision | None = None
        try:
            decision = self._decide_now(run, si)
            return decision
        finally:
            if not isinstance(decision, AskAgain):
                with run.hold.lock:
                    run.hold.stopped = True

    def _decide_now(self, run: _Run, si: StatusInformation) -> Decision:
        pid = run.payment_id
        if run.worker is None and self.journal.get(pid).state is State.AUTH_SENT:
            self.journal.advance(
                pid,
                State.SI_RECEIVED,
                receipt_no=si.receipt_no,
                trace=si.trace,
                tid=si.tid,
                term_date=si.date,
            )
            if not self.vending:
                self.journal.advance(pid, State.COMMITTED)
                return Commit()
            rec = self.journal.get(pid)
            run.worker = threading.Thread(
                target=self._record_fees, args=(rec, run), name="fee-paid", daemon=True
            )
            run.worker.start()
        if run.worker is None:  # outbox mode, asked again: the decision stands
            return Commit()
        run.worker.join(self.ask_slice)
        if run.worker.is_alive() and run.asks < self.term.max_status_infos - 1:
            run.asks += 1
            return AskAgain()
        with run.hold.lock:  # from here no further Fee Paid leaves
            run.hold.stopped = True
            rec = self.journal.get(pid)
        if rec.state is State.COMMITTED:
            return Commit()
        if rec.state is State.SIP2_REJECTED:
            return Reverse()
        if all(f.state is Line.ACCEPTED for f in rec.fees):
            self.journal.advance(pid, State.SIP2_ACCEPTED)
            self.journal.advance(pid, State.COMMITTED)
            return Commit()
        if wants_commit(rec):
            log.warning("payment %s: ILS answer incomplete; keeping the money, the outbox finishes it", pid)
            self.journal.advance(pid, State.COMMITTED, reason="ils_pending")
            return Commit()
        refused = any(f.state is Line.REFUSED for f in rec.fees)
        self.journal.advance(pid, State.SIP2_REJECTED, reason="ils_refused" if refused else "ils_unreachable")
        return Reverse()

    def _record_fees(self, rec: PaymentRecord, run: _Run) -> None:
        try:
            _, run.message = self.settler.deliver(rec, run.hold)
        except Exception:  # the decision then sees unsent lines and refuses the goods
            log.exception("payment %s: Fee Paid failed", rec.payment_id)

    # --- after the terminal's last word ---------------------------------------------------------------

    def _finish(self, run: _Run, result: PaymentResult) -> PaymentOutcome:
        pid = run.payment_id
        rec = self.journal.get(pid)
        outcome = result.outcome
        log.info("payment %s: terminal says %s", pid, outcome.value)
        if outcome is Outcome.APPROVED_COMMITTED:
            self.journal.set_last_receipt(result.receipt_no)
            rec = self.journal.advance(pid, rec.state, money=MONEY_COMMITTED)
            rec = self.settler.verify_lines(rec)
            rec, message = self.settler.deliver(rec)
            rec = self.settler.close_committed(rec)
            return PaymentOutcome(rec, run.message or message, tuple(result.receipt_lines))
        if outcome is Outcome.APPROVED_REVERSED:
            rec = self.settler.close_not_taken(rec, reason=rec.reason or "kiosk_refused")
            # A terminal may store a reversal record for the payment it gave back: keep the baseline
            # fresh so recovery never takes that record for the next payment.
            self.settler.refresh_baseline()
        elif outcome is Outcome.DECLINED:
            if result.receipt_no is not None:
                self.journal.set_last_receipt(result.receipt_no)
            rec = self.settler.close_not_taken(rec, declined=True, reason="declined")
        elif outcome is Outcome.CANCELLED:
            rec = self.settler.close_not_taken(rec, reason="cancelled")
        else:  # UNKNOWN: the terminal may have charged. Ask it, never guess.
            rec = self.journal.advance(pid, State.UNKNOWN, reason="terminal_silent")
            rec = self.settler.settle(rec)
        return PaymentOutcome(rec, run.message)
