"""The child side of the crash test: queue and replay, and SIGKILL itself at a chosen step.

Runs in a forked process and uses only :mod:`kiosk.store` and :mod:`sip2`. Every queue write and every
SIP2 exchange is a "step"; at step ``kill_step`` the process kills itself with SIGKILL, either just
before or just after that step (after = the ILS applied a message whose reply was never recorded).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.store import CHECKOUT, TransactionQueue
from kiosk.store.replay import Replayer
from sip2.client import Sip2Client
from sip2.settings import ClientSettings


@dataclass(frozen=True)
class Planned:
    """One transaction of the scripted workload; ``created_at`` is unique and marks it in the queue."""

    kind: str
    item_id: str
    pass_number: str | None
    created_at: float


class Killer:
    """Counts steps and kills the process at the chosen one."""

    def __init__(self, kill_step: int, after: bool) -> None:
        self.kill_step = kill_step
        self.after = after
        self.steps = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` with a kill point before or after it."""

        def stepped(*args: Any, **kwargs: Any) -> Any:
            self.steps += 1
            if self.steps == self.kill_step and not self.after:
                os.kill(os.getpid(), signal.SIGKILL)
            result = fn(*args, **kwargs)
            if self.steps == self.kill_step and self.after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return stepped


def run(
    db: Path,
    key: Path,
    port: int,
    plan: list[Planned],
    start: int,
    new: int,
    batch: int,
    killer: Killer,
    ack_fd: int,
) -> None:
    """Queue ``plan[start:start+new]`` (acknowledging each on ``ack_fd`` once committed), then replay."""
    queue = TransactionQueue(db, key)
    for name in ("enqueue", "advance", "settle"):
        setattr(queue, name, killer.wrap(getattr(queue, name)))
    if start < len(plan) and any(row.created_at == plan[start].created_at for row in queue.all()):
        os.write(ack_fd, f"{start}\n".encode())  # committed before the last kill, never acknowledged
        start += 1
    for index in range(start, min(start + new, len(plan))):
        step = plan[index]
        queue.enqueue(
            step.kind, step.item_id, step.pass_number if step.kind == CHECKOUT else None, step.created_at
        )
        os.write(ack_fd, f"{index}\n".encode())
    client = Sip2Client(
        ClientSettings(
            "127.0.0.1",
            port,
            user="kiosk",
            password="demo",
            institution="WIERDEN",
            connect_timeout=15.0,
            read_timeout=15.0,
            keepalive_interval=0,
            retries=0,
        )
    )
    client.connect()
    for name in ("checkout", "checkin", "item_information", "patron_information"):
        setattr(client, name, killer.wrap(getattr(client, name)))
    Replayer(queue, client, batch=batch).replay()
    client.close()
