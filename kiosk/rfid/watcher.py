"""The pad watcher: an inventory loop on a worker thread that tells the core what lies on the pad.

* Inventory every ``poll_interval`` (~300 ms, go-feig's advice) while tags lie on the pad. While it is
  empty, a reader that can wait for tags by itself (FEIG notification mode,
  :meth:`~drivers.rfid.reader.Reader.wait_for_tags`) is asked to, ``notify_wait`` (100 ms) at a time: it
  answers the moment a stack is put down (within one empty inventory, 8 ms of air, and no host polling);
  other readers are polled every ``empty_poll_interval`` (20 ms). No inventory while ``busy()`` (the
  security service switching tags, or an ILS answer due that calls for a switch, has the reader first:
  it is what the member waits for; never longer than 2 s). A tag counts as gone only after ``misses``
  inventories without it (stacked tags on a detuned antenna drop in and out).
* Each tag's memory is read *once*, when it first appears (retried ``read_tries`` times, then the tag is
  "unreadable"); the model that proves itself decides (:func:`drivers.rfid.models.detect`), the item id
  rule gives the ILS barcode.
* Sets: the parts of one item are grouped; a set with parts missing is held back for ``set_wait`` seconds
  (the member is still putting the rest down), then reported as incomplete.
* The contents go to ``on_change`` after every tag that was read, so the first item's loan is on its way
  to the ILS while the next tag is being read; then once more at the end of the inventory, with the
  incomplete sets and only if anything changed.

``poll()`` is one round (tests may drive it directly); :meth:`start` runs it on a thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from drivers.errors import DriverError
from drivers.rfid.models import Blank, Foreign, ItemIdRule, TagData, TagModel, Unknown, detect
from drivers.rfid.models.detect import DEFAULT_MODELS
from drivers.rfid.reader import Reader
from kiosk.core.pad_model import (
    BLANK,
    FOREIGN,
    INCOMPLETE,
    NOT_AN_ITEM,
    OK,
    PATRON_CARD,
    UNKNOWN,
    UNREADABLE,
    PadItem,
)

log = logging.getLogger(__name__)

READ_BLOCKS = 8  # 32 bytes: the Danish basic block; site layouts of the same size


@dataclass
class _Tag:
    uid: str
    first_seen: float
    result: TagData | Unknown | Blank | Foreign | None = None
    misses: int = 0
    read_failures: int = 0


class PadWatcher:
    """Watches one reader (shared with the security service through a locking reader)."""

    def __init__(
        self,
        reader: Reader,
        on_change: Callable[[tuple[PadItem, ...]], None],
        *,
        rule: ItemIdRule | None = None,
        models: Sequence[TagModel] = DEFAULT_MODELS,
        own_isils: Collection[str] = (),
        set_wait: float = 3.0,
        poll_interval: float = 0.3,
        empty_poll_interval: float = 0.02,
        notify_wait: float = 0.1,
        busy: Callable[[], bool] = lambda: False,
        misses: int = 3,
        read_tries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader = reader
        self.on_change = on_change
        self.rule = rule or ItemIdRule()
        self.models = tuple(models)
        self.own_isils = tuple(own_isils)
        self.set_wait = set_wait
        self.poll_interval = poll_interval
        self.empty_poll_interval = min(empty_poll_interval, poll_interval)
        self.notify_wait = notify_wait
        self.busy = busy
        self.misses = misses
        self.read_tries = read_tries
        self.clock = clock
        self._tags: dict[str, _Tag] = {}
        self._last: tuple[PadItem, ...] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0
        self.error: str = ""

    @property
    def contents(self) -> tuple[PadItem, ...]:
        """What the watcher last reported."""
        return self._last or ()

    def resend(self) -> None:
        """Report the contents again (the session changed screens: what lies there may now be lent)."""
        self.on_change(self.contents)

    # --- one round ------------------------------------------------------------------------------------
    def poll(self) -> None:
        """One inventory: new tags read, missing ones counted, the contents reported if they changed."""
        try:
            if not self._tags and self.reader.notifies():
                seen = self.reader.wait_for_tags(self.notify_wait)
            else:
                seen = self.reader.inventory()
        except DriverError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning("pad inventory failed: %s", type(exc).__name__)
            return
        self.error = ""
        now = self.clock()
        for tag in self._tags.values():
            tag.misses = 0 if tag.uid in seen else tag.misses + 1
        for uid in [u for u, t in self._tags.items() if t.misses >= self.misses]:
            del self._tags[uid]
        for uid in seen:
            tag = self._tags.setdefault(uid, _Tag(uid, now))
            if tag.result is None and tag.read_failures < self.read_tries:
                self._read(tag)
                self._report(self._items(now, final=False))
        self._report(self._items(now, final=True))
        self.rounds += 1

    def _read(self, tag: _Tag) -> None:
        try:
            blocks = self.reader.read_blocks(tag.uid, 0, READ_BLOCKS)
        except DriverError:
            tag.read_failures += 1
            return
        tag.result = detect(blocks, self.models, own_isils=self.own_isils)

    def _report(self, items: tuple[PadItem, ...]) -> None:
        if items != self._last:
            self._last = items
            self.on_change(items)

    def _items(self, now: float, final: bool) -> tuple[PadItem, ...]:
        """Group the present tags into items (sets: all parts of one item id)."""
        out: list[PadItem] = []
        sets: dict[str, list[tuple[_Tag, TagData]]] = {}
        for tag in self._tags.values():
            result = tag.result
            if result is None:
                if tag.read_failures >= self.read_tries:
                    out.append(PadItem(tag.uid, (tag.uid,), UNREADABLE))
            elif isinstance(result, Blank):
                out.append(PadItem(tag.uid, (tag.uid,), BLANK))
            elif isinstance(result, Unknown):
                out.append(PadItem(tag.uid, (tag.uid,), UNKNOWN))
            elif isinstance(result, Foreign):
                label = result.data.item_id if result.data is not None else tag.uid
                out.append(PadItem(label, (tag.uid,), FOREIGN, owner=result.isil))
            elif result.usage == "patron-card":
                out.append(PadItem(tag.uid, (tag.uid,), PATRON_CARD))  # never the pass number
            elif not result.is_item:
                out.append(PadItem(tag.uid, (tag.uid,), NOT_AN_ITEM))
            else:
                sets.setdefault(self.rule.to_ils(result.item_id), []).append((tag, result))
        for item_id, parts in sets.items():
            wanted = max(data.parts_in_set for _, data in parts)
            present = len({data.part_number for _, data in parts})
            uids = tuple(tag.uid for tag, _ in sorted(parts, key=lambda p: p[1].part_number))
            if present >= wanted:
                out.append(PadItem(item_id, uids, OK, wanted, present))
            elif final and now - min(tag.first_seen for tag, _ in parts) >= self.set_wait:
                out.append(PadItem(item_id, uids, INCOMPLETE, wanted, present))
        return tuple(sorted(out, key=lambda item: item.item_id))

    # --- the thread ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Poll on a worker thread until :meth:`stop`."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="rfid-pad", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _pause(self) -> float:
        """Seconds until the next round: ``poll_interval`` with tags on the pad; on an empty pad
        ``empty_poll_interval``, or only a breath when the reader waits for tags itself (the lock is
        free for a moment: a security write or the maintenance test may go first); after a failed
        inventory ``poll_interval`` (a reader that is gone is not asked 500 times a second)."""
        if self._tags or self.error:
            return self.poll_interval
        return 0.002 if self.reader.notifies() else self.empty_poll_interval

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # the pad must keep being watched whatever one round did
                log.exception("pad watcher round failed")
            self._stop.wait(self._pause())
            end = self.clock() + 2.0  # security writes first, but never starve the pad for long
            while self.busy() and self.clock() < end and not self._stop.wait(0.005):
                pass
