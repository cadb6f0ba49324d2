"""The terminal side of recovery: what did the terminal do with a payment the kiosk lost track of?

zvt.md §6 "Kiosk crash": Registration (``06 00``), then Repeat Receipt (``06 20`` service 01), and
compare receipt number, trace, amount, terminal id and date with the journal. The same receipt → the
payment was stored (committed); an older one → it failed or was reversed, no money was taken.

One more step comes first, for a payment the terminal may still be *holding* in issue-of-goods mode
(P015 §2.2.6-2.2.9): it waits for the answer to its approved ``04 0F`` until the vending timeout runs
out. If the kiosk restarts inside that window it answers now, with what the journal had decided
(``80 00 00`` commit, or ``84 6C`` refuse), instead of leaving the terminal to time out. A terminal
that is not waiting ignores the answer; one that had been told "ask again" (``84 9C``) before the crash
asks again with a fresh ``04 0F``, which gets the same decision, but only if it is the journalled
payment (receipt number, trace, amount). Every other message it sends meanwhile is acknowledged, except
an approved ``04 0F`` we did not decide to commit: that one is refused, so it can never be committed
by accident.

Without a journalled receipt number, a transaction counts as ours only if it is *newer* than the
receipt baseline taken before the Authorization and is not a reversal record the kiosk knows of; the
baseline is refreshed after every reversal, so a reversal record never passes for a payment. The
driver also marks a reversal record it recognises (``Outcome.REVERSAL_RECORD``, from the receipt
text); such a record is never money taken, and recovery remembers its number.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from drivers.errors import DriverError
from drivers.payment import Outcome, PaymentResult, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.si_answers import held_answer, parse_si
from drivers.payment.status_information import StatusInformation
from kiosk.payments.states import MONEY_COMMITTED, MONEY_NOT_TAKEN, PaymentRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TerminalTruth:
    """What Repeat Receipt says about one payment: ``money`` committed / not taken, and the numbers."""

    money: str
    declined: bool = False
    receipt_no: int | None = None
    trace: int | None = None
    tid: str | None = None
    term_date: str | None = None

    def numbers(self) -> dict[str, Any]:
        """The terminal's numbers that are known, as journal columns."""
        pairs = (("receipt_no", self.receipt_no), ("trace", self.trace), ("tid", self.tid),
                 ("term_date", self.term_date))  # fmt: skip
        return {k: v for k, v in pairs if v is not None}


@dataclass(frozen=True)
class Held:
    """The approved payment the journal says the terminal may still hold (issue of goods), and the
    journal's decision on it: ``commit`` True → keep the money (``80 00 00``), False → refuse (``84 6C``).

    Only a Status-Information that is *this* payment (same receipt number, trace and amount, and the
    same terminal id when both are known) may ever be committed; anything else is refused.
    """

    receipt_no: int
    trace: int | None
    amount: int
    tid: str | None
    commit: bool

    @classmethod
    def of(cls, rec: PaymentRecord, commit: bool) -> Held | None:
        """The held payment of journal row ``rec`` (None without a journalled receipt number)."""
        if rec.receipt_no is None:
            return None
        return cls(rec.receipt_no, rec.trace, rec.amount_cents, rec.tid, commit)

    def decide(self, si: StatusInformation) -> bool:
        """Commit ``si``? Only if it is this payment and the journal wants the money kept."""
        return self.commit and self.matches(si)

    def matches(self, si: StatusInformation) -> bool:
        """Whether the approved ``si`` is the very payment the journal recorded."""
        return (
            si.approved
            and si.receipt_no == self.receipt_no
            and si.trace == self.trace
            and si.amount == self.amount
            and (self.tid is None or si.tid is None or si.tid == self.tid)
        )


def answer_held(
    term: ZvtTerminal, held: Held, quiet: float = 2.5, limit: float = 10.0, listen: float | None = None
) -> bool:
    """Listen first, then answer a possibly held approved ``04 0F`` (commit or refuse), then serve the
    terminal until it is quiet.

    Recovery speaks only when asked (issue 12, item 3). After a restart the terminal may be in the
    middle of repeating a frame nobody acknowledged (its ``04 0F`` asked again, a Print Line); a strict
    terminal counts *any* other byte while it waits for an ACK as a failed try, and after the last try
    it reverses the payment. So first we only listen for ``listen`` seconds (default: one T2 plus T1,
    long enough to hear its next repeat): the link acknowledges each frame that arrives, and only the
    message that asks gets an answer (a Status-Information the journal's decision, see
    :func:`serve_until_quiet`). Only if the line stayed silent all that time is the terminal taken to be
    waiting for the answer to a ``04 0F`` we had already acknowledged before the crash: then the answer
    goes out unasked (a terminal that is not waiting ignores it). A terminal that was told "ask again"
    (``84 9C``) asks again about 2 s later (P015 §2.2.6), so we keep listening ``quiet`` s after that.
    ``limit``: stop serving after this long anyway. Best effort: nothing here raises for the terminal's
    sake; the Repeat Receipt afterwards is what counts. Returns True if an approved Status-Information
    of this payment was committed while serving.
    """
    timers = term.timers
    listen = timers.t2 + timers.t1 if listen is None else listen
    heard = _Heard()
    committed = serve_until_quiet(term, held, quiet=listen, limit=max(limit, listen), heard=heard)
    if heard.anything:
        log.info("terminal spoke after the restart: answered what it asked, nothing unasked")
    else:
        try:
            term.link.send(m.ack_apdu() if held.commit else m.negative_apdu(m.RESULT_ECR_REFUSES))
        except DriverError as exc:
            log.info("no terminal waiting for an answer (%s)", exc)
    return serve_until_quiet(term, held, quiet=quiet, limit=limit) or committed


def listen_time(term: ZvtTerminal, last_write: float, now: float, margin: float = 1.0) -> float:
    """How long :func:`answer_held` listens before answering unasked: one T2 + T1 (long enough to hear
    a repeat of a frame nobody acknowledged), but never so long that a terminal silently waiting for
    our answer gives up meanwhile. It holds the payment for the vending timeout the kiosk asked for
    (BMP 01), counted from its last ``04 0F``, which came no earlier than the journal's last write
    (``last_write``, epoch seconds): when less than the full listen is left of that, listen only until
    ``margin`` s before its end. (A terminal still repeating an unacknowledged frame gives up after
    ``(repeats + 1) × T2``, well inside the vending timeout.)"""
    timers = term.timers
    full = timers.t2 + timers.t1
    left = last_write + float(term.vending_timeout) - now - margin
    return max(0.0, min(full, left))


@dataclass
class _Heard:
    """What :func:`serve_until_quiet` heard from the terminal."""

    anything: bool = False


def serve_until_quiet(
    term: ZvtTerminal,
    held: Held | None = None,
    quiet: float = 0.3,
    limit: float = 5.0,
    heard: _Heard | None = None,
) -> bool:
    """Acknowledge whatever the terminal still sends from an interrupted command, until it is quiet.

    An approved Status-Information is committed (``80 00 00``) only if it is the payment ``held``
    describes and the journal wants it committed; every other approved (or unreadable) one is refused
    with ``84 6C``, so the terminal reverses it. A declined one is acknowledged (it commits nothing).
    Returns True if ``held`` was committed here. ``heard`` records whether anything came at all.
    """
    committed = False
    answer = held_answer(held.decide if held is not None else lambda _si: False)  # the driver's rule
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            apdu = term.link.receive(quiet)
            if apdu is None:
                return committed
            if heard is not None:
                heard.anything = True
            if apdu.cls in (0x80, 0x84):
                continue  # a late answer to one of our commands
            if apdu.command == m.STATUS_INFORMATION:
                reply, kept = answer(parse_si(apdu.data))
                term.link.send(reply)
                committed |= kept
                continue
            term.link.send(m.ack_apdu())
    except DriverError as exc:
        log.info("terminal went quiet with an error: %s", exc)
    return committed


def register(term: ZvtTerminal, attempts: int = 3, pause: float = 0.5, held: Held | None = None) -> bool:
    """Registration, retried (a terminal finishing an interrupted payment is busy for a moment).

    Before each attempt, what the terminal still sends is served (``held``: see
    :func:`serve_until_quiet`). A held payment the terminal asks about again *while* Registration runs
    gets the same rule through the driver's hook: committed only if it is ``held`` and the journal
    wants it kept, otherwise refused.
    """
    for attempt in range(attempts):
        serve_until_quiet(term, held, quiet=0.2)
        try:
            term.register(on_si=held.decide if held is not None else None)
            return True
        except DriverError as exc:
            log.info("terminal registration attempt %d failed: %s", attempt + 1, exc)
            if attempt + 1 < attempts:
                time.sleep(pause)
    return False


def last_receipt(term: ZvtTerminal, held: Held | None = None) -> PaymentResult | bool | None:
    """Repeat Receipt: the terminal's last stored transaction, None if it has none, False on failure.
    ``held``: a held payment asked about again before the terminal answers gets :meth:`Held.decide`."""
    try:
        return term.repeat_receipt(on_si=held.decide if held is not None else None)
    except DriverError as exc:
        log.info("repeat receipt failed: %s", exc)
        return False


def today() -> str:
    """The date as the terminal reports it (BMP 0D "MMDD", shown as "MM-DD"; local time)."""
    return dt.datetime.now().strftime("%m-%d")


#: Receipt numbers are four BCD digits and wrap (…, 9999, 0001, …).
RECEIPT_RANGE = 10000


def newer_receipt(receipt_no: int | None, baseline: int) -> bool:
    """Whether ``receipt_no`` comes after ``baseline`` (ahead by less than half the range, so a wrap
    counts as newer and an older or equal number does not)."""
    if receipt_no is None:
        return False
    return 0 < (receipt_no - baseline) % RECEIPT_RANGE < RECEIPT_RANGE // 2


def truth_for(
    rec: PaymentRecord, last: PaymentResult | None, not_payments: Collection[int] = ()
) -> TerminalTruth:
    """Compare the terminal's last stored transaction with the journal's record of ``rec``.

    With a receipt number journalled (the Status-Information arrived), only the very same receipt,
    trace, amount and terminal id count as committed. Without one (lost before any Status-Information)
    a transaction of the same amount from today must be ours if it is *newer* than the journal's
    baseline (``prior_receipt``; rule 1 keeps any other payment from starting meanwhile) and is not
    one of ``not_payments`` (reversal records the kiosk saw: a ``06 30`` record reads like an approved
    payment of the same amount). With no baseline at all (the terminal was never reached before this
    payment), the newest transaction is taken, as before.
    """
    if last is None or last.outcome is Outcome.REVERSAL_RECORD:
        # Nothing stored, or the newest transaction is a reversal record (the driver tells it by its
        # receipt text): it took no money, whatever its amount, date or receipt number say.
        return TerminalTruth(MONEY_NOT_TAKEN)
    approved = last.outcome is Outcome.APPROVED_COMMITTED
    if rec.receipt_no is not None:
        same = (
            last.receipt_no == rec.receipt_no
            and (rec.trace is None or last.trace == rec.trace)
            and last.amount == rec.amount_cents
            and (rec.tid is None or last.tid is None or last.tid == rec.tid)
        )
        if same:
            return TerminalTruth(MONEY_COMMITTED if approved else MONEY_NOT_TAKEN, declined=not approved)
        return TerminalTruth(MONEY_NOT_TAKEN)
    if last.receipt_no is None or last.receipt_no in not_payments:
        return TerminalTruth(MONEY_NOT_TAKEN)  # no number to compare, or a reversal record: not a payment
    newer = rec.prior_receipt is None or newer_receipt(last.receipt_no, rec.prior_receipt)
    if newer and last.amount == rec.amount_cents and (last.date is None or last.date == today()):
        return TerminalTruth(
            MONEY_COMMITTED if approved else MONEY_NOT_TAKEN, declined=not approved,
            receipt_no=last.receipt_no, trace=last.trace, tid=last.tid, term_date=last.date,
        )  # fmt: skip
    return TerminalTruth(MONEY_NOT_TAKEN)


def reverse(term: ZvtTerminal, receipt_no: int) -> tuple[bool | None, int | None]:
    """Reversal ``06 30``: (True reversed or already, False impossible, None unknown), and the receipt
    number of the reversal record (the terminal's new last transaction, the next recovery baseline)."""
    result = term.reverse(receipt_no)
    if result.outcome is Outcome.APPROVED_REVERSED:
        return True, result.receipt_no
    if result.outcome is Outcome.UNKNOWN:
        return None, None
    if result.result_code == m.RESULT_ALREADY_REVERSED:
        return True, None
    log.warning("terminal refused the reversal of receipt %04d (code %s)", receipt_no, result.result_code)
    return False, None
