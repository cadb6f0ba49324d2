"""What keeps a stack on the pad fast, with the real pieces: the FEIG pad simulator on a pty, the pad
watcher and the security service.

* the empty pad waits for tags in the reader (notification mode) instead of polling; once tags lie
  there, ordinary inventories track them;
* the intent record is written (a kill -9 finds it) before the SIP2 request, but fsynced off its way —
  and always before the tag is touched;
* the record goes after the result was posted, and only if it is still the one that was handled.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.rfid import open_reader
from drivers.rfid.scenarios import item_blocks, memory
from drivers.rfid.security import SecurityPolicy
from drivers.rfid.sim_host import DeviceHost, make_device
from drivers.rfid.tagfield import TagField, VirtualTag
from kiosk.core.events import Event
from kiosk.core.pad_model import INTEND_RELEASE, OK, RELEASE, PadItem, PadSecurity, PadSecurityResult
from kiosk.rfid.hub import LockedReader
from kiosk.rfid.pending import RELEASED, PendingStore
from kiosk.rfid.security_service import SecurityService
from kiosk.rfid.watcher import PadWatcher
from tests.foundation.waiting import wait_until
from tests.rfid.conftest import ANSWER_TIMEOUT

BOOK = "30301000500013"
UID = "E004015031000013"


class CountingReader(LockedReader):
    """The shared reader, counting the two ways of looking at the pad and noting what the security
    record looked like at each AFI write."""

    def __init__(self, inner: object, store: PendingStore | None = None) -> None:
        super().__init__(inner)  # type: ignore[arg-type]
        self.plain = 0
        self.waits = 0
        self.store = store
        self.durable_at_write: list[bool] = []

    def inventory(self) -> list[str]:
        self.plain += 1
        return super().inventory()

    def wait_for_tags(self, longest: float) -> list[str]:
        self.waits += 1
        return super().wait_for_tags(longest)

    def write_afi(self, uid: str, value: int) -> None:
        if self.store is not None:
            self.durable_at_write.append(self.store.durable)
        super().write_afi(uid, value)


@pytest.fixture
def pad() -> Iterator[tuple[TagField, str]]:
    """A FEIG pad on a pty with one book beside it (not present)."""
    field = TagField([VirtualTag(UID, memory(item_blocks(BOOK)), present=False)])
    host = DeviceHost(make_device("feig", field))
    path = host.start_pty()
    yield field, path
    host.stop()


def test_the_empty_pad_waits_in_the_reader_and_a_stack_is_tracked_by_inventories(
    pad: tuple[TagField, str],
) -> None:
    field, path = pad
    reader = CountingReader(open_reader(f"rfid+feig://{path}?timeout={ANSWER_TIMEOUT}"))
    seen: list[tuple[PadItem, ...]] = []
    watcher = PadWatcher(reader, seen.append, own_isils=("NL-0001",), poll_interval=0.05)
    watcher.start()
    try:
        wait_until(lambda: reader.waits >= 2, what="the watcher waits for tags in the reader")
        assert reader.plain == 0  # no polling of the empty pad
        field.tag(UID).present = True
        wait_until(lambda: watcher.contents == (PadItem(BOOK, (UID,), OK),), what="the book is seen")
        waits = reader.waits
        wait_until(lambda: reader.plain >= 2, what="inventories while the book lies there")
        assert reader.waits == waits  # tags on the pad: ordinary inventories (presence, debounce)
        field.remove(UID)
        wait_until(lambda: watcher.contents == (), what="the book is gone")
        wait_until(lambda: reader.waits > waits, what="waiting for tags again")
    finally:
        watcher.stop()
        reader.close()


def _service(
    tmp_path: Path, path: str, results: list[Event]
) -> tuple[SecurityService, CountingReader, PendingStore]:
    store = PendingStore(tmp_path / "pending.json")
    reader = CountingReader(open_reader(f"rfid+feig://{path}?timeout={ANSWER_TIMEOUT}"), store)
    service = SecurityService(reader, SecurityPolicy(), store, results.append, lambda *alert: None)
    return service, reader, store


def test_the_intent_is_readable_at_once_and_on_disk_before_the_tag_is_touched(
    tmp_path: Path, pad: tuple[TagField, str]
) -> None:
    field, path = pad
    field.tag(UID).present = True
    results: list[Event] = []
    service, reader, store = _service(tmp_path, path, results)
    try:
        service.submit(PadSecurity(1, BOOK, (UID,), INTEND_RELEASE))  # before the SIP2 request
        after_kill = PendingStore(tmp_path / "pending.json")  # what a restart after kill -9 reads
        assert [(r.item_id, r.uids, r.wanted) for r in after_kill.records()] == [(BOOK, (UID,), RELEASED)]
        assert not store.durable  # no fsync between the tag read and the SIP2 request
        service.submit(PadSecurity(1, BOOK, (UID,), RELEASE))  # the ILS said yes
        service.start()
        wait_until(lambda: results, what="the release was carried out")
        assert results == [PadSecurityResult(1, BOOK, RELEASE, True, "")]
        assert reader.durable_at_write == [True]  # fsynced before the AFI write
        assert field.tag(UID).afi == 0xC2
        wait_until(lambda: not store.records() and store.durable, what="the record gone, on disk too")
    finally:
        service.stop()
        reader.close()


def test_an_intent_without_its_sync_job_is_still_synced_before_the_write(
    tmp_path: Path, pad: tuple[TagField, str]
) -> None:
    field, path = pad
    field.tag(UID).present = True
    results: list[Event] = []
    service, reader, store = _service(tmp_path, path, results)
    store.add(BOOK, (UID,), RELEASED)  # written, not synced, and no sync job queued for it
    try:
        service.submit(PadSecurity(1, BOOK, (UID,), RELEASE))
        service.start()
        wait_until(lambda: results, what="the release was carried out")
        assert reader.durable_at_write == [True]
    finally:
        service.stop()
        reader.close()


def test_a_newer_intent_for_the_same_item_survives_the_old_ones_removal(tmp_path: Path) -> None:
    store = PendingStore(tmp_path / "pending.json")
    store.add(BOOK, (UID,), RELEASED)
    handled = store.get(BOOK)
    store.add(BOOK, (UID,), "secured")  # a new transaction recorded while the old one was switched
    store.remove(BOOK, only=handled)
    record = store.get(BOOK)
    assert record is not None and record.wanted == "secured"
    store.remove(BOOK, only=record)
    assert store.get(BOOK) is None
    assert PendingStore(tmp_path / "pending.json").records() == []


def test_sync_covers_every_change_written_before_it(tmp_path: Path) -> None:
    store = PendingStore(tmp_path / "pending.json")
    assert store.durable
    store.add(BOOK, (UID,), RELEASED)
    store.add("30301000500021", (UID,), RELEASED)
    assert not store.durable
    threads = [threading.Thread(target=store.sync) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.durable


def test_a_failing_reader_is_not_asked_again_at_once(pad: tuple[TagField, str]) -> None:
    field, path = pad
    reader = LockedReader(open_reader(f"rfid+feig://{path}?timeout={ANSWER_TIMEOUT}"))
    watcher = PadWatcher(reader, lambda items: None, poll_interval=0.3)
    try:
        watcher.poll()
        assert watcher.error == "" and watcher._pause() < 0.01  # empty pad: the reader waits for tags
        field.faults.collision_bursts = 100  # every inventory ends in an unfinished anticollision
        watcher.poll()
        assert watcher.error.startswith("TagAirError") and watcher._pause() == 0.3
        field.faults.collision_bursts = 0
        watcher.poll()
        assert watcher.error == "" and watcher._pause() < 0.01
    finally:
        reader.close()
