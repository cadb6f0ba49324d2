"""Switching the tags' gate security after the ILS answered, on a worker of its own.

Carries out :class:`~kiosk.core.pad_model.PadSecurity` effects:

* ``intend-release`` / ``intend-secure`` — synchronously, before the SIP2 request goes out: the record
  (:mod:`kiosk.rfid.pending`; written, so a kill -9 finds it), then fsynced on the worker while the
  request is on its way, and before the security write at the latest;
* ``release`` / ``secure`` — queued to the worker, which writes (addressed, never locked) and reads back
  through :mod:`drivers.rfid.security` with its retries; the circulation worker meanwhile sends the next
  SIP2 request (the pipelining that keeps a stack fast);
* ``forget`` — the ILS said no: the record goes, the tag is not touched.

Every outcome is posted back as :class:`~kiosk.core.pad_model.PadSecurityResult`. A failure also raises the
``rfid_security_failed`` alert (reference: the item id; no patron data) and counts in ``failures``; tags
that refuse because of a password raise one ``rfid_security_password`` alert (a configuration matter, not
N broken tags). :meth:`recover` handles records left by a kiosk that died between answer and write.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from drivers.errors import DriverError
from drivers.rfid.errors import TagLocked
from drivers.rfid.reader import Reader
from drivers.rfid.security import SecurityNotVerified, SecurityPolicy, release, secure
from kiosk.core.effects import Effect
from kiosk.core.events import Event
from kiosk.core.pad_model import (
    FORGET,
    INTEND_RELEASE,
    INTEND_SECURE,
    RELEASE,
    SECURE,
    PadSecurity,
    PadSecurityResult,
)
from kiosk.logsetup import short_hash
from kiosk.rfid.pending import RELEASED, SECURED, PendingSecurity, PendingStore

log = logging.getLogger(__name__)

Alert = Callable[[str, str, str], None]
_SYNC = "sync"  # a worker job: fsync the pending records
FAILED_ALERT = "rfid_security_failed"
PASSWORD_ALERT = "rfid_security_password"
UNVERIFIED_ALERT = "rfid_security_unverified"


class SecurityService:
    """The effect handler for tag security (``submit``), with its worker thread."""

    def __init__(
        self,
        reader: Reader,
        policy: SecurityPolicy,
        pending: PendingStore,
        post: Callable[[Event], None],
        alert: Alert,
        *,
        pause: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        awaiting_for: float = 5.0,
    ) -> None:
        self.reader = reader
        self.policy = policy
        self.pending = pending
        self._post = post
        self._alert = alert
        self._pause = pause
        self._jobs: queue.Queue[PadSecurity | str | None] = queue.Queue()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._awaiting: dict[str, float] = {}  # item id → when its intent was recorded (ILS answer due)
        self._clock = clock
        self.awaiting_for = awaiting_for
        self.failures = 0  # security writes that could not be verified (a metric)
        self.verified = 0
        self.password_alerted = False

    # --- the runtime's side ----------------------------------------------------------------------------
    def submit(self, effect: Effect) -> bool:
        """Take PadSecurity effects; ``intend``/``forget`` are done before this returns."""
        if not isinstance(effect, PadSecurity):
            return False
        if effect.action in (INTEND_RELEASE, INTEND_SECURE):
            wanted = RELEASED if effect.action == INTEND_RELEASE else SECURED
            self.pending.add(effect.item_id, effect.uids, wanted)
            with self._busy_lock:
                self._awaiting[effect.item_id] = self._clock()
            self._jobs.put(_SYNC)  # the fsync, off the SIP2 request's way (not a switch: idle stays)
        elif effect.action == FORGET:
            self.pending.remove(effect.item_id)
            with self._busy_lock:
                self._awaiting.pop(effect.item_id, None)
        else:
            with self._busy_lock:
                self._busy += 1
                self._awaiting.pop(effect.item_id, None)
            self._jobs.put(effect)
        return True

    @property
    def expecting(self) -> bool:
        """A switch is queued or running, or an ILS answer that will call for one is due (an intent of the
        last ``awaiting_for`` seconds): the pad watcher holds its next inventory so that it does not take
        the air from the write the member is waiting for."""
        with self._busy_lock:
            if self._busy:
                return True
            now = self._clock()
            for item_id, since in list(self._awaiting.items()):
                if now - since >= self.awaiting_for:
                    del self._awaiting[item_id]  # no answer came (the ILS is slow or gone): stop holding
            return bool(self._awaiting)

    @property
    def idle(self) -> bool:
        """No switch queued or running (for ``runtime.settle``)."""
        with self._busy_lock:
            return self._busy == 0

    def start(self) -> None:
        """Start the worker."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="rfid-security", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the worker after the job in hand (queued switches stay in the pending record) and close the
        record's file."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10)
            self._thread = None
        self.pending.close()

    # --- the worker --------------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if isinstance(job, str):  # _SYNC
                self._sync()
                continue
            try:
                record = self.pending.get(job.item_id)
                if self._synced(job.item_id):  # the intent survives a power cut before a tag is touched
                    ok, reason = self.switch(job.item_id, job.uids, job.action)
                else:
                    ok, reason = False, "failed"
                self._post(PadSecurityResult(job.session_id, job.item_id, job.action, ok, reason))
                # The record goes after the member was told: its write is not between the last tag's
                # read-back and the screen. (Killed in between, the restart finds the item switched.)
                self.pending.remove(job.item_id, only=record)
                if self._jobs.empty():
                    self._sync()  # while nothing waits: the removals too
            except Exception:  # the worker must survive any bug; the record stays for the next start
                log.exception("security switch of an item failed unexpectedly")
            finally:
                with self._busy_lock:
                    self._busy -= 1

    def _sync(self) -> None:
        try:
            self.pending.sync()
        except OSError as exc:  # the next switch syncs again (and fails loudly there if the disk is gone)
            log.error("security pending record not synced: %s", type(exc).__name__)

    def _synced(self, item_id: str) -> bool:
        """Sync the records; if the disk refuses, the tag is not touched and staff hear of it."""
        try:
            self.pending.sync()
            return True
        except OSError as exc:
            self.failures += 1
            what = f"security record not on disk ({type(exc).__name__}); tags left as they are"
            self._alert(FAILED_ALERT, short_hash(item_id), what)
            return False

    def switch(self, item_id: str, uids: tuple[str, ...], action: str) -> tuple[bool, str]:
        """Release or secure every tag of the item (every part of a set, even after one failed) and prove
        it; ``(ok, reason)``. Failures are reported (alert reference: the item id's short salted hash,
        as in every log line — DESIGN.md). The caller removes the pending record afterwards."""
        switch = release if action == RELEASE else secure
        reasons: list[str] = []
        for uid in uids:
            try:
                switch(self.reader, uid, self.policy, self._pause)
            except TagLocked:
                reasons.append("password")
            except (SecurityNotVerified, DriverError):
                reasons.append("failed" if self._present(uid) else "gone")
        if not reasons:
            self.verified += 1
            return True, ""
        self.failures += 1
        if "password" in reasons:
            if not self.password_alerted:
                self.password_alerted = True
                self._alert(
                    PASSWORD_ALERT,
                    "config",
                    "the tags refuse AFI/EAS writes: they are password-protected; configure the "
                    "password or the security mode (docs/rfid.md)",
                )
            return False, "password"
        what = "released" if action == RELEASE else "secured"
        self._alert(FAILED_ALERT, short_hash(item_id), f"item could not be {what} ({', '.join(reasons)})")
        return False, reasons[0]

    def _present(self, uid: str) -> bool:
        try:
            return uid in self.reader.inventory()
        except DriverError:
            return False

    # --- after a restart ----------------------------------------------------------------------------------
    def recover(self, on_loan: Callable[[str], bool | None]) -> list[tuple[str, str]]:
        """Handle the records a previous run left: ask the ILS (``on_loan(item_id)``: True = on loan,
        False = not, None = cannot tell now) and switch the tags the ILS answer calls for, if they are on
        the pad; else report them. Returns ``(item_id, outcome)`` per record handled."""
        done: list[tuple[str, str]] = []
        self.pending.sync()  # a record written just before a kill -9 is only in the kernel's cache
        for record in self.pending.records():
            status = on_loan(record.item_id)
            if status is None:
                continue  # the ILS cannot tell now: the record waits for the next try
            done.append((record.item_id, self._recover_one(record, status)))
        return done

    def _recover_one(self, record: PendingSecurity, on_loan: bool) -> str:
        transacted = on_loan if record.wanted == RELEASED else not on_loan
        if not transacted:
            self.pending.remove(record.item_id)
            return "not transacted"  # the ILS never applied it: the tags were right as they are
        present = set(self.reader.inventory())
        if not all(uid in present for uid in record.uids):
            self.pending.remove(record.item_id)
            what = "lent" if record.wanted == RELEASED else "returned"
            self._alert(
                UNVERIFIED_ALERT,
                short_hash(record.item_id),
                f"item {what} before a restart; its security could not be switched (not on the pad)",
            )
            return "reported"
        action = RELEASE if record.wanted == RELEASED else SECURE
        ok, reason = self.switch(record.item_id, record.uids, action)
        self.pending.remove(record.item_id)
        return RELEASED if ok and record.wanted == RELEASED else SECURED if ok else f"failed:{reason}"
