"""Writes the state directory that tests/deploy/test_state_upgrade.py upgrades: run it with the code of
a release (``python tests/deploy/data/make_state.py tests/deploy/data/state-0.1.0``) and commit the
result. state-0.1.0 was written by version 0.1.0 (the first Debian package). Test data only: the pass
numbers are the simulator's test passes."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.payments.journal import PaymentJournal
from kiosk.payments.states import State
from kiosk.store.queue import TransactionQueue


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=False)
    db, key = target / "kiosk.db", target / "queue.key"
    queue = TransactionQueue(db, key, retention_days=3650, clock=lambda: 1764028800.0)
    queue.enqueue("checkout", "3000100000001", "29990000000017")
    queue.enqueue("checkin", "3000100000002")
    refused = queue.enqueue("checkout", "3000100000003", "29990000000025")
    queue.fail(refused.txn_id, "item-blocked")
    queue.close()
    journal = PaymentJournal(db, key, clock=lambda: 1764028900.0)
    staff = journal.create("29990000000017", [("F1", 250)])
    journal.advance(staff.payment_id, State.AUTH_SENT)
    journal.advance(staff.payment_id, State.NEEDS_STAFF, reason="fee_paid_in_doubt")
    open_payment = journal.create("29990000000033", [("F7", 120), ("F8", 80)])
    journal.advance(open_payment.payment_id, State.AUTH_SENT)
    journal.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
