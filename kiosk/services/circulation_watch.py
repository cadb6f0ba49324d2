"""Watched access to the ILS: the clients the desk and the replay talk through, and the health monitor.

* :class:`WatchedClient` is the online desk's client: each SIP2 call goes to the link's current client
  through :meth:`IlsLink.call <kiosk.services.circulation_link.IlsLink.call>` (watchdog, timing,
  offline switch) and returns its typed reply.
* :class:`WatchedReplayClient` is the replay's: it arms the watchdog around each exchange, so the
  watchdog times one exchange, not a whole replay (10,000 rows take a while), and leaves failures to
  the replay (:mod:`kiosk.store.replay`), which stops and reports them.
* :class:`HealthMonitor` is the health thread: a keepalive (SIP2 99) while idle, a request hanging past
  ``offline_after`` abandoned, failed rows purged hourly.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kiosk.services.circulation_jobs import Jobs, Probe, Purge
from kiosk.services.circulation_link import IlsLink
from sip2.client import Sip2Client
from sip2.errors import Sip2ConnectionError, Sip2Error
from sip2.messages import (
    CheckinResponse,
    CheckoutResponse,
    ItemInformationResponse,
    PatronInformationResponse,
    RenewResponse,
)

log = logging.getLogger(__name__)

R = TypeVar("R")
PURGE_INTERVAL = 3600.0  # seconds between retention purges of failed rows


class WatchedClient:
    """The :class:`~kiosk.services.circulation_online.CirculationClient` the online desk talks to: each
    SIP2 call runs on the link's current client, watched (see :meth:`IlsLink.call`)."""

    def __init__(self, link: IlsLink) -> None:
        """Calls go through ``link``."""
        self._link = link

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (``[sip2] fee_format``), from the current client's dialect."""
        return self._link.fee_format

    def patron_information(
        self, patron_id: str, pin: str | None = None, summary: str = "", start: int = 1, end: int = 10
    ) -> PatronInformationResponse:
        """SIP2 63, watched."""
        what = "account" if summary else "patron"
        return self._link.call(
            what, lambda c: c.patron_information(patron_id, pin=pin, summary=summary, start=start, end=end)
        )

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """SIP2 17, watched."""
        return self._link.call("item", lambda c: c.item_information(item_id))

    def checkout(self, patron_id: str, item_id: str, pin: str | None = None) -> CheckoutResponse:
        """SIP2 11, watched."""
        return self._link.call("checkout", lambda c: c.checkout(patron_id, item_id, pin=pin))

    def checkin(self, item_id: str) -> CheckinResponse:
        """SIP2 09, watched."""
        return self._link.call("checkin", lambda c: c.checkin(item_id))

    def renew(self, patron_id: str, item_id: str, pin: str | None = None) -> RenewResponse:
        """SIP2 29, watched."""
        return self._link.call("renew", lambda c: c.renew(patron_id, item_id, pin=pin))


class WatchedReplayClient:
    """The :class:`~kiosk.store.replay.ReplayClient` the replay talks to: one client, the watchdog armed
    around each exchange; a socket the watchdog shut is reported as a lost connection."""

    def __init__(self, client: Sip2Client, link: IlsLink) -> None:
        """Exchanges run on ``client``; ``link`` arms and disarms the watchdog."""
        self._client = client
        self._link = link

    def _armed(self, exchange: Callable[[], R]) -> R:
        self._link.mark_busy(True)
        try:
            return exchange()
        except Sip2Error:  # also OSErrors (timeouts, connection errors): passed on unchanged
            raise
        except OSError as exc:  # the watchdog shut the socket down under us
            raise Sip2ConnectionError(f"connection closed: {type(exc).__name__}") from exc
        finally:
            self._link.mark_busy(False)

    def checkout(
        self,
        patron_id: str,
        item_id: str,
        *,
        no_block: bool = False,
        transaction_date: dt.datetime | None = None,
    ) -> CheckoutResponse:
        """SIP2 11, watched."""
        return self._armed(
            lambda: self._client.checkout(
                patron_id, item_id, no_block=no_block, transaction_date=transaction_date
            )
        )

    def checkin(
        self, item_id: str, *, no_block: bool = False, transaction_date: dt.datetime | None = None
    ) -> CheckinResponse:
        """SIP2 09, watched."""
        return self._armed(
            lambda: self._client.checkin(item_id, no_block=no_block, transaction_date=transaction_date)
        )

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """SIP2 17, watched."""
        return self._armed(lambda: self._client.item_information(item_id))

    def patron_information(
        self, patron_id: str, *, summary: str = "", start: int = 1, end: int = 10
    ) -> PatronInformationResponse:
        """SIP2 63, watched."""
        return self._armed(
            lambda: self._client.patron_information(patron_id, summary=summary, start=start, end=end)
        )


class HealthMonitor:
    """The health thread: keepalive while idle; abandon a request that hangs (the ILS is treated as
    down); purge failed rows past their retention period every hour."""

    def __init__(
        self,
        link: IlsLink,
        jobs: Jobs,
        stopping: threading.Event,
        *,
        probe_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Watches ``link``; keepalives and purges are jobs for the worker on ``jobs``."""
        self.link = link
        self.jobs = jobs
        self._stopping = stopping
        self.probe_interval = probe_interval  # seconds idle before a keepalive ([sip2] keepalive_interval)
        self._clock = clock

    def run(self) -> None:
        """The thread's loop, until ``stopping`` is set."""
        tick = min(0.25, self.probe_interval / 2)
        last_purge = self._clock()
        while not self._stopping.wait(tick):
            now = self._clock()
            if now - last_purge >= PURGE_INTERVAL:
                last_purge = now
                self.jobs.put(Purge())
            if self.link.check(now, self.probe_interval) and self.jobs.empty():
                self.jobs.put(Probe())
