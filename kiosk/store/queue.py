"""The offline transaction queue: loans and returns the ILS has not confirmed yet, in SQLite.

Privacy (DESIGN.md "Privacy rules"): a row holds only what is needed to finish the transaction later —
transaction id, kind, item id, the pass number ENCRYPTED (AES-GCM, key in a separate 0600 file), the
original timestamp, state, attempts and the ILS's result code. No names, titles, PINs or raw replies.
A confirmed row is deleted at once; a refused row is kept as ``failed`` for staff and purged after
``retention_days``. ``secure_delete`` overwrites deleted rows in the file.

Durability (DESIGN.md convention 8): WAL with ``synchronous=FULL`` (:mod:`kiosk.store.sqlite`, which
also owns the schema migrations of the shared file); every state change is committed
before the step it describes — in particular a row is marked ``sending`` before its message is sent,
which is what lets :mod:`kiosk.store.replay` recover safely after a crash.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.errors import KioskProtocolError
from kiosk.logsetup import short_hash
from kiosk.store import sqlite as store_db
from kiosk.store.crypto import PassCipher, load_or_create_key
from kiosk.store.schema import QUEUE_TABLE, STEPS
from kiosk.store.statelock import StateDirectoryError

log = logging.getLogger(__name__)

CHECKOUT, CHECKIN = "checkout", "checkin"
KINDS = (CHECKOUT, CHECKIN)
QUEUED, SENDING, FAILED = "queued", "sending", "failed"
STATES = (QUEUED, SENDING, FAILED)
TABLE = QUEUE_TABLE
_CODE = re.compile(r"^[a-z0-9_\-]{1,16}(?::[a-z0-9_\-]{1,16}){0,3}$")
_ITEM = re.compile(r"^[^\x00-\x1f|]{1,64}$")
_NAMES = (
    "seq", "txn_id", "kind", "item_id", "pass_enc", "created_at", "state", "attempts", "result_code",
    "updated_at",
)  # fmt: skip
_COLUMNS = ", ".join(_NAMES)


@dataclass(frozen=True, slots=True)
class QueuedTransaction:
    """One queued transaction. The pass number is decrypted in memory and never in ``repr``."""

    seq: int
    txn_id: str
    kind: str
    item_id: str
    pass_number: str | None = field(repr=False)
    created_at: float
    state: str
    attempts: int
    result_code: str
    updated_at: float

    def public(self) -> dict[str, Any]:
        """A JSON-safe description for technicians: the pass number only as a short salted hash."""
        return {
            "txn_id": self.txn_id, "kind": self.kind, "item_id": self.item_id,
            "pass_hash": short_hash(self.pass_number) if self.pass_number else None,
            "created_at": _iso(self.created_at), "state": self.state, "attempts": self.attempts,
            "result_code": self.result_code or None, "updated_at": _iso(self.updated_at),
        }  # fmt: skip


def result_code_for(code: str) -> str:
    """A reason code as stored: ``kind:outcome[:detail]`` in lowercase letters and digits only.

    Anything else (free text, which could carry a name) is stored as plain ``refused``.
    """
    return code if _CODE.match(code) else "refused"


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class TransactionQueue:
    """The durable queue. Thread-safe (one connection behind a lock); open it once per process."""

    def __init__(
        self,
        path: str | Path,
        key_file: str | Path,
        retention_days: int = 14,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Open (or create) the queue at ``path`` with the key in ``key_file`` (created if missing)."""
        self.path = Path(path)
        self.retention_days = int(retention_days)
        if self.retention_days < 0:
            raise ValueError("store retention_days must not be negative")
        self._clock = clock
        self._lock = threading.RLock()
        # False once a count found no row to send (rows to send are only added through this object:
        # enqueue, retry_failed; `kiosk queue replay` only settles them): has_item then skips SQLite.
        self._maybe_waiting = True
        conn = store_db.connect(self.path)
        self._db = sqlite_utils.Database(conn, execute_plugins=False)
        try:
            store_db.migrate(conn, self.path, STEPS)
            with store_db.immediate(conn):  # can it be written? (takes the write lock; writes nothing)
                pass
            has_rows = self._db[TABLE].count > 0
        except sqlite3.Error as exc:
            conn.close()
            raise StateDirectoryError.about(self.path, exc) from None
        except BaseException:
            conn.close()
            raise
        # A missing key with rows present means the rows could never be replayed: refuse rather than
        # silently making a new key.
        try:
            self._cipher = PassCipher(load_or_create_key(Path(key_file), create=not has_rows))
        except OSError as exc:
            conn.close()
            raise StateDirectoryError.about(Path(key_file), exc) from None
        except BaseException:
            conn.close()
            raise

    @classmethod
    def from_config(cls, store: Any) -> TransactionQueue:
        """Open the queue described by the ``[store]`` section (path, key_file, retention_days)."""
        return cls(store.path, store.key_file, store.retention_days)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction under the lock, holding the write lock from its first read
        (``BEGIN IMMEDIATE``): a second connection cannot change a row between our read and write."""
        with store_db.immediate(self._db.conn, self._lock) as conn:
            yield conn

    # --- writing -------------------------------------------------------------------------------------
    def enqueue(
        self,
        kind: str,
        item_id: str,
        pass_number: str | None = None,
        created_at: float | None = None,
        *,
        in_doubt: bool = False,
    ) -> QueuedTransaction:
        """Queue a loan or return; committed to disk before this returns.

        ``in_doubt``: it was sent online and the outcome is unknown (the link died mid-transaction); the
        row starts as ``sending`` so the replay asks the ILS before sending it again.
        """
        if kind not in KINDS:
            raise ValueError(f"transaction kind must be one of {KINDS}, not {kind!r}")
        if not _ITEM.match(item_id or ""):
            raise ValueError("item id must be 1-64 printable characters without '|'")
        if kind == CHECKOUT and not pass_number:
            raise ValueError("a queued loan needs the patron's pass number")
        txn_id = uuid.uuid4().hex
        now = self._clock()
        created = now if created_at is None else float(created_at)
        blob = self._cipher.encrypt(pass_number, txn_id) if pass_number else None
        with self._tx() as conn:
            self._maybe_waiting = True
            cur = conn.execute(
                f"INSERT INTO {TABLE} (txn_id, kind, item_id, pass_enc, created_at, state, attempts,"
                " result_code, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, '', ?)",
                (txn_id, kind, item_id, blob, created, SENDING if in_doubt else QUEUED, now),
            )
            seq = int(cur.lastrowid or 0)
        log.info("queued %s %s as %s%s", kind, short_hash(item_id), txn_id, " (in doubt)" if in_doubt else "")
        state = SENDING if in_doubt else QUEUED
        return QueuedTransaction(seq, txn_id, kind, item_id, pass_number, created, state, 0, "", now)

    def mark_sending(self, txn_id: str) -> None:
        """Record, durably, that this transaction is about to be sent (before it is sent)."""
        self._update(txn_id, "state = ?, attempts = attempts + 1", (SENDING,), expect=(QUEUED, SENDING))

    def settle(self, confirmed: list[str], refused: list[tuple[str, str]]) -> None:
        """Delete the confirmed rows and fail the refused ones in ONE commit."""
        if not confirmed and not refused:
            return
        now = self._clock()
        with self._tx() as conn:
            self._settle_in(conn, confirmed, refused, now)

    @staticmethod
    def _settle_in(
        conn: sqlite3.Connection, confirmed: list[str], refused: list[tuple[str, str]], now: float
    ) -> None:
        if confirmed:
            marks = ",".join("?" * len(confirmed))
            conn.execute(f"DELETE FROM {TABLE} WHERE txn_id IN ({marks})", confirmed)
        if refused:
            conn.executemany(
                f"UPDATE {TABLE} SET state = ?, result_code = ?, updated_at = ? WHERE txn_id = ?",
                [(FAILED, result_code_for(code), now, t) for t, code in refused],
            )

    def advance(
        self,
        confirmed: list[str],
        refused: list[tuple[str, str]],
        limit: int,
        choose: Callable[[list[QueuedTransaction]], list[QueuedTransaction]] = lambda rows: rows,
    ) -> list[QueuedTransaction]:
        """Settle a replay batch and start the next one, in ONE commit; returns the next batch.

        In one transaction: :meth:`settle` ``confirmed``/``refused``, read the oldest ``limit``
        outstanding rows, keep ``choose(rows)`` (a head of them: the replay's one-row-per-item rule)
        and mark those not already ``sending`` as ``sending`` (as :meth:`mark_sending` does). The rows
        come back as they were read (a row read as ``sending`` is in doubt and must be queried).

        Why one commit is as safe as two: the outcomes of the old batch are still committed after
        the ILS answered them, and the marks of the new batch before any of its messages goes out;
        the transaction is atomic, so after a crash either both are on disk or neither (the old
        batch then still ``sending``, the new one still ``queued``). It saves a disk sync per batch.
        """
        now = self._clock()
        with self._tx() as conn:
            self._settle_in(conn, confirmed, refused, now)
            # "+state": walk the table in seq order and stop after ``limit`` rows, instead of sorting
            # every outstanding row through the state index for each batch (confirmed rows are
            # deleted, so the oldest rows are nearly all outstanding).
            cur = conn.execute(
                f"SELECT {_COLUMNS} FROM {TABLE} WHERE +state IN (?, ?) ORDER BY seq LIMIT ?",
                (QUEUED, SENDING, int(limit)),
            )
            rows = choose([self._row_values(r) for r in cur.fetchall()])
            fresh = [(row.seq, row.txn_id) for row in rows if row.state != SENDING]
            if fresh:
                marks = ",".join("?" * len(fresh))
                cur = conn.execute(  # by seq (the rowid): no lookups in the txn_id index
                    f"UPDATE {TABLE} SET state = ?, attempts = attempts + 1, updated_at = ?"
                    f" WHERE state = ? AND seq IN ({marks})",
                    (SENDING, now, QUEUED, *(seq for seq, _ in fresh)),
                )
                if cur.rowcount != len(set(fresh)):  # rolls the whole transaction back
                    raise KioskProtocolError("a transaction of the replay batch is no longer queued")
        return rows

    def release(self, txn_id: str) -> None:
        """Back to ``queued``: it is known NOT to have reached the ILS (recovery proved it)."""
        self._update(txn_id, "state = ?", (QUEUED,), expect=(SENDING, QUEUED))

    def fail(self, txn_id: str, result_code: str) -> None:
        """The ILS refused it: keep it for staff with the ILS's reason code (sanitised, no free text)."""
        self._update(
            txn_id, "state = ?, result_code = ?", (FAILED, result_code_for(result_code)), expect=STATES
        )

    def confirm(self, txn_id: str) -> None:
        """The ILS confirmed it: delete the row at once."""
        with self._tx() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE txn_id = ?", (txn_id,))

    def retry_failed(self, txn_id: str) -> None:
        """Staff decided to try a failed transaction again (in the kiosk's own process: see
        ``_maybe_waiting``)."""
        with self._lock:
            self._maybe_waiting = True
        self._update(txn_id, "state = ?, result_code = ''", (QUEUED,), expect=(FAILED,))

    def _update(
        self, txn_id: str, assignments: str, values: tuple[Any, ...], expect: tuple[str, ...]
    ) -> None:
        marks = ",".join("?" * len(expect))
        with self._tx() as conn:
            cur = conn.execute(
                f"UPDATE {TABLE} SET {assignments}, updated_at = ? WHERE txn_id = ? AND state IN ({marks})",
                (*values, self._clock(), txn_id, *expect),
            )
            if cur.rowcount != 1:
                raise KioskProtocolError(f"queued transaction {txn_id} not found in state {'/'.join(expect)}")

    def purge(self, now: float | None = None) -> int:
        """Delete failed rows older than the retention period; returns how many went."""
        cutoff = (self._clock() if now is None else now) - self.retention_days * 86400
        with self._tx() as conn:
            cur = conn.execute(f"DELETE FROM {TABLE} WHERE state = ? AND updated_at <= ?", (FAILED, cutoff))
            count = cur.rowcount
        if count:
            log.info("purged %d failed queued transaction(s) past retention", count)
            self.scrub()
        return count

    def scrub(self) -> bool:
        """Make deleted rows unrecoverable from disk now: checkpoint the WAL into the database (where
        ``secure_delete`` has zeroed them) and truncate it to zero bytes. Until then the WAL still
        holds the pages as they were before the delete. Covers every connection's writes to this file
        (the payment journal shares it). Returns False when a reader kept the checkpoint from finishing
        (it is tried again at the next scrub and at close)."""
        with self._lock:
            return store_db.checkpoint(self._db.conn, self.path)

    # --- reading -------------------------------------------------------------------------------------
    def _select(
        self, where: str, params: tuple[Any, ...] = (), order: bool = True
    ) -> list[QueuedTransaction]:
        sql = f"SELECT * FROM {TABLE} WHERE {where}" + (" ORDER BY seq" if order else "")
        with self._lock:
            rows = list(self._db.query(sql, params))
        return [self._row(r) for r in rows]

    def _row(self, r: dict[str, Any]) -> QueuedTransaction:
        return self._row_values(tuple(r[name] for name in _NAMES))

    def _row_values(self, values: tuple[Any, ...]) -> QueuedTransaction:
        """A row from its column values in ``_NAMES`` order, the pass number decrypted."""
        seq, txn_id, kind, item_id, blob, created_at, state, attempts, result_code, updated_at = values
        pass_number = self._cipher.decrypt(blob, txn_id) if blob else None
        return QueuedTransaction(
            seq, txn_id, kind, item_id, pass_number, created_at, state, attempts, result_code or "",
            updated_at,
        )  # fmt: skip

    def outstanding(self, limit: int | None = None) -> list[QueuedTransaction]:
        """Rows still to send (``queued``) or in doubt (``sending``), oldest first (at most ``limit``)."""
        if limit is not None:
            return self._select(
                "state IN (?, ?) ORDER BY seq LIMIT ?", (QUEUED, SENDING, int(limit)), order=False
            )
        return self._select("state IN (?, ?)", (QUEUED, SENDING))

    def ambiguous_in_doubt(self) -> list[QueuedTransaction]:
        """Rows in doubt (``sending``) whose item has another row in doubt, oldest first."""
        return self._select(
            f"state = ? AND item_id IN (SELECT item_id FROM {TABLE} WHERE state = ?"
            " GROUP BY item_id HAVING COUNT(*) > 1)",
            (SENDING, SENDING),
        )

    def waiting_count(self) -> int:
        """How many rows are still to send or in doubt (no decryption)."""
        with self._lock:
            counts = self.counts()
            waiting = counts[QUEUED] + counts[SENDING]
            if not waiting:
                self._maybe_waiting = False
        return waiting

    def has_item(self, item_id: str) -> bool:
        """Whether a transaction for this item is still to send or in doubt (no decryption).

        Asked before every online loan and return: once the queue was found empty, from memory (a SQLite
        call hands the interpreter to other threads between an ILS answer and the next request)."""
        with self._lock:
            if not self._maybe_waiting:
                return False
            sql = f"SELECT 1 FROM {TABLE} WHERE state IN (?, ?) LIMIT 1"
            if not list(self._db.query(sql, (QUEUED, SENDING))):
                self._maybe_waiting = False
                return False
            sql = f"SELECT 1 FROM {TABLE} WHERE item_id = ? AND state IN (?, ?) LIMIT 1"
            rows = list(self._db.query(sql, (item_id, QUEUED, SENDING)))
        return bool(rows)

    def failed(self) -> list[QueuedTransaction]:
        """Rows the ILS refused, for staff."""
        return self._select("state = ?", (FAILED,))

    def all(self) -> list[QueuedTransaction]:
        """Every row, oldest first."""
        return self._select("1")

    def get(self, txn_id: str) -> QueuedTransaction | None:
        """One row by transaction id."""
        rows = self._select("txn_id = ?", (txn_id,))
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        """How many rows per state (every state present, zero included)."""
        with self._lock:
            rows = self._db.query(f"SELECT state, COUNT(*) AS n FROM {TABLE} GROUP BY state")
            found = {r["state"]: r["n"] for r in rows}
        return {state: int(found.get(state, 0)) for state in STATES}

    def loans_for_pass(self, pass_number: str) -> int:
        """Outstanding queued loans for this pass (for the offline per-pass limit)."""
        # Only loans carry a pass number; decrypting them is cheap for an outage's worth of rows.
        rows = self._select("state IN (?, ?) AND kind = ?", (QUEUED, SENDING, CHECKOUT))
        return sum(1 for t in rows if t.pass_number == pass_number)

    def close(self) -> None:
        """Checkpoint the WAL into the database file and close."""
        with self._lock:
            try:
                store_db.checkpoint(self._db.conn, self.path)
            finally:
                self._db.conn.close()
