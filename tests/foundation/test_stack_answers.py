"""A stack on the pad is a row of loans in the circulation worker's queue. The answer to one loan is
posted once the next loan's request is on its way to the ILS (so the session thread, woken by the answer,
does not hold up that request); answers keep their order, and the last one is posted at once. Against the
SIP2 simulator over TCP."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store.queue import TransactionQueue
from sip2.client import ClientSettings, Sip2Client
from sip2.simulator import IlsSimulator
from sip2.simulator.models import Item

from .waiting import WAIT_LIMIT, wait_until

JAN = "20301000010015"
STACK = ("30301000900001", "30301000900002", "30301000900003")


@pytest.fixture
def ils() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(port=0)
    for number, item in enumerate(STACK):
        simulator.library.items[item] = Item(item, "WIERDEN", f"Stack item {number + 1}", "boek")
    simulator.start()
    yield simulator
    simulator.stop()


def _checkouts_received(ils: IlsSimulator, at_least: int) -> int:
    """The loans the ILS has received, once it has ``at_least`` (raises in the worker, which then posts
    nothing more, after the hang guard)."""
    wait_until(lambda: ils.requests["11"] >= at_least, what=f"{at_least} loans at the ILS")
    return ils.requests["11"]


def test_a_loans_answer_is_posted_once_the_next_loans_request_is_on_its_way(ils: IlsSimulator) -> None:
    stack_queued = threading.Event()
    answers: list[tuple[str, int]] = []  # (item, loans the ILS had received when the answer was posted)

    def post(event: ev.Event) -> None:  # runs on the circulation worker for its answers
        if isinstance(event, ev.IlsOnline):
            stack_queued.wait(WAIT_LIMIT)  # the worker takes the stack only once all of it is queued
        elif isinstance(event, ev.ItemCheckedOut):
            # While this runs the worker sends nothing: what the ILS has by now went out before the post.
            answers.append((event.item_id, _checkouts_received(ils, min(len(answers) + 2, len(STACK)))))

    settings = ClientSettings(
        "127.0.0.1", ils.port, user="kiosk", password="demo", institution="WIERDEN", location="KIOSK1",
        connect_timeout=15.0, read_timeout=15.0, keepalive_interval=0,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        service = CirculationService(lambda: Sip2Client(settings), store, OfflinePolicy(), post)
        service.start()
        try:
            for item in STACK:
                service.submit(fx.CheckOut(1, JAN, item))
            stack_queued.set()
            wait_until(lambda: len(answers) == len(STACK), what="every loan answered")
            wait_until(lambda: not service.busy, what="the worker idle")
        finally:
            service.stop()
            store.close()
    # The first two answers went out after the next loan's request; the last one at once.
    assert answers == [(STACK[0], 2), (STACK[1], 3), (STACK[2], 3)]
