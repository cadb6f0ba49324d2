"""Before every online loan and return the circulation worker asks the offline queue whether a row for
that item still waits (:meth:`TransactionQueue.has_item`). Once the queue was found empty the answer
comes from memory, without a SQLite call, until a row is queued again; the answers stay exact."""

from __future__ import annotations

from pathlib import Path

from kiosk.store import CHECKIN, CHECKOUT, TransactionQueue

PASS = "20105000012345"
BOOK, DVD = "30301000500013", "30301000500021"


class Statements:
    """The SQL statements the queue's own connection runs (SQLite's trace callback)."""

    def __init__(self, queue: TransactionQueue) -> None:
        self.seen: list[str] = []
        queue._db.conn.set_trace_callback(self.seen.append)

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


def test_an_empty_queue_is_asked_once_then_answers_from_memory(tmp_path: Path) -> None:
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    sql = Statements(queue)
    assert not queue.has_item(BOOK)
    assert sql.since(0)  # the first question goes to SQLite: rows of a previous run may wait
    mark = len(sql.seen)
    for _ in range(10):  # a stack of ten loans
        assert not queue.has_item(BOOK)
        assert not queue.has_item(DVD)
    assert sql.since(mark) == []
    queue.close()


def test_a_queued_row_is_found_at_once_and_after_the_replay_memory_takes_over_again(tmp_path: Path) -> None:
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    sql = Statements(queue)
    assert not queue.has_item(BOOK)
    row = queue.enqueue(CHECKOUT, BOOK, PASS)  # the ILS went down: an offline loan
    assert queue.has_item(BOOK)
    assert not queue.has_item(DVD)
    queue.confirm(row.txn_id)  # replayed
    assert not queue.has_item(BOOK)
    mark = len(sql.seen)
    assert not queue.has_item(BOOK)
    assert sql.since(mark) == []
    queue.close()


def test_rows_left_by_a_previous_run_are_found(tmp_path: Path) -> None:
    before = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    before.enqueue(CHECKIN, BOOK)
    before.close()
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    assert queue.has_item(BOOK)
    assert queue.waiting_count() == 1
    queue.close()


def test_a_failed_row_staff_retry_is_found_again(tmp_path: Path) -> None:
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    row = queue.enqueue(CHECKIN, BOOK)
    queue.fail(row.txn_id, "refused")
    assert queue.waiting_count() == 0
    assert not queue.has_item(BOOK)
    queue.retry_failed(row.txn_id)
    assert queue.has_item(BOOK)
    queue.close()
