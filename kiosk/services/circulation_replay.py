"""The circulation service's queue replay: what was queued offline reaches the ILS, in order.

:class:`QueueReplayer` sends the offline queue over the link's current client when the ILS comes back
(and after each keepalive, for anything left), one watched exchange at a time
(:class:`~kiosk.services.circulation_watch.WatchedReplayClient`).  A long queue does not hold up the
member at the kiosk: between batches the replay yields to a patron's waiting request and continues
afterwards.  Before a loan or return of an item that still has a queued row, the online desk asks
:meth:`QueueReplayer.send_waiting_for` to send that row first: a return applied before the offline loan
it undoes would be a no-op, and then the loan would replay.  Rows in doubt are settled by asking the
ILS first (:mod:`kiosk.store.replay`).
"""

from __future__ import annotations

import logging
import threading

from kiosk.services.circulation_jobs import Jobs
from kiosk.services.circulation_link import IlsLink
from kiosk.services.circulation_watch import WatchedReplayClient
from kiosk.store.queue import TransactionQueue
from kiosk.store.replay import Replayer, ReplayReport

#: Replays are logged as the service, as before.
log = logging.getLogger("kiosk.services.circulation")


class QueueReplayer:
    """Replays the offline queue through the link (on the worker thread)."""

    def __init__(self, store: TransactionQueue, link: IlsLink, jobs: Jobs, stopping: threading.Event) -> None:
        """Rows come from ``store`` and go over ``link``; a replay cut short continues as a job on
        ``jobs``; ``stopping`` ends a replay between batches."""
        self.store = store
        self.link = link
        self.jobs = jobs
        self._stopping = stopping
        self.last_report: ReplayReport | None = None

    def replay(self, yield_to_patrons: bool = False) -> None:
        """Replay the queue. ``yield_to_patrons``: pause between batches when a patron's request waits
        (and continue afterwards), so a long queue does not hold up the person at the kiosk."""
        if not self.store.waiting_count():
            return
        client = self.link.client
        if client is None:
            return

        def should_stop() -> bool:
            return self._stopping.is_set() or (yield_to_patrons and self.jobs.patron_waiting())

        # The watchdog must time each exchange, not the whole replay (10,000 rows take a while).
        report = Replayer(self.store, WatchedReplayClient(client, self.link)).replay(should_stop)
        self.last_report = report
        log.info("replay: %s", report.as_dict())
        if report.confirmed or report.failed or report.resolved:
            self.store.scrub()  # the sent rows' encrypted pass numbers leave the WAL too
        if report.stopped == "busy":  # another process (kiosk queue replay) is at it; try again later
            return
        if report.stopped:
            self.link.went_offline(f"replay stopped: {report.stopped}")
        elif report.remaining and not self._stopping.is_set():
            self.jobs.replay_later()  # continue after the patron's requests

    def send_waiting_for(self, item_id: str) -> None:
        """A queued transaction for this item must reach the ILS before a new one: replay if one waits."""
        if self.store.has_item(item_id):
            self.replay()

    def still_waiting_for(self, item_id: str) -> bool:
        """Replay what waits for this item; True when a row for it is still waiting afterwards."""
        if not self.store.has_item(item_id):
            return False
        self.replay()
        return self.store.has_item(item_id)
