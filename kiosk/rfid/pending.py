"""The durable "security pending" record: items whose tags must still be switched after an ILS answer.

Written *before* the SIP2 loan or return goes out, removed once the tags are switched and read back (or the
ILS said no, or a failure was reported to staff). A kiosk killed between the ILS answer and the security
write finds the record after the restart (:func:`kiosk.rfid.security_service.SecurityService.recover`).

Minimal data, no patron data: item id, tag UIDs, the wanted state (``"released"`` / ``"secured"``) and the
time. One small JSON file in the state directory, replaced atomically (write, fsync, rename).
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
    """The records, kept in ``path`` (thread-safe; every change is on disk before the call returns)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._records: dict[str, PendingSecurity] = {}
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

    def remove(self, item_id: str) -> None:
        """The item is handled (or was never transacted)."""
        with self._lock:
            if self._records.pop(item_id, None) is not None:
                self._save()

    def records(self) -> list[PendingSecurity]:
        """The open records, oldest first."""
        with self._lock:
            return sorted(self._records.values(), key=lambda r: r.since)

    def get(self, item_id: str) -> PendingSecurity | None:
        """The open record of one item."""
        with self._lock:
            return self._records.get(item_id)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = json.dumps([asdict(r) for r in self._records.values()])
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
