"""The circulation worker's jobs and its job queue.

One worker thread owns the SIP2 client (one request outstanding per socket), so everything that talks
to the ILS is a job on one queue: the session's effects (:data:`HANDLED`) and the service's own work --
the first connection attempt, taking a recovered client, a keepalive, a queue replay, a purge.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass

from kiosk.core import effects as fx
from sip2.client import Sip2Client

#: The session effects the circulation service carries out.
HANDLED = (fx.LookUpPatron, fx.CheckOut, fx.CheckIn, fx.Renew, fx.LoadAccount)


class FirstContact:
    """Job at start-up: try the ILS once (bounded by the client's connect timeout) before any patron's
    request, so a member at a kiosk that has just started is not served offline while the ILS is fine.
    Requests that arrive meanwhile wait behind it in the job queue."""


@dataclass
class Recovered:
    """Job: the reconnect thread has a fresh, logged-in client."""

    client: Sip2Client


class Probe:
    """Job: a keepalive (SIP2 99)."""


class Replay:
    """Job: replay the offline queue."""


class Purge:
    """Job: delete failed rows past the retention period (at start, then hourly)."""


class Jobs(queue.Queue[object]):
    """The worker's job queue: effects and service jobs in arrival order; ``None`` stops the worker."""

    def recovered(self, client: Sip2Client) -> None:
        """Hand a fresh, logged-in client to the worker (called by the reconnect thread)."""
        self.put(Recovered(client))

    def replay_later(self) -> None:
        """Ask the worker to replay the queue (after whatever waits now)."""
        self.put(Replay())

    def next_is_loan_or_return(self) -> bool:
        """Whether the next job is a loan or return (of a stack on the pad): its request follows at once."""
        with self.mutex:
            return bool(self.queue) and isinstance(self.queue[0], fx.CheckOut | fx.CheckIn)

    def patron_waiting(self) -> bool:
        """Whether a patron's request (an effect) waits in the queue: a long replay yields to it."""
        with self.mutex:  # a snapshot: the worker and the runtime add jobs meanwhile
            waiting = list(self.queue)
        return any(isinstance(job, fx.Effect) for job in waiting)
