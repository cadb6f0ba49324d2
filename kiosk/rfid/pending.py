"""The durable "security pending" record: items whose tags must still be switched after an ILS answer.

Written *before* the SIP2 loan or return goes out, removed once the tags are switched and read back (or the
ILS said no, or a failure was reported to staff). A kiosk killed between the ILS answer and the security
write finds the record after the restart (:func:`kiosk.rfid.security_service.SecurityService.recover`).

Minimal data, no patron data: item id, tag UIDs, the wanted state (``"released"`` / ``"secured"``) and the
time. One small JSON file in the state directory, replaced atomically (write a new file, rename it over).

Two steps of durability, so that no fsync stands between a tag read and its SIP2 request:

* :meth:`PendingStore.add` / :meth:`~PendingStore.remove` write and rename before they return: from then
  on a kiosk *killed* (kill -9, a crash) finds the change after its restart — the kernel has the file;
* :meth:`PendingStore.sync` makes every change so far survive a *power cut* (fsync of the file and of the
  directory, for the rename). The security service runs it on its worker right after an intent was
  recorded (while the SIP2 request is on its way: one fsync for every intent of a stack recorded
  meanwhile) and again before every security write: an intent is on disk before its tag is touched.
  Power lost between a SIP2 request and that fsync can lose the intent: the item is then lent with its
  security still on, and the gate alarms — loud, never silently wrong.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

RELEASED, SECURED = "released", "secured"


@dataclass(frozen=True)
class PendingSecurity:
    """One item whose tags should reach ``wanted`` once the ILS confirms."""

    item_id: str
    uids: tuple[str, ...]
    wanted: str  # RELEASED | SECURED
    since: float


class PendingStore:
    """The records, kept in ``path`` (thread-safe; every change is in the file before the call returns,
    and survives a power cut after :meth:`sync`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._records: dict[str, PendingSecurity] = {}
        self._written = 0  # changes written (renamed into place)
        self._synced = 0  # … of which fsynced
        if self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                for row in raw:
                    record = PendingSecurity(
                        str(row["item_id"]), tuple(row["uids"]), str(row["wanted"]), float(row["since"])
                    )
                    self._records[record.item_id] = record
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error(
                    "security pending record %s unreadable (%s); kept aside", self.path, type(exc).__name__
                )
                self.path.replace(self.path.with_suffix(".unreadable"))

    def add(self, item_id: str, uids: tuple[str, ...], wanted: str) -> None:
        """Record that ``item_id``'s tags must become ``wanted`` if the ILS says yes."""
        with self._lock:
            self._records[item_id] = PendingSecurity(item_id, tuple(uids), wanted, time.time())
            self._save()

    def remove(self, item_id: str, only: PendingSecurity | None = None) -> None:
        """The item is handled (or was never transacted). ``only``: remove it only if the record is still
        that one (a newer intent for the same item, recorded meanwhile, stays)."""
        with self._lock:
            if only is not None and self._records.get(item_id) != only:
                return
            if self._records.pop(item_id, None) is not None:
                self._save()

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
                if self._synced >= target:
                    return
                fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)  # outside the lock: add() never waits for the disk
            finally:
                os.close(fd)
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)  # the rename
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

    def _save(self) -> None:
        """Write the records and rename them into place (under ``_lock``); :meth:`sync` fsyncs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = json.dumps([asdict(r) for r in self._records.values()])
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(data)
        os.replace(tmp, self.path)
        self._written += 1
