"""The pad watcher, one inventory at a time (``poll()``) with a fake clock: debounce, read once, sets."""

from __future__ import annotations

from drivers.rfid.models import TagData, encode_danish
from drivers.rfid.scenarios import item_blocks, memory
from drivers.rfid.sim import SimReader
from drivers.rfid.tagfield import TagField, VirtualTag
from kiosk.core.pad_model import INCOMPLETE, OK, PATRON_CARD, UNREADABLE, PadItem
from kiosk.rfid.watcher import PadWatcher

BOOK, SET = "30301000500013", "30301000500021"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _watch(field: TagField, **kw: object) -> tuple[PadWatcher, list[tuple[PadItem, ...]], Clock]:
    seen: list[tuple[PadItem, ...]] = []
    clock = Clock()
    watcher = PadWatcher(SimReader(field), seen.append, clock=clock, own_isils=("NL-0001",), **kw)  # type: ignore[arg-type]
    return watcher, seen, clock


def test_each_tag_is_read_once_and_a_tag_is_gone_only_after_three_missed_inventories() -> None:
    field = TagField([VirtualTag("E004015000000001", memory(item_blocks(BOOK)))])
    watcher, seen, _ = _watch(field)
    for _ in range(5):
        watcher.poll()
    assert [op for op, _ in field.commands].count("read_blocks") == 1
    assert seen == [(PadItem(BOOK, ("E004015000000001",), OK),)]
    field.remove("E004015000000001")
    watcher.poll()
    watcher.poll()
    assert watcher.contents != ()  # a stacked tag drops out now and then
    field.tag("E004015000000001").present = True
    watcher.poll()
    field.remove("E004015000000001")
    for _ in range(3):
        watcher.poll()
    assert seen[-1] == () and len(seen) == 2


def test_a_set_waits_for_its_parts_then_is_incomplete() -> None:
    field = TagField(
        [
            VirtualTag("E004015000000001", memory(item_blocks(SET, 3, 1))),
            VirtualTag("E004015000000002", memory(item_blocks(SET, 3, 2))),
        ]
    )
    watcher, seen, clock = _watch(field, set_wait=3.0)
    watcher.poll()
    assert all(items == () for items in seen)  # still putting the rest down
    clock.now = 3.0
    watcher.poll()
    assert seen[-1] == (PadItem(SET, ("E004015000000001", "E004015000000002"), INCOMPLETE, 3, 2),)
    field.add(VirtualTag("E004015000000003", memory(item_blocks(SET, 3, 3))))
    watcher.poll()
    assert seen[-1][0].status == OK and seen[-1][0].present == 3


def test_a_pass_on_the_pad_is_named_by_its_uid_never_its_number() -> None:
    card = encode_danish(TagData("danish", "", "20301000010015", "NL-0001", "NL", 1, 1, "patron-card", 8))
    field = TagField([VirtualTag("E004015000000008", memory(card))])
    watcher, seen, _ = _watch(field)
    watcher.poll()
    assert seen == [(PadItem("E004015000000008", ("E004015000000008",), PATRON_CARD),)]


def test_a_tag_that_cannot_be_read_is_reported_after_three_tries() -> None:
    field = TagField([VirtualTag("E004015000000001", memory(item_blocks(BOOK)))])
    field.faults.drop_out["E004015000000001"] = 1  # leaves during its read, comes back
    watcher, seen, _ = _watch(field, read_tries=1)
    watcher.poll()
    assert seen[-1] == (PadItem("E004015000000001", ("E004015000000001",), UNREADABLE),)


def test_the_live_count_uses_the_catalog_plural() -> None:
    from kiosk.core.pad import progress, progress_text
    from kiosk.core.view import ItemLine, LineKind, LineStatus

    lines = tuple(ItemLine(LineKind.LOAN, f"I{i}", LineStatus.DONE) for i in range(7))
    assert progress_text("nl", progress(lines, LineKind.LOAN)) == "7 van 7 materialen verwerkt"
    one = progress((ItemLine(LineKind.LOAN, "I", LineStatus.PENDING),), LineKind.LOAN)
    assert progress_text("nl", one) == "0 van 1 materiaal verwerkt"
    assert progress_text("en", one) == "0 of 1 item processed"
