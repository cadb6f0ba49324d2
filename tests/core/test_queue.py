"""The offline queue on a real SQLite file: durability settings, encryption at rest, states, retention."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.errors import ConfigError, KioskProtocolError
from kiosk.store import CHECKIN, CHECKOUT, FAILED, QUEUED, SENDING, TransactionQueue
from kiosk.store.queue import QueuedTransaction

PASS = "20105000012345"
DAY = 86400.0


class Clock:
    """A settable clock for retention tests."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _open(tmp_path: Path, clock: Clock | None = None, retention: int = 14) -> TransactionQueue:
    return TransactionQueue(
        tmp_path / "queue.db", tmp_path / "keys" / "queue.key", retention, clock or Clock()
    )


def _all_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.rglob("queue.db*"))


def test_rows_keep_order_and_decrypt_in_memory_only(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    first = queue.enqueue(CHECKOUT, "ITEM-1", PASS, created_at=1000.0)
    second = queue.enqueue(CHECKIN, "ITEM-2")
    rows = queue.outstanding()
    assert [r.txn_id for r in rows] == [first.txn_id, second.txn_id]
    assert rows[0].pass_number == PASS and rows[0].created_at == 1000.0 and rows[1].pass_number is None
    assert PASS not in repr(rows[0])
    public = rows[0].public()
    assert PASS not in str(public) and public["pass_hash"].startswith("#")
    assert PASS.encode() not in _all_bytes(tmp_path)
    queue.close()
    assert PASS.encode() not in _all_bytes(tmp_path)


def test_durability_settings(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    conn = queue._db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    columns = {row[1] for row in conn.execute("PRAGMA table_info(transactions)")}
    assert columns == {
        "seq",
        "txn_id",
        "kind",
        "item_id",
        "pass_enc",
        "created_at",
        "state",
        "attempts",
        "result_code",
        "updated_at",
    }


def test_a_second_process_sees_committed_rows_at_once(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    txn = queue.enqueue(CHECKOUT, "ITEM-1", PASS)
    queue.mark_sending(txn.txn_id)
    other = sqlite3.connect(tmp_path / "queue.db")
    assert other.execute("SELECT state, attempts FROM transactions").fetchall() == [(SENDING, 1)]


def test_key_file_is_private_and_separate(tmp_path: Path) -> None:
    _open(tmp_path).close()
    key = tmp_path / "keys" / "queue.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    os.chmod(key, 0o644)
    _open(tmp_path).close()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_missing_or_wrong_key_is_refused_loudly(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    queue.enqueue(CHECKOUT, "ITEM-1", PASS)
    queue.close()
    key = tmp_path / "keys" / "queue.key"
    original = key.read_bytes()
    key.unlink()
    with pytest.raises(ConfigError, match="missing"):
        _open(tmp_path)
    key.write_bytes(b"short")
    with pytest.raises(ConfigError, match="32 bytes"):
        _open(tmp_path)
    key.write_bytes(bytes(32))
    with pytest.raises(KioskProtocolError, match="cannot be decrypted"):
        _open(tmp_path).outstanding()
    key.write_bytes(original)
    assert _open(tmp_path).outstanding()[0].pass_number == PASS


def test_ciphertext_is_bound_to_its_row(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    a = queue.enqueue(CHECKOUT, "ITEM-1", PASS)
    queue.enqueue(CHECKOUT, "ITEM-2", "20105000067890")
    conn = queue._db.conn
    blob = conn.execute("SELECT pass_enc FROM transactions WHERE txn_id = ?", (a.txn_id,)).fetchone()[0]
    with conn:
        conn.execute("UPDATE transactions SET pass_enc = ? WHERE item_id = 'ITEM-2'", (blob,))
    with pytest.raises(KioskProtocolError):
        queue.outstanding()


def test_bad_input_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        queue.enqueue("renew", "ITEM-1", PASS)
    with pytest.raises(ValueError, match="item id"):
        queue.enqueue(CHECKIN, "ITEM|AA123")
    with pytest.raises(ValueError, match="item id"):
        queue.enqueue(CHECKIN, "")
    with pytest.raises(ValueError, match="pass number"):
        queue.enqueue(CHECKOUT, "ITEM-1")
    assert queue.all() == []


def test_state_changes_and_wrong_transitions(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    txn = queue.enqueue(CHECKOUT, "ITEM-1", PASS)
    queue.mark_sending(txn.txn_id)
    queue.mark_sending(txn.txn_id)  # a retry after recovery counts another attempt
    assert queue.get(txn.txn_id).attempts == 2
    queue.fail(txn.txn_id, "checkout:refused")
    row = queue.get(txn.txn_id)
    assert row.state == FAILED and row.result_code == "checkout:refused"
    assert queue.outstanding() == [] and queue.failed() == [row]
    with pytest.raises(KioskProtocolError):
        queue.mark_sending(txn.txn_id)  # a failed row is not sent again without staff
    queue.retry_failed(txn.txn_id)
    assert queue.get(txn.txn_id).state == QUEUED
    queue.confirm(txn.txn_id)
    assert queue.get(txn.txn_id) is None
    with pytest.raises(KioskProtocolError):
        queue.release("no-such-id")


def test_result_codes_keep_no_free_text(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    txn = queue.enqueue(CHECKIN, "ITEM-1")
    queue.fail(txn.txn_id, "Uitgeleend aan Jan de Vries, Dorpsstraat 1 " * 5)
    assert queue.get(txn.txn_id).result_code == "refused"
    queue.fail(txn.txn_id, "checkin:refused:01")
    assert queue.get(txn.txn_id).result_code == "checkin:refused:01"


def test_retention_purges_only_old_failed_rows(tmp_path: Path) -> None:
    clock = Clock()
    queue = _open(tmp_path, clock, retention=14)
    old = queue.enqueue(CHECKIN, "OLD")
    queue.fail(old.txn_id, "checkin:refused")
    waiting = queue.enqueue(CHECKIN, "WAITING")
    clock.now += 10 * DAY
    recent = queue.enqueue(CHECKIN, "RECENT")
    queue.fail(recent.txn_id, "checkin:refused")
    assert queue.purge() == 0
    clock.now += 4 * DAY + 1
    assert queue.purge() == 1
    assert {r.item_id for r in queue.all()} == {"WAITING", "RECENT"}
    assert queue.get(waiting.txn_id).state == QUEUED  # never purge what is not yet sent
    assert queue.counts() == {QUEUED: 1, SENDING: 0, FAILED: 1}


def test_loans_for_pass_counts_outstanding_loans_of_that_pass(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    queue.enqueue(CHECKOUT, "A", PASS)
    b = queue.enqueue(CHECKOUT, "B", PASS)
    queue.enqueue(CHECKOUT, "C", "20105000067890")
    queue.enqueue(CHECKIN, "D")
    assert queue.loans_for_pass(PASS) == 2
    queue.fail(b.txn_id, "checkout:refused")
    assert queue.loans_for_pass(PASS) == 1


def test_batch_marking_and_settling(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    rows = [queue.enqueue(CHECKIN, f"I{n}") for n in range(5)]
    assert len(queue.advance([], [], 5)) == 5  # marks the whole batch "sending" in one commit
    assert queue.counts()[SENDING] == 5
    queue.settle([rows[0].txn_id, rows[1].txn_id], [(rows[2].txn_id, "checkin:refused")])
    assert queue.counts() == {QUEUED: 0, SENDING: 2, FAILED: 1}
    with pytest.raises(KioskProtocolError):
        queue.mark_sending(rows[2].txn_id)


def test_advance_settles_one_batch_and_marks_the_next_in_one_commit(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    rows = [queue.enqueue(CHECKOUT if n % 2 else CHECKIN, f"I{n}", PASS) for n in range(6)]
    first = queue.advance([], [], 2)
    assert [r.txn_id for r in first] == [rows[0].txn_id, rows[1].txn_id]
    assert [r.state for r in first] == [QUEUED, QUEUED]  # as read, before the mark
    assert first[1].pass_number == PASS
    assert queue.counts() == {QUEUED: 4, SENDING: 2, FAILED: 0}

    # Settle the first batch; of the next three rows ``choose`` keeps the first two.
    second = queue.advance([first[0].txn_id], [(first[1].txn_id, "checkout:refused")], 3, lambda r: r[:2])
    assert [r.txn_id for r in second] == [rows[2].txn_id, rows[3].txn_id]
    assert queue.get(rows[0].txn_id) is None
    failed = queue.get(rows[1].txn_id)
    assert failed is not None and failed.state == FAILED and failed.result_code == "checkout:refused"
    marked = [queue.get(r.txn_id) for r in second]
    assert [(m.state, m.attempts) for m in marked if m] == [(SENDING, 1), (SENDING, 1)]
    assert queue.get(rows[4].txn_id).state == QUEUED  # type: ignore[union-attr]

    # A row still in doubt comes back as ``sending`` and is not counted as a new attempt.
    again = queue.advance([], [], 1)
    assert [(r.txn_id, r.state) for r in again] == [(rows[2].txn_id, SENDING)]
    assert queue.get(rows[2].txn_id).attempts == 1  # type: ignore[union-attr]


def test_advance_is_atomic_when_the_next_batch_cannot_be_marked(tmp_path: Path) -> None:
    queue = _open(tmp_path)
    rows = [queue.enqueue(CHECKIN, f"I{n}") for n in range(3)]
    first = queue.advance([], [], 1)

    def gone(batch: list[QueuedTransaction]) -> list[QueuedTransaction]:
        # A row that is no longer queued by the time it is marked: nothing may be committed.
        return [dataclasses.replace(batch[0], seq=-1, txn_id="no-such-transaction")]

    with pytest.raises(KioskProtocolError):
        queue.advance([first[0].txn_id], [], 5, gone)
    assert queue.get(rows[0].txn_id) is not None  # the settle was rolled back with the failed mark
    assert queue.counts() == {QUEUED: 2, SENDING: 1, FAILED: 0}
