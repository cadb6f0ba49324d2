"""Settling a payment from what the journal, the terminal and the ILS say: after a crash, or right after
a payment whose end the kiosk could not see.

The rules (zvt.md §6, sip2.md §7), which the tests prove against both simulators:

* the money side comes from the terminal only (Repeat Receipt), never from a guess;
* a Fee Paid is sent only for money that is committed, at most once per fee unless the ILS shows the
  first one was not applied (the fee is still open for its full amount);
* a fee the ILS refused is reversed on the terminal (same day) when nothing else of the payment was
  recorded; what a machine cannot settle goes to ``NEEDS_STAFF`` with an alert.

See ``docs/payments-recovery.md`` for the state diagram and what happens in each state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from drivers.payment import Outcome, ZvtTerminal
from kiosk.payments import terminal as t
from kiosk.payments.ils import IlsFees
from kiosk.payments.journal import JournalError, PaymentJournal
from kiosk.payments.states import MONEY_COMMITTED, MONEY_NOT_TAKEN, VENDING, Line, PaymentRecord, State

log = logging.getLogger(__name__)

#: ``alert(kind, payment_id, detail)``: staff must look (monitoring sends it on; no personal data).
AlertHook = Callable[[str, str, str], None]


@dataclass
class Hold:
    """Shared between the thread sending Fee Paid and the one answering the terminal (issue of goods):
    once ``stopped`` is set under ``lock``, no further Fee Paid leaves."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stopped: bool = False


#: States in which the terminal may still hold an approved payment, waiting for our answer.
HOLDING = frozenset({State.SI_RECEIVED, State.SIP2_SENT, State.SIP2_ACCEPTED, State.SIP2_REJECTED,
                     State.COMMITTED, State.UNKNOWN})  # fmt: skip


#: Where a row goes once the terminal shows its money committed (other states keep theirs).
COMMIT_FROM = {s: State.COMMITTED for s in (State.AUTH_SENT, State.SI_RECEIVED, State.SIP2_REJECTED)}


def cents_to_amount(cents: int) -> Decimal:
    """Cents as a SIP2 amount (Decimal with two places)."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def wants_commit(rec: PaymentRecord) -> bool:
    """Issue-of-goods decision from the fee lines: keep the money unless the ILS surely recorded nothing.

    All accepted → commit. Nothing accepted and nothing in doubt (refused, not applied, never sent)
    → refuse: the terminal reverses and no fee is marked paid. Otherwise (something recorded, or in
    doubt) → commit: money without a record is settled automatically later (outbox, or a reversal),
    a fee marked paid without money is not.
    """
    if rec.state is State.COMMITTED:
        return True  # the journal already says so: we decided before the crash
    states = [f.state for f in rec.fees]
    return any(s in (Line.ACCEPTED, Line.SENT, Line.IN_DOUBT) for s in states)


class Settler:
    """Brings journal rows to their end with the terminal and the ILS (one payment at a time)."""

    def __init__(
        self,
        journal: PaymentJournal,
        term: ZvtTerminal,
        ils: IlsFees,
        alert: AlertHook | None = None,
        register_attempts: int = 3,
        hold_quiet: float = 2.5,
    ) -> None:
        self.journal = journal
        self.term = term
        self.ils = ils
        self._alert = alert
        self.register_attempts = register_attempts
        #: How long to listen for a held payment's fresh 04 0F after our unasked answer: longer than the
        #: terminal's "ask again" pause (2 s, P015 §2.2.6).
        self.hold_quiet = hold_quiet

    def alert(self, kind: str, rec: PaymentRecord, detail: str) -> None:
        """Raise an alert for staff (logged too); never fails the payment path."""
        log.warning("payment %s needs attention: %s (%s)", rec.payment_id, kind, detail)
        if self._alert is not None:
            try:
                self._alert(kind, rec.payment_id, detail)
            except Exception:
                log.exception("payment alert hook failed")

    # --- the ILS side -----------------------------------------------------------------------------------

    def verify_lines(self, rec: PaymentRecord) -> PaymentRecord:
        """Settle fee lines whose Fee Paid may have left, by reading the patron's open fees."""
        if not any(f.state is Line.SENT for f in rec.fees):
            return rec
        patron = self.journal.pass_of(rec.payment_id)
        if patron is None:
            return rec
        for line in rec.fees:
            if line.state is Line.SENT:
                found = self.ils.check(patron, line.fee_id, cents_to_amount(line.amount_cents))
                if found is not Line.SENT:
                    log.info("payment %s fee %d: found %s", rec.payment_id, line.seq, found.value)
                    self.journal.fee_result(rec.payment_id, line.seq, found)
        return self.journal.get(rec.payment_id)

    def deliver(self, rec: PaymentRecord, hold: Hold | None = None) -> tuple[PaymentRecord, str]:
        """Send Fee Paid for every line not yet recorded; return the record and the ILS's message.

        Only for committed money, or (issue of goods) while the terminal holds the approved payment:
        then ``hold`` lets the deciding thread stop further sends atomically. Stops at the first line
        the ILS could not be reached for (it is retried by the next recovery).
        """
        holding = (
            rec.mode == VENDING and rec.money is None and rec.state in (State.SI_RECEIVED, State.SIP2_SENT)
        )
        if rec.money != MONEY_COMMITTED and not holding:
            raise ValueError(f"payment {rec.payment_id}: Fee Paid only for committed money")
        patron = self.journal.pass_of(rec.payment_id)
        message = ""
        if patron is None:
            return rec, message
        hold = hold or Hold()
        for line in rec.fees:
            if line.state not in (Line.OPEN, Line.NOT_APPLIED):
                continue
            with hold.lock:
                if hold.stopped:
                    break
                self.journal.fee_sending(rec.payment_id, line.seq)
            reply = self.ils.pay(patron, line.fee_id, cents_to_amount(line.amount_cents), line.bk)
            self.journal.fee_result(rec.payment_id, line.seq, reply.line)
            message = message or reply.screen_message
            if reply.line is not Line.ACCEPTED:
                break  # refused, or the ILS is away / in doubt: no further fees this round
        return self.journal.get(rec.payment_id), message

    # --- closing -------------------------------------------------------------------------------------------

    def close_committed(self, rec: PaymentRecord) -> PaymentRecord:
        """The money is taken: DONE when every fee is recorded, a reversal when the ILS refused all."""
        states = [f.state for f in rec.fees]
        pid = rec.payment_id
        if all(s is Line.ACCEPTED for s in states):
            if rec.state is State.SIP2_SENT:
                self.journal.advance(pid, State.SIP2_ACCEPTED)
            return self.journal.advance(pid, State.DONE)
        if Line.IN_DOUBT in states and Line.SENT not in states:
            rec = self.journal.advance(pid, State.NEEDS_STAFF, reason="ils_in_doubt")
            self.alert("fee_paid_in_doubt", rec, "the ILS cannot tell whether a paid fee was recorded")
            return rec
        if Line.REFUSED not in states or Line.SENT in states:
            return rec  # lines wait for the ILS; recovery delivers them later
        if Line.ACCEPTED in states:
            rec = self.journal.advance(pid, State.NEEDS_STAFF, reason="ils_refused_part")
            self.alert("payment_partly_recorded", rec, "the ILS refused some fees of a paid payment")
            return rec
        if rec.state is not State.SIP2_REJECTED:
            self.journal.advance(pid, State.SIP2_REJECTED, reason="ils_refused")
        return self.reverse(self.journal.advance(pid, State.REVERSAL_NEEDED))

    def close_not_taken(
        self, rec: PaymentRecord, declined: bool = False, reason: str | None = None
    ) -> PaymentRecord:
        """No money was taken: close the payment, unless the ILS recorded (or may have) a fee for it."""
        states = [f.state for f in rec.fees]
        pid = rec.payment_id
        if Line.ACCEPTED in states or Line.IN_DOUBT in states:
            rec = self.journal.advance(
                pid, State.NEEDS_STAFF, reason="ils_recorded_unpaid", money=MONEY_NOT_TAKEN
            )
            self.alert(
                "fee_recorded_without_payment", rec, "the ILS recorded a fee the terminal did not charge"
            )
            return rec
        if Line.SENT in states:
            return self.journal.advance(pid, rec.state, money=MONEY_NOT_TAKEN)  # ILS in doubt: later
        if declined and rec.state in (State.AUTH_SENT, State.SI_RECEIVED, State.UNKNOWN):
            return self.journal.advance(pid, State.DECLINED, money=MONEY_NOT_TAKEN, reason=reason)
        if rec.receipt_no is None and rec.state in (State.AUTH_SENT, State.UNKNOWN, State.NEW):
            return self.journal.advance(pid, State.CANCELLED, money=MONEY_NOT_TAKEN, reason=reason)
        return self.journal.advance(pid, State.REVERSED, money=MONEY_NOT_TAKEN, reason=reason)

    def reverse(self, rec: PaymentRecord) -> PaymentRecord:
        """REVERSAL_NEEDED → Reversal ``06 30`` → REVERSED (alert), or NEEDS_STAFF when impossible."""
        if rec.receipt_no is None:
            rec = self.journal.advance(rec.payment_id, State.NEEDS_STAFF, reason="reversal_without_receipt")
            self.alert("reversal_impossible", rec, "no receipt number to reverse")
            return rec
        done, record_no = t.reverse(self.term, rec.receipt_no)
        self.journal.note_reversal_record(record_no)
        self.journal.set_last_receipt(record_no)
        if done is not None:
            # The reversal record is the terminal's newest transaction now; after "already reversed"
            # (B4) the kiosk never saw its number. Either way: a fresh baseline, so that record can
            # never be taken for the next payment by recovery.
            self.refresh_baseline()
        if done is None:
            return rec  # unknown: the next recovery tries again (a second reversal answers B4)
        if done:
            rec = self.journal.advance(rec.payment_id, State.REVERSED, money=MONEY_NOT_TAKEN)
            self.alert("payment_reversed", rec, "the ILS refused the fee; the payment was reversed")
            return rec
        rec = self.journal.advance(rec.payment_id, State.NEEDS_STAFF, reason="reversal_refused")
        self.alert("reversal_impossible", rec, "the terminal refused the reversal: refund by hand")
        return rec

    # --- full recovery of one row ---------------------------------------------------------------------------

    def refresh_baseline(self) -> None:
        """Repeat Receipt: remember the terminal's newest transaction as the recovery baseline (best
        effort: a terminal that does not answer leaves the old one)."""
        last = t.last_receipt(self.term)
        if last is not False and last is not True:
            if last is not None and last.outcome is Outcome.REVERSAL_RECORD:
                self.journal.note_reversal_record(last.receipt_no)
            self.journal.set_last_receipt(0 if last is None else last.receipt_no)

    def terminal_truth(self, rec: PaymentRecord, held: t.Held | None = None) -> t.TerminalTruth | None:
        """Registration + Repeat Receipt, compared with the journal; None if the terminal is away."""
        if not t.register(self.term, self.register_attempts, held=held):
            return None
        last = t.last_receipt(self.term, held)
        if last is False:
            return None
        assert last is not True
        if last is not None and last.outcome is Outcome.REVERSAL_RECORD:
            self.journal.note_reversal_record(last.receipt_no)  # never a payment, now or later
        self.journal.set_last_receipt(0 if last is None else last.receipt_no)
        return t.truth_for(rec, last, self.journal.reversal_records())

    def settle(self, rec: PaymentRecord) -> PaymentRecord:
        """Take one unfinished payment as far as the terminal and the ILS allow now.

        A journal rule broken on the way (a bug) must not leave a row that blocks every later payment
        and fails again at each recovery: once the terminal side is known (the money is committed or
        not taken, so nothing can be charging any more) the row goes to NEEDS_STAFF with an alert.
        While the terminal side is unknown the row stays: rule 1 (no new payment) matters more.
        """
        try:
            return self._settle(rec)
        except JournalError:
            current = self.journal.get(rec.payment_id)
            if current.final or current.money is None:
                raise
            log.exception("payment %s: recovery broke a journal rule", rec.payment_id)
            current = self.journal.advance(rec.payment_id, State.NEEDS_STAFF, reason="recovery_failed")
            self.alert("payment_stuck", current, "recovery could not settle this payment")
            return current

    def _settle(self, rec: PaymentRecord) -> PaymentRecord:
        pid = rec.payment_id
        if rec.final:
            return rec
        if rec.state is State.NEW:  # the Authorization was never sent
            return self.journal.advance(pid, State.CANCELLED, reason="never_sent")
        if rec.state is State.REVERSAL_NEEDED:
            return self.reverse(rec)
        last_write = rec.updated  # before verify_lines writes: no later than the terminal's last 04 0F
        rec = self.verify_lines(rec)
        if rec.money is None:
            # An approved 04 0F may be waiting (or asked again): only this payment's may be committed.
            held = t.Held.of(rec, commit=wants_commit(rec)) if rec.state in HOLDING else None
            if held is not None:
                listen = t.listen_time(self.term, last_write, time.time())
                t.answer_held(self.term, held, quiet=self.hold_quiet, listen=listen)
            truth = self.terminal_truth(rec, held)
            if truth is None:
                log.warning("payment %s: terminal unreachable, stays %s", pid, rec.state.value)
                return rec if rec.state is State.UNKNOWN else self.journal.advance(pid, State.UNKNOWN)
            numbers = truth.numbers()
            if truth.money == MONEY_NOT_TAKEN:
                return self.close_not_taken(self.journal.get(pid), truth.declined, reason="recovered")
            # SIP2_REJECTED too: the terminal kept the money although we refused it (or never heard the
            # refusal), so the fees must now be delivered (outbox) or the payment reversed; from
            # SIP2_REJECTED itself no Fee Paid may be journalled.
            reason = "terminal_kept" if rec.state is State.SIP2_REJECTED else None
            target = COMMIT_FROM.get(rec.state, rec.state)
            rec = self.journal.advance(pid, target, reason=reason, money=MONEY_COMMITTED, **numbers)
        if rec.money == MONEY_NOT_TAKEN:
            return self.close_not_taken(rec, reason="recovered")
        rec, _ = self.deliver(rec)
        return self.close_committed(rec)
