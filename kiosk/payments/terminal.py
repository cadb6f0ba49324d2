"""The terminal side of recovery: what did the terminal do with a payment the kiosk lost track of?

zvt.md §6 "Kiosk crash": Registration (``06 00``), then Repeat Receipt (``06 20`` service 01), and
compare receipt number, trace, amount, terminal id and date with the journal. The same receipt → the
payment was stored (committed); an older one → it failed or was reversed, no money was taken.

One more step comes first, for a payment the terminal may still be *holding* in issue-of-goods mode
(P015 §2.2.6-2.2.9): it waits for the answer to its approved ``04 0F`` until the vending timeout runs
out. If the kiosk restarts inside that window it answers now, with what the journal had decided
(``80 00 00`` commit, or ``84 6C`` refuse), instead of leaving the terminal to time out. A terminal
that is not waiting ignores the answer. Every other message it sends meanwhile is acknowledged, except
an approved ``04 0F`` we did not decide to commit: that one is refused, so it can never be committed
by accident.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from drivers.errors import DriverError
from drivers.payment import Outcome, PaymentResult, ZvtTerminal
from drivers.payment import messages as m
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


def answer_held(term: ZvtTerminal, commit: bool, quiet: float = 0.3, limit: float = 5.0) -> None:
    """Answer a possibly held approved ``04 0F`` (commit or refuse), then serve the terminal until quiet.

    Best effort: nothing here raises for the terminal's sake; the Repeat Receipt afterwards is what
    counts. ``quiet``: stop after this long without a message; ``limit``: stop after this long anyway.
    """
    try:
        term.link.send(m.ack_apdu() if commit else m.negative_apdu(m.RESULT_ECR_REFUSES))
    except DriverError as exc:
        log.info("no terminal waiting for an answer (%s)", exc)
    serve_until_quiet(term, commit=False, quiet=quiet, limit=limit)


def serve_until_quiet(
    term: ZvtTerminal, commit: bool = False, quiet: float = 0.3, limit: float = 5.0
) -> None:
    """Acknowledge whatever the terminal still sends from an interrupted command, until it is quiet.

    An approved Status-Information is committed only if ``commit``; otherwise refused (it reverses).
    """
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            apdu = term.link.receive(quiet)
            if apdu is None:
                return
            if apdu.cls in (0x80, 0x84):
                continue  # a late answer to one of our commands
            if apdu.command == m.STATUS_INFORMATION and not commit:
                try:
                    approved = m.parse_status_information(apdu.data).approved
                except DriverError:
                    approved = True  # unreadable: treat as approved, i.e. refuse it
                if approved:
                    log.warning("terminal offered an approved payment nobody decided on: refusing it")
                    term.link.send(m.negative_apdu(m.RESULT_ECR_REFUSES))
                    continue
            term.link.send(m.ack_apdu())
    except DriverError as exc:
        log.info("terminal went quiet with an error: %s", exc)


def register(term: ZvtTerminal, attempts: int = 3, pause: float = 0.5) -> bool:
    """Registration, retried (a terminal finishing an interrupted payment is busy for a moment)."""
    for attempt in range(attempts):
        serve_until_quiet(term, quiet=0.2)
        try:
            term.register()
            return True
        except DriverError as exc:
            log.info("terminal registration attempt %d failed: %s", attempt + 1, exc)
            if attempt + 1 < attempts:
                time.sleep(pause)
    return False


def last_receipt(term: ZvtTerminal) -> PaymentResult | bool | None:
    """Repeat Receipt: the terminal's last stored transaction, None if it has none, False on failure."""
    try:
        return term.repeat_receipt()
    except DriverError as exc:
        log.info("repeat receipt failed: %s", exc)
        return False


def today() -> str:
    """The date as the terminal reports it (BMP 0D "MMDD", shown as "MM-DD"; local time)."""
    return dt.datetime.now().strftime("%m-%d")


def truth_for(rec: PaymentRecord, last: PaymentResult | None) -> TerminalTruth:
    """Compare the terminal's last stored transaction with the journal's record of ``rec``.

    With a receipt number journalled (the Status-Information arrived), only the very same receipt,
    trace, amount and terminal id count as committed. Without one (lost before any Status-Information)
    a transaction newer than the journal's baseline (``prior_receipt``), of the same amount, from today,
    must be ours: rule 1 keeps any other payment from starting meanwhile.
    """
    if last is None:
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
    newer = rec.prior_receipt is None or last.receipt_no != rec.prior_receipt
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
