"""The durable "security pending" record: items whose tags must still be switched after an ILS answer.

Written *before* the SIP2 loan or return goes out, removed once the tags are switched and read back (or the
ILS said no, or a failure was reported to staff). A kiosk killed between the ILS answer and the security
write finds the record after the restart (:func:`kiosk.rfid.security_service.SecurityService.recover`).

Minimal data, no patron data: item id, tag UIDs, the wanted state (``"released"`` / ``"secured"``) and the
time. One small file in the state directory: a journal, one JSON line per change (a record, or
``{"item_id": ..., "removed": true}``), appended with a single ``write`` -- a few microseconds, where
rewriting and renaming the whole file cost about a millisecond per item of a stack, on the session thread
between the tag read and the SIP2 request. When the last record goes the file is truncated to nothing;
a journal that grew long with records still open is rewritten and renamed into place. A file of the
earlier format (one JSON array) is read as well.

Two steps of durability, so that no fsync stands between a tag read and its SIP2 request:

* :meth:`PendingStore.add` / :meth:`~PendingStore.remove` write before they return: from then on a kiosk
  *killed* (kill -9, a crash) finds the change after its restart — the kernel has the file;
* :meth:`PendingStore.sync` makes every change so far survive a *power cut* (fsync of the file, and of the
  directory after the file was created or replaced). The security service runs it on its worker right
  after an intent was recorded (while the SIP2 request is on its way: one fsync for every intent of a
  stack recorded meanwhile) and again before every security write: an intent is on disk before its tag is
  touched. Power lost between a SIP2 request and that fsync can lose the intent (or leave half a line,
  which the next start ignores): the item is then lent with its security still on, and the gate alarms —
  loud, never silently wrong.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RELEASED, SECURED = "released", "secured"
#: Lines a journal may hold while records are open before it is rewritten with just those records.
COMPACT_AFTER = 256


@dataclass(frozen=True)
class PendingSecurity:
    """One item whose tags should reach ``wanted`` once the ILS confirms."""

    item_id: str
    uids: tuple[str, ...]
    wanted: str  # RELEASED | SECURED
    since: float


def _record(row: dict[str, Any]) -> PendingSecurity:
    """A record from its JSON form (KeyError / TypeError / ValueError when it is not one)."""
    uids = row["uids"]
    if not isinstance(uids, list):
        raise TypeError("uids is not a list")
    return PendingSecurity(
        str(row["item_id"]), tuple(map(str, uids)), str(row["wanted"]), float(row["since"])
    )


class PendingStore:
    """The records, kept in ``path`` (thread-safe; every change is in the file before the call returns,
    and survives a power cut after :meth:`sync`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._records: dict[str, PendingSecurity] = {}
        self._written = 0  # changes written
        self._synced = 0  # … of which fsynced
        self._lines = 0  # lines in the journal
        self._fd: int | None = None
        self._new_entry = False  # the file was created or renamed into place: the directory needs an fsync
        self._closer = weakref.finalize(self, PendingStore._close_fd, [None])
        if self.path.exists():
            try:
                if self._load(self.path.read_text(encoding="utf-8")):
                    with self._lock:
                        self._compact()  # the earlier format, rewritten as a journal
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error(
                    "security pending record %s unreadable (%s); kept aside", self.path, type(exc).__name__
                )
                self._records.clear()
                self.path.replace(self.path.with_suffix(".unreadable"))

    def _load(self, text: str) -> bool:
        """Read the journal; True when the file has the earlier format (the records as one array)."""
        if text.lstrip().startswith("["):
            for row in json.loads(text):
                record = _record(row)
                self._records[record.item_id] = record
            return True
        lines = text.split("\n")
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                if number == len(lines) - 1:  # half a line: power lost before its fsync (never synced)
                    log.warning("security pending record %s ends in an incomplete line; ignored", self.path)
                    continue
                raise
            if row.get("removed"):
                self._records.pop(str(row["item_id"]), None)
            else:
                record = _record(row)
                self._records[record.item_id] = record
            self._lines += 1
        return False

    def add(self, item_id: str, uids: tuple[str, ...], wanted: str) -> None:
        """Record that ``item_id``'s tags must become ``wanted`` if the ILS says yes."""
        with self._lock:
            record = PendingSecurity(item_id, tuple(uids), wanted, time.time())
            self._records[item_id] = record
            self._append(asdict(record))

    def remove(self, item_id: str, only: PendingSecurity | None = None) -> None:
        """The item is handled (or was never transacted). ``only``: remove it only if the record is still
        that one (a newer intent for the same item, recorded meanwhile, stays)."""
        with self._lock:
            if only is not None and self._records.get(item_id) != only:
                return
            if self._records.pop(item_id, None) is not None:
                self._append({"item_id": item_id, "removed": True})

    @property
    def durable(self) -> bool:
        """Whether every change so far survives a power cut."""
        with self._lock:
            return self._synced >= self._written

    def sync(self) -> None:
        """Make every change written so far survive a power cut (one fsync covers all of them)."""
        with self._sync_lock:
            with self._lock:  # the file as it is now: a change written meanwhile has its own sync
                target = self._written
                if self._synced >= target or self._fd is None:
                    return
                fd = os.dup(self._fd)  # a compaction may replace self._fd meanwhile
                new_entry, self._new_entry = self._new_entry, False
            try:
                os.fsync(fd)  # outside the lock: add() never waits for the disk
            finally:
                os.close(fd)
            if new_entry:
                folder = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(folder)  # the file's name (created, or renamed into place)
                finally:
                    os.close(folder)
            with self._lock:
                self._synced = max(self._synced, target)

    def records(self) -> list[PendingSecurity]:
        """The open records, oldest first."""
        with self._lock:
            return sorted(self._records.values(), key=lambda r: r.since)

    def get(self, item_id: str) -> PendingSecurity | None:
        """The open record of one item."""
        with self._lock:
            return self._records.get(item_id)

    def close(self) -> None:
        """Close the journal (the records stay in the file)."""
        with self._lock:
            self._closer()
            self._fd = None

    # --- the journal (under ``_lock``) ------------------------------------------------------------------
    def _append(self, row: dict[str, object]) -> None:
        """One change as one line, in one ``write``; then truncate (no record left) or compact."""
        fd = self._open()
        os.write(fd, (json.dumps(row, separators=(",", ":")) + "\n").encode("utf-8"))
        self._lines += 1
        if not self._records:
            os.ftruncate(fd, 0)  # nothing pending: the empty file says so (one call, safe against a kill)
            self._lines = 0
        elif self._lines >= COMPACT_AFTER:
            self._compact()
        self._written += 1

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._new_entry = self._new_entry or not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._closer.detach()
            self._closer = weakref.finalize(self, PendingStore._close_fd, [self._fd])
        return self._fd

    def _compact(self) -> None:
        """Rewrite the journal with the open records only, renamed into place."""
        tmp = self.path.with_suffix(".tmp")
        data = "".join(json.dumps(asdict(r), separators=(",", ":")) + "\n" for r in self._records.values())
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, self.path)
        self._closer()
        self._fd = None
        self._new_entry = True
        self._open()
        self._lines = len(self._records)

    @staticmethod
    def _close_fd(box: list[int | None]) -> None:
        fd = box[0]
        if fd is not None:
            box[0] = None
            os.close(fd)
