"""Payments: the kiosk pays a patron's fees on the ZVT terminal and records them in the ILS, once.

* :mod:`~kiosk.payments.worker` - :class:`PaymentWorker`, the one thread that talks to the terminal;
* :mod:`~kiosk.payments.service` - :class:`PaymentService`, what the worker calls for ``StartPayment``;
* :mod:`~kiosk.payments.flow` - one payment (issue of goods, or outbox);
* :mod:`~kiosk.payments.recovery` - settling unfinished payments with the terminal and the ILS;
* :mod:`~kiosk.payments.terminal` - Registration / Repeat Receipt comparison, held-payment answers;
* :mod:`~kiosk.payments.ils` - open fees (63 / Wise 41) and Fee Paid (37) as fee-line states;
* :mod:`~kiosk.payments.journal` / :mod:`~kiosk.payments.journal_rows` / :mod:`~kiosk.payments.states` -
  the durable journal, how its rows read, and its rules.

See ``docs/payments-recovery.md``.
"""

from __future__ import annotations

from kiosk.payments.journal import JournalError, PaymentJournal
from kiosk.payments.service import PaymentService
from kiosk.payments.states import Line, PaymentLine, PaymentRecord, State

__all__ = [
    "JournalError",
    "Line",
    "PaymentJournal",
    "PaymentLine",
    "PaymentRecord",
    "PaymentService",
    "State",
]
