"""The one SQLite helper of the queue and the journal (kiosk/store/sqlite.py, schema.py): a 0.1.0 file
opens, migrates and keeps its rows; a file from a newer release is refused; ``advance()`` holds the
write lock from its first read, so a concurrent writer cannot take the same row."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from kiosk.payments.journal import PaymentJournal
from kiosk.payments.states import State
from kiosk.store import CHECKIN, CHECKOUT, TransactionQueue
from kiosk.store import sqlite as store_db
from kiosk.store.crypto import load_or_create_key
from kiosk.store.queue import QUEUED, SENDING, QueuedTransaction
from kiosk.store.schema import STEPS

#: The schema exactly as release 0.1.0 wrote it (from a kiosk.db of that release; user_version 0).
SCHEMA_0_1_0 = """
CREATE TABLE "transactions" (
   "seq" INTEGER PRIMARY KEY, "txn_id" TEXT NOT NULL, "kind" TEXT NOT NULL, "item_id" TEXT NOT NULL,
   "pass_enc" BLOB, "created_at" REAL NOT NULL, "state" TEXT NOT NULL,
   "attempts" INTEGER NOT NULL DEFAULT 0, "result_code" TEXT DEFAULT '', "updated_at" REAL);
CREATE UNIQUE INDEX "idx_transactions_txn_id" ON "transactions" ("txn_id");
CREATE INDEX "idx_transactions_state" ON "transactions" ("state");
CREATE TABLE payment (
    payment_id TEXT PRIMARY KEY, state TEXT NOT NULL, mode TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL, pass_enc BLOB, prior_receipt INTEGER, receipt_no INTEGER, trace INTEGER,
    tid TEXT, term_date TEXT, money TEXT, reason TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
    updated REAL NOT NULL);
CREATE INDEX payment_state ON payment(state);
CREATE TABLE payment_fee (
    payment_id TEXT NOT NULL, seq INTEGER NOT NULL, fee_id TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    bk TEXT NOT NULL, state TEXT NOT NULL, sends INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (payment_id, seq));
CREATE TABLE payment_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, payment_id TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE payment_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
TABLES = ("transactions", "payment", "payment_fee", "payment_history", "payment_meta")


def _old_file(path: Path) -> None:
    """A kiosk.db as 0.1.0 left it: a queued return, a failed loan's row, a settled payment."""
    load_or_create_key(path.parent / "queue.key")  # the key 0.1.0 made beside it
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_0_1_0)
    conn.execute("PRAGMA journal_mode=WAL")
    with conn:
        conn.execute(
            "INSERT INTO transactions (txn_id, kind, item_id, pass_enc, created_at, state, attempts,"
            " result_code, updated_at) VALUES ('t1', 'checkin', 'ITEM-1', NULL, 1.0, 'queued', 0, '', 1.0)"
        )
        conn.execute(
            "INSERT INTO transactions (txn_id, kind, item_id, pass_enc, created_at, state, attempts,"
            " result_code, updated_at) VALUES ('t2', 'checkin', 'ITEM-2', NULL, 2.0, 'failed', 1,"
            " 'checkin:refused', 2.0)"
        )
        conn.execute(
            "INSERT INTO payment (payment_id, state, mode, amount_cents, currency, pass_enc, created,"
            " updated) VALUES ('P1', 'DONE', 'vending', 250, 'EUR', NULL, 3.0, 3.0)"
        )
        conn.execute(
            "INSERT INTO payment_fee (payment_id, seq, fee_id, amount_cents, bk, state)"
            " VALUES ('P1', 1, 'F1', 250, 'P1-1', 'accepted')"
        )
        conn.execute("INSERT INTO payment_history (payment_id, state, at) VALUES ('P1', 'NEW', 3.0)")
        conn.execute("INSERT INTO payment_meta (key, value) VALUES ('last_receipt', '41')")
    conn.close()


def _columns(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's columns (name, type, not null, default, pk) and its indexes, as SQLite sees them."""
    conn = sqlite3.connect(path)
    try:
        shape: dict[str, list[tuple[object, ...]]] = {}
        for table in TABLES:
            cols = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({table})")]
            indexes = sorted(tuple(r[1:4]) for r in conn.execute(f"PRAGMA index_list({table})"))
            shape[table] = [*cols, *indexes]
        return shape
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_0_1_0_file_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    _old_file(db)
    before = _columns(db)
    assert _version(db) == 0

    queue = TransactionQueue(db, tmp_path / "queue.key")
    journal = PaymentJournal(db, tmp_path / "queue.key")
    try:
        assert [(t.txn_id, t.state) for t in queue.all()] == [("t1", QUEUED), ("t2", "failed")]
        assert queue.failed()[0].result_code == "checkin:refused"
        record = journal.get("P1")
        assert (record.state, record.amount_cents, record.fees[0].fee_id) == (State.DONE, 250, "F1")
        assert journal.history("P1") == [State.NEW]
        assert journal.last_receipt() == 41
        # ... and both stores go on working on it.
        queue.enqueue(CHECKIN, "ITEM-3")
        assert queue.waiting_count() == 2
    finally:
        queue.close()
        journal.close()
    assert _version(db) == len(STEPS)
    assert _columns(db) == before  # the baseline step changed nothing in a 0.1.0 file


def test_a_new_file_has_the_0_1_0_tables(tmp_path: Path) -> None:
    """sqlite-utils creates the same columns, types, defaults, keys and indexes 0.1.0 wrote by hand."""
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _old_file(old)
    TransactionQueue(new, tmp_path / "queue.key").close()
    assert _version(new) == len(STEPS)
    assert _columns(new) == _columns(old)


@pytest.mark.parametrize("store", ["queue", "journal"])
def test_a_file_from_a_newer_release_is_refused_naming_it(tmp_path: Path, store: str) -> None:
    db = tmp_path / "kiosk.db"
    _old_file(db)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(STEPS) + 1}")
    conn.close()
    before = _columns(db)
    with pytest.raises(store_db.SchemaTooNewError) as caught:
        if store == "queue":
            TransactionQueue(db, tmp_path / "queue.key")
        else:
            PaymentJournal(db, tmp_path / "queue.key")
    message = str(caught.value)
    assert str(db) in message and f"schema version {len(STEPS) + 1}" in message and "newer release" in message
    assert _version(db) == len(STEPS) + 1 and _columns(db) == before  # nothing was changed


def test_steps_run_in_order_once_and_keep_rows(tmp_path: Path) -> None:
    """The migration machinery itself: pending steps only, each once, rows carried through a transform."""
    path = tmp_path / "steps.db"
    ran: list[str] = []

    def create(db: sqlite_utils.Database) -> None:
        ran.append("create")
        db["things"].insert({"id": 1, "name": "a"}, pk="id")  # type: ignore[union-attr]

    def add_and_transform(db: sqlite_utils.Database) -> None:
        ran.append("transform")
        db["things"].add_column("weight", int)  # type: ignore[union-attr]
        db["things"].transform(rename={"name": "label"})  # type: ignore[union-attr]

    conn = store_db.connect(path)
    assert store_db.migrate(conn, path, [create]) == 0
    assert store_db.migrate(conn, path, [create, add_and_transform]) == 1
    assert store_db.migrate(conn, path, [create, add_and_transform]) == 2
    assert ran == ["create", "transform"]
    assert conn.execute("SELECT id, label, weight FROM things").fetchall() == [(1, "a", None)]
    assert store_db.user_version(conn) == 2
    conn.close()


def test_a_failing_step_leaves_the_file_at_the_version_before(tmp_path: Path) -> None:
    path = tmp_path / "steps.db"

    def create(db: sqlite_utils.Database) -> None:
        db["things"].insert({"id": 1}, pk="id")  # type: ignore[union-attr]

    def broken(db: sqlite_utils.Database) -> None:
        db["things"].insert({"id": 2})  # type: ignore[union-attr]
        raise RuntimeError("step failed")

    conn = store_db.connect(path)
    with pytest.raises(RuntimeError):
        store_db.migrate(conn, path, [create, broken])
    assert store_db.user_version(conn) == 0 and "things" not in sqlite_utils.Database(conn).table_names()
    conn.close()


def _queued(tmp_path: Path, n: int) -> TransactionQueue:
    queue = TransactionQueue(tmp_path / "kiosk.db", tmp_path / "queue.key")
    for i in range(n):
        queue.enqueue(CHECKOUT, f"ITEM-{i}", "2000000000001")
    return queue


def test_advance_holds_the_write_lock_from_its_first_read(tmp_path: Path) -> None:
    """A second connection that writes between advance()'s read and its marks is kept out.

    Deterministic: the second connection (timeout 0, so it fails at once instead of waiting) tries to
    take the very row advance() just read, from inside ``choose`` — after the read, before the mark.
    Before BEGIN IMMEDIATE it got the row (and advance() then failed on its own batch).
    """
    queue = _queued(tmp_path, 2)
    other = sqlite3.connect(tmp_path / "kiosk.db", timeout=0, isolation_level=None)
    refused: list[sqlite3.OperationalError] = []

    def choose(rows: list[QueuedTransaction]) -> list[QueuedTransaction]:
        try:
            other.execute(
                "UPDATE transactions SET state = 'sending', attempts = attempts + 1 WHERE seq = ?",
                (rows[0].seq,),
            )
        except sqlite3.OperationalError as exc:
            refused.append(exc)
        return rows

    try:
        batch = queue.advance([], [], 1, choose)
        assert [(t.item_id, t.state) for t in batch] == [("ITEM-0", QUEUED)]
        assert refused and "locked" in str(refused[0])
        row = queue.get(batch[0].txn_id)
        assert row is not None and (row.state, row.attempts) == (SENDING, 1)  # marked once, by advance()
    finally:
        other.close()
        queue.close()


def test_two_replayers_never_take_the_same_row(tmp_path: Path) -> None:
    """Two connections (threads, released together by a barrier) advance over the same rows: every
    fresh row goes to exactly one of them and neither fails."""
    rows, rounds = 40, 10
    _queued(tmp_path, rows).close()
    queues = [TransactionQueue(tmp_path / "kiosk.db", tmp_path / "queue.key") for _ in range(2)]
    barrier = threading.Barrier(2)
    taken: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def fresh_only(batch: list[QueuedTransaction]) -> list[QueuedTransaction]:
        return [t for t in batch if t.state == QUEUED]

    def replayer(n: int) -> None:
        try:
            for _ in range(rounds):
                barrier.wait(timeout=60)
                batch = queues[n].advance([], [], 2, fresh_only)
                taken[n] += [t.txn_id for t in batch]
                queues[n].settle([t.txn_id for t in batch], [])  # confirmed: the next round moves on
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=replayer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not errors, errors
        assert not set(taken[0]) & set(taken[1])
    finally:
        for q in queues:
            q.close()
