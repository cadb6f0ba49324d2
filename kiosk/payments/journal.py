"""The payment journal: one durable SQLite row per payment, each state committed BEFORE its action.

Why: the kiosk can die at any instant (power, SIGKILL, a bug). Whatever it was about to do to the
terminal or the ILS, the journal already says so, and start-up recovery (:mod:`kiosk.payments.recovery`)
finishes or closes the payment from there (zvt.md §6: "Write each state, fsynced, *before* acting").
Hence WAL with ``synchronous=FULL`` and one committed transaction per write (:mod:`kiosk.store.sqlite`;
the tables are in :mod:`kiosk.store.schema`, shared with the offline queue's file; rows become values in
:mod:`kiosk.payments.journal_rows`).

Minimal data only (DESIGN.md, privacy): payment id, amount, fee ids and their amounts, the patron's pass
number encrypted with the store's key (:mod:`kiosk.store.crypto`, bound to the payment id and wiped as
soon as the payment is final), the terminal's receipt number / trace / terminal id / date, states and
timestamps. Never a PAN (masked or not), the card name, expiry, or a raw frame or SIP2 message.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.errors import KioskProtocolError
from kiosk.payments.journal_rows import export_view, line_of, record_of
from kiosk.payments.states import (
    BLOCKING,
    FINAL,
    OUTBOX,
    VENDING,
    Line,
    PaymentLine,
    PaymentRecord,
    State,
    allowed,
)
from kiosk.store import sqlite as store_db
from kiosk.store.crypto import PassCipher, load_or_create_key
from kiosk.store.schema import STEPS


class JournalError(KioskProtocolError):
    """A journal rule was broken (a forbidden state change, a second open payment, an unknown id)."""


JournalHook = Callable[[str, State], None]


class PaymentJournal:
    """The durable journal. Thread-safe (one connection behind a lock); open it once per process.

    ``on_write(payment_id, state)`` is called after every committed state write; the crash tests use it
    to kill the process at each state, monitoring could use it to count.
    """

    def __init__(
        self,
        path: str | Path,
        key_file: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        on_write: JournalHook | None = None,
    ) -> None:
        """Open (or create) the journal tables in the SQLite file ``path``; the key is in ``key_file``."""
        self.path = Path(path)
        self._clock = clock
        self.on_write = on_write
        self._lock = threading.RLock()
        # Autocommit: we issue BEGIN IMMEDIATE / COMMIT ourselves (store_db.immediate), one per write.
        self._db = store_db.connect(self.path)
        try:
            store_db.migrate(self._db, self.path, STEPS)
            self._db.row_factory = sqlite3.Row
            sql = "SELECT count(*) FROM payment WHERE pass_enc IS NOT NULL"
            has_rows = self._db.execute(sql).fetchone()[0]
        except BaseException:
            self._db.close()
            raise
        # A lost key with open payments would make them unrecoverable: refuse instead of making a new one.
        self._cipher = PassCipher(load_or_create_key(Path(key_file), create=not has_rows))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with store_db.immediate(self._db, self._lock) as db:
            yield db

    def _written(self, payment_id: str, state: State) -> None:
        if self.on_write is not None:
            self.on_write(payment_id, state)

    # --- creating and moving payments ---------------------------------------------------------------------

    def create(
        self,
        pass_number: str,
        fees: list[tuple[str, int]],
        *,
        mode: str = VENDING,
        currency: str = "EUR",
        prior_receipt: int | None = None,
    ) -> PaymentRecord:
        """Write a NEW payment of ``fees`` (fee id, amount in cents) for the patron with ``pass_number``.

        Refused (:class:`JournalError`) while another payment is unresolved: never a second
        Authorization while one may still be charging (zvt.md §6 rule 1).
        """
        if not fees or any(cents <= 0 for _, cents in fees):
            raise ValueError("a payment needs at least one fee, each with a positive amount")
        if mode not in (VENDING, OUTBOX):
            raise ValueError(f"unknown payment mode {mode!r}")
        payment_id = time.strftime("P%y%m%d%H%M%S", time.gmtime(self._clock())) + secrets.token_hex(3).upper()
        now = self._clock()
        with self._tx() as db:
            blocking = self._blocking(db)
            if blocking:
                raise JournalError(
                    f"payment {blocking[0]} is unresolved: no new payment until recovery settles it"
                )
            db.execute(
                "INSERT INTO payment (payment_id, state, mode, amount_cents, currency, pass_enc,"
                " prior_receipt, created, updated) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    payment_id,
                    State.NEW.value,
                    mode,
                    sum(c for _, c in fees),
                    currency,
                    self._cipher.encrypt(pass_number, payment_id),
                    prior_receipt,
                    now,
                    now,
                ),
            )
            for seq, (fee_id, cents) in enumerate(fees, start=1):
                # BK: stable per fee line, so a re-send after a lost 38 carries the same id (sip2.md §7).
                db.execute(
                    "INSERT INTO payment_fee (payment_id, seq, fee_id, amount_cents, bk, state)"
                    " VALUES (?,?,?,?,?,?)",
                    (payment_id, seq, fee_id, cents, f"{payment_id}-{seq}", Line.OPEN.value),
                )
            db.execute(
                "INSERT INTO payment_history (payment_id, state, at) VALUES (?,?,?)",
                (payment_id, State.NEW.value, now),
            )
        self._written(payment_id, State.NEW)
        return self.get(payment_id)

    def advance(
        self, payment_id: str, state: State, *, reason: str | None = None, **terminal: object
    ) -> PaymentRecord:
        """Move the payment to ``state`` (committed before this returns).

        ``terminal`` may set ``receipt_no``, ``trace``, ``tid``, ``term_date``, ``money``; ``reason`` is
        a short machine-readable why (never personal data). Entering a final state wipes the encrypted
        pass number: it is not needed any more.
        """
        unknown = set(terminal) - {"receipt_no", "trace", "tid", "term_date", "money", "prior_receipt"}
        if unknown:
            raise ValueError(f"not journal columns: {sorted(unknown)}")
        with self._tx() as db:
            self._move(db, payment_id, state, reason, terminal)
        self._written(payment_id, state)
        return self.get(payment_id)

    def _move(
        self,
        db: sqlite3.Connection,
        payment_id: str,
        state: State,
        reason: str | None,
        columns: dict[str, Any],
    ) -> None:
        row = db.execute("SELECT state FROM payment WHERE payment_id = ?", (payment_id,)).fetchone()
        if row is None:
            raise JournalError(f"no payment {payment_id}")
        old = State(row["state"])
        if not allowed(old, state):
            raise JournalError(f"payment {payment_id}: {old.value} → {state.value} is not allowed")
        now = self._clock()
        sets = {"state": state.value, "updated": now, **columns}
        if reason is not None:
            sets["reason"] = reason
        if state in FINAL:
            sets["pass_enc"] = None
        assignments = ", ".join(f"{k} = ?" for k in sets)
        db.execute(f"UPDATE payment SET {assignments} WHERE payment_id = ?", (*sets.values(), payment_id))
        db.execute(
            "INSERT INTO payment_history (payment_id, state, at) VALUES (?,?,?)",
            (payment_id, state.value, now),
        )

    def fee_sending(self, payment_id: str, seq: int) -> PaymentLine:
        """Journal SIP2_SENT and mark fee line ``seq`` as sent, BEFORE the 37 goes out.

        A line that was already sent may only be sent again after recovery proved the first 37 was not
        applied (its state is then NOT_APPLIED): at most one applied Fee Paid per fee (zvt.md §6 rule 3).
        """
        with self._tx() as db:
            line = self._line(db, payment_id, seq)
            if line.state not in (Line.OPEN, Line.NOT_APPLIED):
                raise JournalError(f"payment {payment_id} fee {seq}: Fee Paid already {line.state.value}")
            self._move(db, payment_id, State.SIP2_SENT, None, {})
            db.execute(
                "UPDATE payment_fee SET state = ?, sends = sends + 1 WHERE payment_id = ? AND seq = ?",
                (Line.SENT.value, payment_id, seq),
            )
        self._written(payment_id, State.SIP2_SENT)
        return self.get(payment_id).fees[seq - 1]

    def fee_result(self, payment_id: str, seq: int, result: Line) -> None:
        """Record what became of fee line ``seq`` (accepted, refused, not applied, or still sent)."""
        with self._tx() as db:
            self._line(db, payment_id, seq)
            db.execute(
                "UPDATE payment_fee SET state = ? WHERE payment_id = ? AND seq = ?",
                (result.value, payment_id, seq),
            )

    def _line(self, db: sqlite3.Connection, payment_id: str, seq: int) -> PaymentLine:
        row = db.execute(
            "SELECT * FROM payment_fee WHERE payment_id = ? AND seq = ?", (payment_id, seq)
        ).fetchone()
        if row is None:
            raise JournalError(f"payment {payment_id} has no fee line {seq}")
        return line_of(row)

    # --- reading --------------------------------------------------------------------------------------------

    def get(self, payment_id: str) -> PaymentRecord:
        """The payment ``payment_id`` (:class:`JournalError` if there is none)."""
        with self._lock:
            row = self._db.execute("SELECT * FROM payment WHERE payment_id = ?", (payment_id,)).fetchone()
            if row is None:
                raise JournalError(f"no payment {payment_id}")
            fees = self._db.execute(
                "SELECT * FROM payment_fee WHERE payment_id = ? ORDER BY seq", (payment_id,)
            ).fetchall()
        return record_of(row, fees)

    def pass_of(self, payment_id: str) -> str | None:
        """The decrypted pass number of an unfinished payment (None once the payment is final)."""
        with self._lock:
            row = self._db.execute(
                "SELECT pass_enc FROM payment WHERE payment_id = ?", (payment_id,)
            ).fetchone()
        if row is None or row["pass_enc"] is None:
            return None
        return self._cipher.decrypt(bytes(row["pass_enc"]), payment_id)

    def unfinished(self) -> list[PaymentRecord]:
        """Every payment not in a final state, oldest first (what recovery must settle)."""
        return self._select(f"state NOT IN ({','.join('?' * len(FINAL))})", tuple(s.value for s in FINAL))

    def all(self) -> list[PaymentRecord]:
        """Every payment, oldest first."""
        return self._select("1", ())

    def _select(self, where: str, params: tuple[Any, ...]) -> list[PaymentRecord]:
        with self._lock:
            ids = [
                r[0]
                for r in self._db.execute(
                    f"SELECT payment_id FROM payment WHERE {where} ORDER BY created, rowid", params
                )
            ]
        return [self.get(i) for i in ids]

    def _blocking(self, db: sqlite3.Connection) -> list[str]:
        states = tuple(s.value for s in BLOCKING)
        rows = db.execute(
            f"SELECT payment_id FROM payment WHERE state IN ({','.join('?' * len(states))})", states
        )
        return [r[0] for r in rows]

    def history(self, payment_id: str) -> list[State]:
        """Every state the payment went through, in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state FROM payment_history WHERE payment_id = ? ORDER BY id", (payment_id,)
            ).fetchall()
        return [State(r[0]) for r in rows]

    # --- terminal bookkeeping and housekeeping -----------------------------------------------------------

    def last_receipt(self) -> int | None:
        """The last receipt number the kiosk saw stored on the terminal (the recovery baseline)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM payment_meta WHERE key = 'last_receipt'").fetchone()
        return None if row is None else int(row[0])

    def set_last_receipt(self, receipt_no: int | None) -> None:
        """Remember the terminal's last stored receipt number."""
        if receipt_no is None:
            return
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO payment_meta (key, value) VALUES ('last_receipt', ?)",
                (str(int(receipt_no)),),
            )

    def reversal_records(self) -> frozenset[int]:
        """Receipt numbers of the terminal's reversal records the kiosk saw (the latest few): never
        to be taken for a payment by recovery."""
        with self._lock:
            row = self._db.execute("SELECT value FROM payment_meta WHERE key = 'reversal_records'").fetchone()
        return frozenset() if row is None else frozenset(int(n) for n in json.loads(row[0]))

    def note_reversal_record(self, receipt_no: int | None, keep: int = 20) -> None:
        """Remember the receipt number of a reversal record (the last ``keep`` are kept)."""
        if receipt_no is None:
            return
        with self._tx() as db:
            row = db.execute("SELECT value FROM payment_meta WHERE key = 'reversal_records'").fetchone()
            numbers = [] if row is None else [int(n) for n in json.loads(row[0])]
            numbers = [n for n in numbers if n != int(receipt_no)] + [int(receipt_no)]
            db.execute(
                "INSERT OR REPLACE INTO payment_meta (key, value) VALUES ('reversal_records', ?)",
                (json.dumps(numbers[-keep:]),),
            )

    def counts(self) -> dict[str, int]:
        """Number of payments per state (for monitoring: no ids, no amounts)."""
        with self._lock:
            rows = self._db.execute("SELECT state, count(*) FROM payment GROUP BY state").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def purge(self, retention_days: int, now: float | None = None) -> int:
        """Delete final payments older than ``retention_days``; return how many went."""
        cutoff = (self._clock() if now is None else now) - retention_days * 86400
        finals = tuple(s.value for s in FINAL)
        marks = ",".join("?" * len(finals))
        with self._tx() as db:
            ids = [
                r[0]
                for r in db.execute(
                    f"SELECT payment_id FROM payment WHERE updated < ? AND state IN ({marks})",
                    (cutoff, *finals),
                )
            ]
            for table in ("payment_fee", "payment_history", "payment"):
                db.executemany(f"DELETE FROM {table} WHERE payment_id = ?", [(i,) for i in ids])
        return len(ids)

    def export(self, payment_id: str) -> dict[str, Any]:
        """A JSON-ready view for technicians (no pass number)."""
        return export_view(self.get(payment_id))

    def close(self) -> None:
        """Checkpoint the WAL and close."""
        with self._lock:
            try:
                store_db.checkpoint(self._db, self.path)
            finally:
                self._db.close()
