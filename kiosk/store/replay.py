"""Replaying the offline queue to the ILS so that nothing is lost and nothing is applied twice.

SIP2 gives no idempotency: an ``11`` checkout sent twice becomes a renewal on some servers, a ``09``
checkin sent twice can return someone else's later loan (notes/sip2.md §7). So:

1. Rows are replayed strictly in queue order, with the original timestamp and ``no block = Y``.
2. A row is marked ``sending`` and that mark is COMMITTED before its message goes out.
3. A row found ``sending`` (the process died, or the link dropped with the outcome unknown) is never
   simply re-sent: the ILS is asked first (``17`` item information; for a loan also the patron's
   charged items via ``63``): a loan whose item is charged to the patron, or a return whose item is
   no longer charged, was applied — the row is deleted; otherwise it is sent.
4. A confirmed row is deleted; a refused one is kept as ``failed`` with a reason code for staff.

Several rows are marked ``sending`` in one commit and their confirmations committed together (a batch):
this is safe because of rule 3 — a row marked but not yet sent is resolved by the query on recovery —
and saves two disk syncs per transaction. The outcomes of one batch and the marks of the next go in the
same commit (:meth:`~kiosk.store.queue.TransactionQueue.advance`): still outcomes after their replies
and marks before their sends, so one disk sync per batch. Replay stops at the first connection
problem, keeping order.

A batch never holds two rows for the same item: it ends before the second one. The query of rule 3
judges a row by the item's state in the ILS *now*, so that state must be the work of that row alone:
with [return X, lend X to B] in one batch and a crash before the outcomes were committed, the return
would see X charged (to B) and be sent again, ending B's loan, and the loan would then see X on the
shelf and be sent again too. Ending the batch commits the first row's outcome no later than the second
row's mark (in the same atomic commit at the latest), so at most one row per item is ever in doubt.
Rows that an older version left in doubt together for one item cannot be judged that way; they are kept
as ``failed`` (``<kind>:in-doubt``) for staff rather than risk applying one twice.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.logsetup import short_hash
from kiosk.store.queue import CHECKOUT, SENDING, QueuedTransaction, TransactionQueue
from sip2.errors import Sip2Error
from sip2.fields import ON_LOAN

log = logging.getLogger(__name__)

CHARGED = ON_LOAN  # one definition of "on loan", with the spec table: sip2.fields.ON_LOAN
BATCH = 256  # at most this many rows marked "sending" per commit
FIRST_BATCH = 8  # batches start small and double: a link that fails at once leaves few rows in doubt


class ReplayClient(Protocol):
    """The parts of :class:`sip2.client.Sip2Client` the replay needs."""

    def checkout(
        self,
        patron_id: str,
        item_id: str,
        *,
        no_block: bool = ...,
        transaction_date: dt.datetime | None = ...,
    ) -> Any:
        """SIP2 11/12; the reply has ``ok``."""

    def checkin(
        self, item_id: str, *, no_block: bool = ..., transaction_date: dt.datetime | None = ...
    ) -> Any:
        """SIP2 09/10; the reply has ``ok`` and ``alert_type``."""

    def item_information(self, item_id: str) -> Any:
        """SIP2 17/18; the reply has ``circulation_status``."""

    def patron_information(
        self, patron_id: str, *, summary: str = ..., start: int = ..., end: int = ...
    ) -> Any:
        """SIP2 63/64; with summary "charged" the reply lists ``charged_items``."""


@dataclass
class ReplayReport:
    """What one replay run did (counts only: fit for logs, CLI output and monitoring)."""

    confirmed: int = 0  # sent and confirmed, row deleted
    failed: int = 0  # refused by the ILS, kept for staff
    resolved: int = 0  # a row in doubt that the ILS showed was already applied
    remaining: int = 0  # still queued after this run
    stopped: str = ""  # why the run stopped early ("" = queue drained)
    codes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "confirmed": self.confirmed, "failed": self.failed, "resolved": self.resolved,
            "remaining": self.remaining, "stopped": self.stopped or None, "codes": self.codes,
        }  # fmt: skip


def sip2_when(timestamp: float) -> dt.datetime:
    """The original moment of a queued transaction as an aware datetime (the client formats it)."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def one_per_item(rows: list[QueuedTransaction]) -> list[QueuedTransaction]:
    """The longest head of ``rows`` (in queue order) without an item id twice: one replay batch.

    Why: a row in doubt is judged by the item's state in the ILS, which a later row of the same batch
    for the same item would already have changed (see the module docstring).
    """
    seen: set[str] = set()
    for n, row in enumerate(rows):
        if row.item_id in seen:
            return rows[:n]
        seen.add(row.item_id)
    return rows


class Replayer:
    """Sends the queue's outstanding rows through a connected SIP2 client, safely."""

    def __init__(self, queue: TransactionQueue, client: ReplayClient, *, batch: int = BATCH) -> None:
        """``client`` must be connected and logged in; the replayer does not reconnect."""
        self.queue = queue
        self.client = client
        self.batch = max(1, batch)

    def replay(self, should_stop: Callable[[], bool] = lambda: False) -> ReplayReport:
        """Replay until the queue is drained, the link fails or ``should_stop()`` says so.

        Only one process replays a queue at a time (the kiosk and ``kiosk queue replay`` could both
        try): an exclusive lock file next to the database; the other gets ``stopped="busy"``.
        """
        report = ReplayReport()
        lock_path = self.queue.path.with_name(self.queue.path.name + ".replay-lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                report.stopped = "busy"
                report.remaining = self.queue.waiting_count()
                return report
            return self._replay_locked(report, should_stop)
        finally:
            os.close(fd)  # releases the lock (a killed process releases it too)

    def _replay_locked(self, report: ReplayReport, should_stop: Callable[[], bool]) -> ReplayReport:
        size = min(FIRST_BATCH, self.batch)
        try:
            self._set_aside_ambiguous(report)
            if should_stop():
                return report
            rows = self.queue.advance([], [], size, one_per_item)
            while rows:
                size = min(size * 2, self.batch)
                done: list[str] = []
                refused: list[tuple[str, str]] = []
                try:
                    ok = self._run_batch(rows, report, done, refused)
                except BaseException:
                    self.queue.settle(done, refused)
                    raise
                if not ok or should_stop():
                    self.queue.settle(done, refused)
                    break
                # This batch's outcomes and the next batch's "sending" marks: one commit.
                try:
                    rows = self.queue.advance(done, refused, size, one_per_item)
                except BaseException:
                    self.queue.settle(done, refused)  # rolled back with the marks: keep the outcomes
                    raise
        finally:
            report.remaining = self.queue.waiting_count()
        return report

    def _set_aside_ambiguous(self, report: ReplayReport) -> None:
        """Fail, for staff, rows in doubt that share their item with another row in doubt.

        The ILS's state of that item is the work of several of them (or of none): no query can tell
        which were applied. This batching never leaves such rows (see the module docstring); an older
        version's could, and so could a link that dies twice around one item.
        """
        rows = self.queue.ambiguous_in_doubt()
        if not rows:
            return
        refused = [(row.txn_id, f"{row.kind}:in-doubt") for row in rows]
        self.queue.settle([], refused)
        for _, code in refused:
            report.failed += 1
            report.codes[code] = report.codes.get(code, 0) + 1
        log.warning("replay: %d transaction(s) in doubt on a shared item kept for staff", len(rows))

    def _run_batch(
        self,
        rows: list[QueuedTransaction],
        report: ReplayReport,
        done: list[str],
        refused: list[tuple[str, str]],
    ) -> bool:
        """Resolve rows in doubt and send the rest (already marked ``sending``); False if the link failed.

        ``rows`` holds at most one row per item (:func:`one_per_item`). The outcomes are collected in
        ``done``/``refused``, for the caller to commit (with the next batch's marks).
        """
        ok = True
        try:
            for row in rows:
                if row.state == SENDING:  # in doubt: left by a run that stopped or died
                    applied = self._was_applied(row)
                    if applied:
                        done.append(row.txn_id)
                        report.resolved += 1
                        continue
                outcome = self._send(row)
                if outcome == "":
                    done.append(row.txn_id)
                    report.confirmed += 1
                else:
                    refused.append((row.txn_id, outcome))
                    report.failed += 1
                    report.codes[outcome] = report.codes.get(outcome, 0) + 1
        except Sip2Error as exc:
            # Connection lost, timeout, or an outcome the client could not determine: the row stays
            # ``sending`` and is resolved by a query on the next run. Order is kept by stopping here.
            report.stopped = type(exc).__name__
            log.warning("replay stopped: %s", type(exc).__name__)
            ok = False
        return ok

    def _send(self, row: QueuedTransaction) -> str:
        """Send one row; return "" when the ILS confirmed it, else the reason code to keep."""
        when = sip2_when(row.created_at)
        if row.kind == CHECKOUT:
            assert row.pass_number is not None
            reply = self.client.checkout(row.pass_number, row.item_id, no_block=True, transaction_date=when)
            if getattr(reply, "ok", False):
                return ""
            log.info("replayed loan %s refused by the ILS", short_hash(row.item_id))
            return "checkout:refused"
        reply = self.client.checkin(row.item_id, no_block=True, transaction_date=when)
        if getattr(reply, "ok", False):
            return ""
        log.info("replayed return %s refused by the ILS", short_hash(row.item_id))
        alert = getattr(reply, "alert_type", None) or ""
        return f"checkin:refused:{alert}" if alert else "checkin:refused"

    def _was_applied(self, row: QueuedTransaction) -> bool:
        """Query-before-resend: did the ILS apply this row before we lost track of it?"""
        info = self.client.item_information(row.item_id)
        status = str(getattr(info, "circulation_status", "") or "")
        charged = status in CHARGED
        if row.kind != CHECKOUT:
            # An item the ILS does not know was not "returned" by us: send it, and let the ILS say so.
            applied = not charged and not bool(getattr(info, "unknown", False))
        elif not charged:
            applied = False
        else:
            assert row.pass_number is not None
            patron = self.client.patron_information(row.pass_number, summary="charged", start=1, end=9999)
            items = tuple(getattr(patron, "charged_items", ()) or ())
            applied = row.item_id in items
        log.info(
            "replay recovery: %s %s was %sapplied (status %s)",
            row.kind, short_hash(row.item_id), "" if applied else "not ", status or "?",
        )  # fmt: skip
        return applied
