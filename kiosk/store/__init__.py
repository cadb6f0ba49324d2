"""Local storage: the encrypted offline transaction queue and its replay (SQLite via sqlite-utils)."""

from kiosk.store.queue import (
    CHECKIN,
    CHECKOUT,
    FAILED,
    QUEUED,
    SENDING,
    QueuedTransaction,
    TransactionQueue,
)

__all__ = ["CHECKIN", "CHECKOUT", "FAILED", "QUEUED", "SENDING", "QueuedTransaction", "TransactionQueue"]
