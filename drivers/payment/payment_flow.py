"""The payment decisions of the command layer, without I/O: how the kiosk answers each Status-Information
of an Authorization, and what the collected messages mean as a :class:`PaymentResult`.

P015 §2.2.6-2.2.9 (issue of goods): the approved ``04 0F`` is answered ``80 00 00`` (commit),
``84 9C 00`` (ask again, vending mode) or ``84 yy`` (the terminal reverses). Partial approvals are never
accepted: an approved amount or currency other than requested is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.results import AskAgain, Commit, Decision, Outcome, PaymentResult, Reverse
from drivers.payment.status_information import StatusInformation

log = logging.getLogger(__name__)

DecideCallback = Callable[[StatusInformation], Decision]


@dataclass
class Run:
    """What happened while the terminal was master."""

    si: StatusInformation | None = None
    lines: list[str] = field(default_factory=list)
    completion: m.CompletionInfo | None = None
    abort: m.AbortInfo | None = None
    committed: bool = False  # our 80 00 00 to an approved 04 0F was acknowledged
    reversed: bool = False  # we answered an approved 04 0F with 84 yy
    approved: bool = False  # an approved 04 0F came (we may have asked the terminal to ask again)
    refusal: Apdu | None = None  # the 84 yy we answered an approved 04 0F with
    error: str | None = None  # why the run ended without 06 0F / 06 1E
    printer_ok: bool | None = None  # the kiosk printer's state, asked at the first Print Line
    print_refused: bool = False  # we answered a Print Line with 84 CC (printer not ready)


def answer_status_information(
    run: Run,
    si: StatusInformation | None,
    amount: int,
    currency: int,
    vending: bool,
    decide: DecideCallback | None,
) -> tuple[Apdu, bool]:
    """Our answer to a 04 0F during a payment, and whether sending it commits the payment."""
    if run.committed:  # the terminal repeated a 04 0F we already committed: never decide twice
        return m.ack_apdu(), False
    if run.refusal is not None:  # ... or one we already refused
        return run.refusal, False
    if si is None:
        # unreadable: never commit what we cannot check (and do not claim it was approved either)
        run.refusal = m.negative_apdu(m.RESULT_ECR_REFUSES)
        return run.refusal, False
    if not si.approved:
        return m.ack_apdu(), False
    run.approved = True
    if si.amount is None and si.unparsed is not None:
        # A BMP we do not know (a newer terminal) came before the amount: we could not read it. The
        # terminal charges what we asked (we never allow partial approvals, no 1F70), so an unknown
        # field is never a reason to refuse an approval (issue 12); the decision below still applies.
        log.warning("approved Status-Information unparsed from BMP %02X on: amount not read, "
                    "taking the requested amount", si.unparsed)  # fmt: skip
        si = replace(si, amount=amount)
        run.si = si
    if si.amount != amount or (si.currency not in (None, currency)):
        log.warning("terminal approved a different amount or currency; refusing (no partial approvals)")
        return _refuse(run, m.RESULT_ECR_REFUSES), False
    decision: Decision = Commit()
    if decide is not None:
        try:
            decision = decide(si)
        except Exception:
            log.exception("payment decision callback failed; refusing the goods")
            decision = Reverse()
    if isinstance(decision, AskAgain) and not vending:
        decision = Reverse()  # "ask again" exists only in vending mode
    if isinstance(decision, AskAgain):
        return m.ask_again_apdu(), False
    if isinstance(decision, Reverse):
        code = decision.code if decision.code not in (0x00, 0x9C) else m.RESULT_ECR_REFUSES
        return _refuse(run, code), False
    return m.ack_apdu(), True


def _refuse(run: Run, code: int) -> Apdu:
    run.reversed = True
    run.refusal = m.negative_apdu(code)
    return run.refusal


def payment_result(run: Run, amount: int) -> PaymentResult:
    """What a finished (or broken-off) Authorization means for the kiosk."""
    si, lines = run.si, run.lines
    if run.committed and run.print_refused:
        # P015 §2.2.6: the payment is stored only once every Print Line is acknowledged too, so after a
        # refused one (84 CC) the terminal reverses: its Abort confirms that. A Completion instead
        # contradicts it: only Repeat Receipt can tell then.
        if run.abort is not None:
            return PaymentResult.from_status(Outcome.APPROVED_REVERSED, si, lines, run.abort.result_code)
        error = "a receipt line was refused (printer not ready) after the commit"
        return with_amount(PaymentResult.from_status(Outcome.UNKNOWN, si, lines, None, error), amount)
    if run.completion is not None:
        if si is None:
            return PaymentResult(
                Outcome.UNKNOWN,
                amount=amount,
                receipt_lines=tuple(lines),
                error="completion without Status-Information",
            )
        if run.reversed:
            return PaymentResult.from_status(Outcome.APPROVED_REVERSED, si, lines)
        if run.committed:
            return PaymentResult.from_status(Outcome.APPROVED_COMMITTED, si, lines)
        return PaymentResult.from_status(Outcome.DECLINED, si, lines)
    if run.abort is not None:
        code = run.abort.result_code
        if run.committed:  # we committed but the terminal aborted: only recovery can tell
            return PaymentResult.from_status(Outcome.UNKNOWN, si, lines, code, "abort after commit")
        if run.reversed or run.approved:  # approved, never committed: the terminal reversed it
            return PaymentResult.from_status(Outcome.APPROVED_REVERSED, si, lines, code)
        outcome = Outcome.CANCELLED if code == m.RESULT_ABORT else Outcome.DECLINED
        return with_amount(PaymentResult.from_status(outcome, si, lines, code, run.abort.error_text), amount)
    return with_amount(PaymentResult.from_status(Outcome.UNKNOWN, si, lines, None, run.error), amount)


def with_amount(result: PaymentResult, amount: int) -> PaymentResult:
    """``result`` with ``amount`` filled in if the terminal did not report one."""
    return result if result.amount is not None else replace(result, amount=amount)


#: Words a terminal prints on (or puts in the BMP 3C text of) the record of a reversal: German
#: "Storno", English "Reversal", Dutch "Annulering" (the kiosk's markets). Whole words only.
REVERSAL_WORDS = re.compile(r"\b(storno|stornierung|reversal|annulering)\b", re.IGNORECASE)


def is_reversal_record(si: StatusInformation, lines: Iterable[str] = ()) -> bool:
    """Whether a Status-Information (from Repeat Receipt) is the record of a reversal, not a payment.

    Assumption, documented because the notes (zvt.md §4) give no "transaction type" field in the
    ``04 0F``: a reversal record carries the same result (00), amount and terminal id as a payment,
    with its own new receipt number, so nothing in its *numbers* tells it apart. What terminals do
    show is the receipt text: the additional text (BMP ``3C``) or the receipt's Print Lines, which
    for a reversal say "STORNO" (German terminals, P015's language), "REVERSAL" or "ANNULERING"
    (Dutch CCV). We take a whole-word match of one of those in BMP 3C or in the receipt lines as the
    mark. A terminal that shows neither is still covered by the kiosk's own list of the reversal
    records it caused and by the receipt baseline (kiosk/payments/terminal.py).
    """
    texts = [si.text or "", *lines]
    return any(REVERSAL_WORDS.search(text) for text in texts)
