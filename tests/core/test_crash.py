"""Crash safety: SIGKILL at 200 random points while queuing and replaying; after every restart nothing
is lost and nothing is applied twice (the ILS simulator's journal is the judge)."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

from kiosk.store import CHECKIN, CHECKOUT, TransactionQueue
from sip2.simulator import IlsSimulator, demo
from sip2.simulator.models import Item
from sip2.simulator.passes import item_barcode
from tests.core.crash_child import Killer, Planned, run

KILLS = 200
ITEMS = 40


def _plan(round_: int) -> list[Planned]:
    """One round: loans of ITEMS items to one patron, each returned two transactions later."""
    items = [item_barcode("0301", 70000 + n) for n in range(ITEMS)]
    order: list[tuple[str, str]] = []
    for n, item in enumerate(items):
        order.append((CHECKOUT, item))
        if n >= 2:
            order.append((CHECKIN, items[n - 2]))
    order += [(CHECKIN, items[-2]), (CHECKIN, items[-1])]
    return [
        Planned(kind, item, demo.NORMAL, 1_790_000_000.0 + i * 60) for i, (kind, item) in enumerate(order)
    ]


def _child(
    tmp_path: Path, port: int, plan: list[Planned], start: int, rng: random.Random, kill: bool
) -> tuple[list[int], bool]:
    """Fork a child for one run; return the indexes it acknowledged and whether it was killed."""
    read_fd, write_fd = os.pipe()
    new, batch = rng.randint(0, 5), rng.randint(1, 4)
    killer = Killer(rng.randint(1, 10) if kill else 10**9, after=rng.random() < 0.5)
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 0
        try:
            os.close(read_fd)
            run(
                tmp_path / "queue.db", tmp_path / "queue.key", port, plan, start, new, batch, killer, write_fd
            )
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    data = b""
    while chunk := os.read(read_fd, 4096):
        data += chunk
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert killed or os.WEXITSTATUS(status) == 0, f"child failed with status {status}"
    return [int(x) for x in data.split()], killed


def test_sigkill_at_random_points_loses_nothing_and_applies_nothing_twice(tmp_path: Path) -> None:
    plan: list[Planned] = []
    sim = IlsSimulator(host="127.0.0.1", port=0)
    with sim.library.lock:
        for n in range(ITEMS):
            item = item_barcode("0301", 70000 + n)
            sim.library.items[item] = Item(item, "WIERDEN", f"Crash test {n}", "boek")
    sim.start()
    try:
        rng = random.Random(20261124)
        acked: list[int] = []
        kills = runs = rounds = 0
        while True:
            if len(acked) == len(plan) and not _outstanding(tmp_path):
                if kills >= KILLS:
                    break
                plan += _plan(rounds)  # the same items lent and returned once more
                rounds += 1
            runs += 1
            assert runs < KILLS * 10, "no progress"
            got, killed = _child(tmp_path, sim.port, plan, len(acked), rng, kill=kills < KILLS)
            acked += got
            kills += killed
            assert acked == list(range(len(acked)))  # acknowledged in order, none twice
    finally:
        sim.stop()
    assert kills == KILLS
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    assert queue.all() == []  # every transaction confirmed; none refused
    library = sim.library
    for step in plan:
        assert library.times_applied(step.kind, item_id=step.item_id) == rounds, step
        assert library.times_applied("renew", item_id=step.item_id) == 0, step
    with library.lock:
        assert not any(item in library.loans for item in (s.item_id for s in plan))
        applied = sorted((a.kind, a.item_id, round(a.transaction_date.timestamp())) for a in library.applied)
    # Each planned transaction applied once, with its original time (whole seconds on the wire).
    assert applied == sorted((s.kind, s.item_id, round(s.created_at)) for s in plan)


def _outstanding(tmp_path: Path) -> bool:
    if not (tmp_path / "queue.db").exists():
        return True
    queue = TransactionQueue(tmp_path / "queue.db", tmp_path / "queue.key")
    try:
        return bool(queue.outstanding())
    finally:
        queue.close()
