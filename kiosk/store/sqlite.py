"""One way to open the kiosk's SQLite database, shared by the offline queue and the payment journal.

Both stores live in the same file (``[store] path``) and need the same things from it:

- **durability** (DESIGN.md convention 8): WAL with ``synchronous=FULL``, every write one committed
  transaction before the step it describes;
- **privacy** (DESIGN.md "Privacy rules"): ``secure_delete`` zeroes deleted rows in the database file,
  ``journal_size_limit=0`` cuts a reset WAL back to nothing, and :func:`checkpoint` moves the WAL into
  the database and truncates it, so deleted rows leave the disk;
- **atomic read-then-write**: :func:`immediate` opens ``BEGIN IMMEDIATE``, which takes the write lock
  before the first read, so a second connection (another process) cannot change a row between a
  store's read and its write: it waits (``timeout``) instead;
- **schema versions**: ``PRAGMA user_version`` counts the migration steps applied (:func:`migrate`).
  Version 0 is the schema as the previous release created it (no version written). A file from a
  newer release is refused with :class:`SchemaTooNewError`, naming the file; nothing is changed.

Connections are opened in autocommit mode (``isolation_level=None``): a transaction is exactly what
:func:`immediate` brackets, never one the ``sqlite3`` module opens on its own.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.store.statelock import StateDirectoryError

log = logging.getLogger(__name__)

#: One migration step: brings the database from version ``i`` to ``i + 1`` (run inside a transaction).
Step = Callable[[sqlite_utils.Database], None]


class SchemaTooNewError(StateDirectoryError):
    """The database was written by a newer release (its ``user_version`` is above what this code knows).

    Refused rather than guessed at: an older kiosk could misread or destroy rows it does not understand.
    """

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"{path}: the kiosk's database has schema version {found}, this kiosk knows versions up to "
            f"{known}: it was written by a newer release. Install that release again (or a newer one); "
            "do not delete the file while it may hold unsent transactions or unfinished payments. "
            "Nothing was changed."
        )
        self.path = path
        self.found = found
        self.known = known


def connect(path: str | Path, *, timeout: float = 10.0) -> sqlite3.Connection:
    """Open (or create) the database at ``path`` for a store: WAL, ``synchronous=FULL``, ``secure_delete``.

    ``timeout`` is how long a write waits for another connection's write lock. Opening problems (the
    directory missing or read-only, not a database) raise :class:`StateDirectoryError` naming the file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StateDirectoryError.about(path, exc) from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten with zeros in the database file; the WAL is scrubbed separately
        # (:func:`checkpoint`), and a WAL left behind is cut back to nothing when it is reset.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA journal_size_limit=0")
    except sqlite3.Error as exc:
        conn.close()
        raise StateDirectoryError.about(path, exc) from None
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection, lock: threading.RLock | None = None) -> Iterator[sqlite3.Connection]:
    """One committed transaction that holds the write lock from its first statement (``BEGIN IMMEDIATE``).

    Rolled back if the body raises. ``lock`` (the store's thread lock) is held throughout, so threads
    sharing the connection do not interleave their statements.
    """
    with lock if lock is not None else _NO_LOCK:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            # Some errors (SQLITE_FULL, SQLITE_IOERR) already rolled the transaction back: a second
            # ROLLBACK would fail and hide the error that matters.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # the commit failed (disk full): leave no transaction open
                conn.execute("ROLLBACK")
            raise


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


def checkpoint(conn: sqlite3.Connection, path: Path) -> bool:
    """Make deleted rows unrecoverable from disk now: checkpoint the WAL into the database (where
    ``secure_delete`` has zeroed them) and truncate it to zero bytes.

    Until then the WAL still holds the pages as they were before the delete. Covers every connection's
    writes to this file (queue and journal share it). Returns False when a reader kept the checkpoint
    from finishing (it is tried again at the next one).
    """
    busy, _log_frames, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.warning(
            "WAL checkpoint of %s could not finish (busy); deleted rows stay in the WAL until the next one",
            path.name,
        )
    return not busy


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a file the previous release wrote, or a new one)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path, steps: Sequence[Step]) -> int:
    """Bring the database to version ``len(steps)``; returns the version it was at.

    Each pending step runs with its new ``user_version`` in one ``BEGIN IMMEDIATE`` transaction, so a
    crash leaves the file at a whole version and a second process migrating at the same time waits and
    then finds nothing left to do. A version above ``len(steps)`` raises :class:`SchemaTooNewError`.
    """
    known = len(steps)
    found = user_version(conn)
    if found > known:
        raise SchemaTooNewError(path, found, known)
    if found == known:
        return found
    db = sqlite_utils.Database(conn, execute_plugins=False)
    try:
        with immediate(conn):
            current = user_version(conn)  # again, under the write lock
            if current > known:
                raise SchemaTooNewError(path, current, known)
            for version in range(current, known):
                steps[version](db)
            conn.execute(f"PRAGMA user_version = {known:d}")
    except sqlite3.Error as exc:
        raise StateDirectoryError.about(path, exc) from None
    if found < known:
        log.info("database %s migrated from schema version %d to %d", path.name, found, known)
    return found
