"""The receipt service: turns the core's :class:`~kiosk.core.effects.PrintReceipt` into paper.

Printing runs on its own worker thread (a slow or unplugged printer never holds up the session).
The receipt carries titles and due dates for the member to take home, but no name and no pass number;
nothing of it is logged (the driver's ``Receipt`` repr shows counts only).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from drivers.printer import Receipt
from drivers.printer.receipt import FeePayment, LoanLine, ReturnLine
from kiosk.core import effects as fx
from kiosk.core.view import LineKind
from kiosk.i18n import Translator
from kiosk.i18n.formats import format_day, format_money

log = logging.getLogger(__name__)


def build_receipt(effect: fx.PrintReceipt, library_name: str, now: datetime) -> Receipt:
    """The driver's receipt for the session's successful transactions."""
    loans: list[LoanLine] = []
    renewals: list[LoanLine] = []
    returns: list[ReturnLine] = []
    fees: list[FeePayment] = []
    current: list[LoanLine] = []
    for line in effect.lines:
        if line.current:  # [receipt] list_loans: the member's loans now
            current.append(LoanLine(line.title, _due(line.due), line.item_id))
        elif line.kind is LineKind.RETURN:
            returns.append(ReturnLine(line.title, line.item_id, offline=line.offline, fine=line.amount))
        elif line.kind is LineKind.PAYMENT and line.amount is not None:
            fees.append(FeePayment(line.title or line.item_id, line.amount, line.terminal_lines))
        elif line.kind in (LineKind.LOAN, LineKind.RENEWAL):
            # No date rather than a wrong one: an offline loan has none yet (it says it will be
            # processed), and an ILS date we cannot read is left off, never the loan itself.
            due = _due(line.due)
            target = loans if line.kind is LineKind.LOAN else renewals
            target.append(LoanLine(line.title, due, line.item_id, offline=line.offline))
    language = effect.language
    return Receipt(
        library_name=library_name,
        printed_at=now,
        loans=tuple(loans),
        returns=tuple(returns),
        renewals=tuple(renewals),
        fees=tuple(fees),
        current_loans=tuple(current),
        # The member's language on paper too (de/tr included), with the screen's money and dates.
        language=language if language in ("nl", "en") else "en",
        labels=receipt_labels(language),
        format_money=lambda amount: format_money(amount, language),
        format_day=lambda day: format_day(day, language),
    )


def receipt_labels(language: str) -> dict[str, str]:
    """The receipt's labels from the kiosk's catalog in ``language`` (keys ``receipt.<label>``)."""
    from drivers.printer.receipt import LABELS

    t = Translator(language)
    return {key: t(f"receipt.{key}") for key in LABELS["en"] if t.has(f"receipt.{key}")}


def _due(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


class ReceiptService:
    """Prints receipts on a worker thread; ``printer`` is a :mod:`drivers.printer` printer."""

    def __init__(self, printer: Any, library_name: str, now: Callable[[], datetime] = datetime.now) -> None:
        self.printer = printer
        self.library_name = library_name
        self._now = now
        self._jobs: queue.Queue[fx.PrintReceipt | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="receipts", daemon=True)
        self._busy = threading.Event()
        self.printed = 0
        self.failed = 0
        self._thread.start()

    def submit(self, effect: fx.Effect) -> bool:
        """Take :class:`PrintReceipt` effects."""
        if not isinstance(effect, fx.PrintReceipt):
            return False
        self._busy.set()
        self._jobs.put(effect)
        return True

    @property
    def idle(self) -> bool:
        """No receipt waiting or printing."""
        return self._jobs.empty() and not self._busy.is_set()

    def stop(self) -> None:
        """Finish the receipts in hand, then stop."""
        self._jobs.put(None)
        self._thread.join(timeout=10)

    def _work(self) -> None:
        while True:
            effect = self._jobs.get()
            if effect is None:
                return
            try:
                self.printer.print_receipt(build_receipt(effect, self.library_name, self._now()))
                self.printed += 1
            except Exception as exc:  # paper out, unplugged: the loan itself is done; tell the technician
                self.failed += 1
                log.error("receipt not printed: %s", type(exc).__name__)
            finally:
                if self._jobs.empty():
                    self._busy.clear()
