"""A full disk while the ILS is down: the kiosk refuses what it cannot remember, loses nothing it took in,
tells the member where to go, raises an alert, and takes transactions again once there is room.

The disk is made full with SQLite's own limit (``PRAGMA max_page_count`` on the queue's connection): the
write then fails with SQLITE_FULL, "database or disk is full", exactly as on a full file system.
"""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus
from kiosk.monitoring.alerts import AlertPolicy
from kiosk.monitoring.health import HealthSnapshot
from kiosk.store import TransactionQueue
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk


def set_disk_full(store: TransactionQueue, full: bool) -> None:
    """No page beyond those the queue already has (full), or room again."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages if full else 1 << 30}")


def return_items_until_refused(kiosk: Kiosk, prefix: str) -> tuple[list[str], str]:
    """Return items (offline) until the kiosk refuses one; the accepted ones and the refused one."""
    accepted: list[str] = []
    for n in range(2000):  # a few pages' worth of rows fit before the limit bites
        item = f"{prefix}-{n:04d}"
        kiosk.do(ev.ItemPresented(item))
        line = kiosk.session.view.lines(LineKind.RETURN)[-1]
        assert line.item_id == item
        if line.status is LineStatus.REFUSED:
            assert line.message is not None and line.message.key == "offline.storage_failed"
            return accepted, item
        assert line.status is LineStatus.DONE and line.offline
        accepted.append(item)
    raise AssertionError("the queue never became full")


def test_a_full_disk_refuses_offline_returns_and_loses_none_it_accepted(
    kiosk: Kiosk, sim: IlsSimulator
) -> None:
    sim.stop()
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    set_disk_full(kiosk.store, True)
    accepted, refused = return_items_until_refused(kiosk, "FULL")
    assert [row.item_id for row in kiosk.store.all()] == accepted  # every accepted return is on disk
    error = kiosk.service.health()["queue_storage_error"]
    assert "full" in error
    alerts = AlertPolicy().evaluate(HealthSnapshot(queue_storage_error=error), now=0.0)
    assert [(a.name, a.state) for a in alerts] == [("queue_storage", "firing")]

    set_disk_full(kiosk.store, False)  # the technician made room
    kiosk.do(ev.ItemPresented(refused))  # the member tries again
    line = kiosk.session.view.lines(LineKind.RETURN)[-1]
    assert line.item_id == refused and line.status is LineStatus.DONE
    assert kiosk.service.health()["queue_storage_error"] == ""
    assert [row.item_id for row in kiosk.store.all()] == [*accepted, refused]


def test_a_full_disk_refuses_offline_loans(kiosk: Kiosk, sim: IlsSimulator) -> None:
    sim.stop()
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)  # accepted offline on the check digit
    kiosk.do(ev.StartBorrow())
    set_disk_full(kiosk.store, True)
    # Fill the last free pages with returns (the per-pass loan limit would stop loans first).
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for n in range(2000):
            kiosk.store.enqueue("checkin", f"PAD-{n:04d}")
    kiosk.do(ev.ItemPresented(demo.AVAILABLE))
    (line,) = kiosk.session.view.lines(LineKind.LOAN)
    assert line.status is LineStatus.REFUSED and line.message is not None
    assert line.message.key == "offline.storage_failed"
    assert all(row.kind == "checkin" for row in kiosk.store.all())  # no half-recorded loan
