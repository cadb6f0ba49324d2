"""An upgrade keeps the queue and the payment journal: the state directory written by version 0.1.0
(tests/deploy/data/state-0.1.0, made by make_state.py) opens with today's code with every row intact,
and afterwards has the same tables and columns as a state directory today's code creates. A schema
change without a migration fails here."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from kiosk.payments.journal import PaymentJournal
from kiosk.payments.states import State
from kiosk.store.queue import TransactionQueue

OLD = Path(__file__).parent / "data" / "state-0.1.0"


def _schema(db: Path) -> dict[str, list[str]]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(r[1] for r in conn.execute(f"PRAGMA table_info('{t}')")) for t in sorted(tables)}


def _open(state: Path) -> tuple[TransactionQueue, PaymentJournal]:
    db, key = state / "kiosk.db", state / "queue.key"
    queue = TransactionQueue(db, key, retention_days=36500)
    return queue, PaymentJournal(db, key)


def test_state_of_the_previous_version_survives_the_upgrade(tmp_path: Path) -> None:
    state = tmp_path / "var-lib-library-kiosk"
    shutil.copytree(OLD, state)
    queue, journal = _open(state)
    try:
        waiting = queue.outstanding()
        assert sorted((t.kind, t.item_id, t.pass_number) for t in waiting) == [
            ("checkin", "3000100000002", None),
            ("checkout", "3000100000001", "29990000000017"),
        ]
        [failed] = queue.failed()
        assert (failed.item_id, failed.result_code, failed.pass_number) == (
            "3000100000003",
            "item-blocked",
            "29990000000025",
        )
        [unfinished] = journal.unfinished()
        assert unfinished.state is State.AUTH_SENT and unfinished.amount_cents == 200
        assert journal.pass_of(unfinished.payment_id) == "29990000000033"  # the old key still decrypts
        assert journal.counts().get("NEEDS_STAFF") == 1
    finally:
        queue.close()
        journal.close()
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for part in _open(fresh):
        part.close()
    assert _schema(state / "kiosk.db") == _schema(fresh / "kiosk.db")
