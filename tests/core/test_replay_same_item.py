"""Replay of two queued rows for the same item, with a crash after the ILS applied both.

The query that resolves a row in doubt judges it by the item's state in the ILS now. If a later row of
the same batch for the same item had already changed that state, the earlier row would be misjudged
and sent again: [return X, lend X to B] ended B's loan; [lend X to B, return X] lent and returned X
twice. The ILS simulator's journal is the judge: each transaction applied exactly once, in order,
with its original time, and the item ends where the queue says it should.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import CHECKIN, CHECKOUT, FAILED, QUEUED, TransactionQueue
from kiosk.store.queue import QueuedTransaction
from kiosk.store.replay import Replayer, one_per_item
from sip2.client import Sip2Client
from sip2.settings import ClientSettings
from sip2.simulator import IlsSimulator, demo
from sip2.simulator.models import Item
from sip2.simulator.passes import item_barcode
from tests.core.crash_child import Killer, Planned, run

FIRST_HOLDER = demo.ENGLISH  # had the item before the kiosk went offline
BORROWER = demo.NORMAL  # borrows it at the kiosk while offline
T0 = 1_790_500_000.0
_numbers = itertools.count(71000)

# (name, item on loan to FIRST_HOLDER beforehand, queued rows as (kind, pass))
ORDERS = [
    ("return-then-lend", True, [(CHECKIN, None), (CHECKOUT, BORROWER)]),
    ("lend-then-return", False, [(CHECKOUT, BORROWER), (CHECKIN, None)]),
]


@pytest.fixture(scope="module")
def ils() -> Iterator[IlsSimulator]:
    """One simulator for the module; every case uses items of its own."""
    sim = IlsSimulator(host="127.0.0.1", port=0)
    sim.start()
    yield sim
    sim.stop()


def _new_item(sim: IlsSimulator, on_loan: bool) -> str:
    item = item_barcode("0301", next(_numbers))
    with sim.library.lock:
        sim.library.items[item] = Item(item, "WIERDEN", "Same item twice", "boek")
    if on_loan:
        assert sim.library.checkout(FIRST_HOLDER, item, no_block=True).ok
    return item


def _plan(item: str, rows: list[tuple[str, str | None]]) -> list[Planned]:
    return [Planned(kind, item, who, T0 + 60 * n) for n, (kind, who) in enumerate(rows)]


def _journal(sim: IlsSimulator, item: str) -> list[tuple[str, str | None, int]]:
    with sim.library.lock:
        return [
            (a.kind, a.patron_id, round(a.transaction_date.timestamp()))
            for a in sim.library.applied
            if a.item_id == item
        ]


def _expected(plan: list[Planned], on_loan: bool) -> list[tuple[str, str | None, int]]:
    """The journal entries of the queued rows, each once: a return closes the loan before it."""
    holder = FIRST_HOLDER if on_loan else None
    out: list[tuple[str, str | None, int]] = []
    for step in plan:
        holder = step.pass_number if step.kind == CHECKOUT else holder
        out.append((step.kind, holder, round(step.created_at)))
        holder = holder if step.kind == CHECKOUT else None
    return out


def _assert_books(
    sim: IlsSimulator, item: str, plan: list[Planned], on_loan: bool, before: list[Any]
) -> None:
    assert _journal(sim, item) == before + _expected(plan, on_loan)
    for step in plan:
        earlier = sum(1 for entry in before if entry[0] == step.kind)
        mine = sim.library.times_applied(step.kind, item_id=item) - earlier
        assert mine == 1, (step.kind, mine)
    assert sim.library.times_applied("renew", item_id=item) == 0
    with sim.library.lock:
        loan = sim.library.loans.get(item)
    if plan[-1].kind == CHECKOUT:
        assert loan is not None and loan.patron_id == BORROWER
        assert round(loan.checked_out.timestamp()) == round(plan[-1].created_at)
    else:
        assert loan is None


def _client(sim: IlsSimulator) -> Sip2Client:
    settings = ClientSettings(
        "127.0.0.1", sim.port, user="kiosk", password="demo", institution="WIERDEN",
        connect_timeout=15.0, read_timeout=15.0, keepalive_interval=0, retries=0,
    )  # fmt: skip
    client = Sip2Client(settings)
    client.connect()
    return client


class PowerCut(BaseException):
    """Stands for the process dying: nothing after it runs, nothing uncommitted reaches the disk."""


@pytest.mark.parametrize(("name", "on_loan", "rows"), ORDERS, ids=[o[0] for o in ORDERS])
def test_crash_after_the_ils_applied_both_rows_for_one_item(
    ils: IlsSimulator, tmp_path: Path, name: str, on_loan: bool, rows: list[tuple[str, str | None]]
) -> None:
    item = _new_item(ils, on_loan)
    before = _journal(ils, item)
    plan = _plan(item, rows)
    queue = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key")
    for step in plan:
        queue.enqueue(step.kind, item, step.pass_number, step.created_at)

    # The power goes at the first commit of outcomes after the ILS has applied both rows.
    settle = queue.settle
    cuts: list[int] = []

    def settle_or_die(confirmed: list[str], refused: list[tuple[str, str]]) -> None:
        if len(_journal(ils, item)) == len(before) + len(plan):
            cuts.append(len(confirmed) + len(refused))
            raise PowerCut
        settle(confirmed, refused)

    advance = queue.advance

    def advance_or_die(
        confirmed: list[str], refused: list[tuple[str, str]], *args: Any
    ) -> list[QueuedTransaction]:
        # The outcomes of a batch are also committed together with the next batch's marks.
        if len(_journal(ils, item)) == len(before) + len(plan):
            cuts.append(len(confirmed) + len(refused))
            raise PowerCut
        return advance(confirmed, refused, *args)

    queue.settle = settle_or_die  # type: ignore[method-assign]
    queue.advance = advance_or_die  # type: ignore[method-assign]
    client = _client(ils)
    with pytest.raises(PowerCut):
        Replayer(queue, client).replay()
    client.close()
    queue._db.conn.close()  # abandoned as a dead process leaves it (no checkpoint, no close)
    assert cuts, "the crash point was never reached"
    assert _journal(ils, item) == before + _expected(plan, on_loan)  # both applied once so far

    # Restart: a new process opens the queue and replays what is left.
    queue = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key")
    client = _client(ils)
    report = Replayer(queue, client).replay()
    client.close()
    _assert_books(ils, item, plan, on_loan, before)
    assert report.stopped == "" and report.failed == 0, report
    assert report.resolved >= 1 and report.confirmed == 0, report  # recovered by query, nothing resent
    assert queue.all() == []
    queue.close()


def _fork(
    db: Path, key: Path, port: int, plan: list[Planned], start: int, killer: Killer
) -> tuple[int, bool]:
    """Run :func:`tests.core.crash_child.run` in a child: how many rows it acknowledged, and whether it
    was SIGKILLed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 0
        try:
            os.close(read_fd)
            run(db, key, port, plan, start, len(plan), 256, killer, write_fd)
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
    return len(data.split()), killed


@pytest.mark.parametrize(("name", "on_loan", "rows"), ORDERS, ids=[o[0] for o in ORDERS])
def test_sigkill_at_every_step_of_a_same_item_replay(
    ils: IlsSimulator, tmp_path: Path, name: str, on_loan: bool, rows: list[tuple[str, str | None]]
) -> None:
    """SIGKILL before and after every queue write and SIP2 exchange, then restart: same books."""
    for step, after in itertools.product(range(1, 11), (False, True)):
        item = _new_item(ils, on_loan)
        before = _journal(ils, item)
        plan = _plan(item, rows)
        case = tmp_path / f"{step}-{after}"
        case.mkdir()
        db, key = case / "q.db", case / "q.key"
        acked, _ = _fork(db, key, ils.port, plan, 0, Killer(step, after))
        for _ in range(3):  # restart until everything is queued and replayed
            got, killed = _fork(db, key, ils.port, plan, acked, Killer(10**9, after=False))
            assert not killed
            acked += got
            queue = TransactionQueue(db, key)
            left = queue.all()
            queue.close()
            if acked == len(plan) and not left:
                break
        assert acked == len(plan) and left == [], (step, after, left)
        _assert_books(ils, item, plan, on_loan, before)


def test_a_batch_ends_before_a_second_row_for_the_same_item(tmp_path: Path) -> None:
    queue = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key")
    for kind, item in [(CHECKIN, "A"), (CHECKIN, "B"), (CHECKOUT, "A"), (CHECKIN, "C")]:
        queue.enqueue(kind, item, BORROWER if kind == CHECKOUT else None)
    rows = queue.outstanding()
    assert [r.item_id for r in one_per_item(rows)] == ["A", "B"]
    assert [r.item_id for r in one_per_item(rows[2:])] == ["A", "C"]
    assert one_per_item([]) == []
    queue.close()


def test_rows_in_doubt_together_for_one_item_go_to_staff_unsent(ils: IlsSimulator, tmp_path: Path) -> None:
    """Left by an older version (one batch held both): no query can tell which the ILS applied."""
    item = _new_item(ils, on_loan=True)
    other = _new_item(ils, on_loan=True)
    before = _journal(ils, item)
    queue = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key")
    queue.enqueue(CHECKIN, item, None, T0, in_doubt=True)
    queue.enqueue(CHECKOUT, item, BORROWER, T0 + 60, in_doubt=True)
    queue.enqueue(CHECKIN, other, None, T0 + 120, in_doubt=True)
    client = _client(ils)
    report = Replayer(queue, client).replay()
    client.close()
    assert report.failed == 2 and report.codes == {"checkin:in-doubt": 1, "checkout:in-doubt": 1}
    assert report.confirmed == 1 and report.remaining == 0  # the other item's row is handled as ever
    assert [(r.kind, r.state, r.result_code) for r in queue.all()] == [
        (CHECKIN, FAILED, "checkin:in-doubt"),
        (CHECKOUT, FAILED, "checkout:in-doubt"),
    ]
    queue.close()
    assert _journal(ils, item) == before  # nothing sent for the shared item
    assert other not in ils.library.loans


def test_outcomes_are_kept_when_the_next_batch_cannot_be_marked(ils: IlsSimulator, tmp_path: Path) -> None:
    # Returns of items that are on loan: every one is confirmed by the ILS.
    items = [_new_item(ils, on_loan=True) for _ in range(10)]
    queue = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key")
    for n, item in enumerate(items):
        queue.enqueue(CHECKIN, item, None, T0 + 60 * n)
    advance = queue.advance
    calls: list[int] = []

    def advance_once(*args: Any) -> list[QueuedTransaction]:
        calls.append(len(args[0]))
        if len(calls) == 2:  # settling the first batch and marking the second
            raise RuntimeError("disk trouble")
        return advance(*args)

    queue.advance = advance_once  # type: ignore[method-assign]
    client = _client(ils)
    with pytest.raises(RuntimeError):
        Replayer(queue, client, batch=4).replay()
    client.close()
    # The first batch (4 rows) was answered by the ILS: its outcomes are on disk, not left in doubt.
    assert calls == [0, 4]
    rest = queue.all()
    assert [row.item_id for row in rest] == items[4:]
    assert {row.state for row in rest} == {QUEUED}
    queue.close()
