"""Payments: the kiosk pays a patron's fees on the ZVT terminal and records them in the ILS, once.

* :mod:`~kiosk.payments.states` - journal states and the allowed changes;
* :mod:`~kiosk.payments.journal` - the durable SQLite journal (state written before each action);
"""

from __future__ import annotations

from kiosk.payments.journal import JournalError, PaymentJournal
from kiosk.payments.states import FeeLine, Line, PaymentRecord, State

__all__ = ["FeeLine", "JournalError", "Line", "PaymentJournal", "PaymentRecord", "State"]
