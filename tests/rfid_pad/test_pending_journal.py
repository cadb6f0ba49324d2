"""The security pending record is a journal: one appended line per change, emptied when nothing is
pending, compacted when it grows, readable after a kill at any point (and after a power cut that left
half a line), and files of the earlier format (one JSON array) are still read."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.rfid.pending import COMPACT_AFTER, RELEASED, SECURED, PendingStore

BOOK, DVD = "30301000500013", "30301000500021"
UID, UID2 = "E004015031000013", "E004015031000021"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_change_is_one_appended_line_and_the_file_empties_when_nothing_is_pending(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pending.json"
    store = PendingStore(path)
    store.add(BOOK, (UID,), RELEASED)
    store.add(DVD, (UID2,), SECURED)
    assert [line["item_id"] for line in _lines(path)] == [BOOK, DVD]
    store.remove(BOOK)
    assert _lines(path)[-1] == {"item_id": BOOK, "removed": True}
    assert [r.item_id for r in PendingStore(path).records()] == [DVD]  # what a restart reads
    store.remove(DVD)
    assert path.read_text() == ""
    assert PendingStore(path).records() == []
    store.close()


def test_a_long_journal_with_open_records_is_rewritten_with_just_them(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    store = PendingStore(path)
    store.add(DVD, (UID2,), SECURED)  # stays open: the ILS could not tell after a restart
    for _ in range(COMPACT_AFTER):
        store.add(BOOK, (UID,), RELEASED)
        store.remove(BOOK)
    assert len(_lines(path)) < COMPACT_AFTER
    store.sync()
    assert store.durable
    assert [(r.item_id, r.wanted) for r in PendingStore(path).records()] == [(DVD, SECURED)]
    store.add(BOOK, (UID,), RELEASED)  # the journal goes on after the rewrite
    assert [r.item_id for r in PendingStore(path).records()] == [DVD, BOOK]
    store.close()


def test_half_a_last_line_left_by_a_power_cut_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    store = PendingStore(path)
    store.add(BOOK, (UID,), RELEASED)
    store.close()
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"item_id":"3030100050')  # the next line, cut off (never fsynced)
    assert [(r.item_id, r.uids, r.wanted) for r in PendingStore(path).records()] == [(BOOK, (UID,), RELEASED)]
    assert not path.with_suffix(".unreadable").exists()


def test_a_broken_line_inside_the_journal_keeps_the_file_aside(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    path.write_text('{"item_id":"x"\n' + json.dumps({"item_id": BOOK, "removed": True}) + "\n")
    assert PendingStore(path).records() == []
    assert path.with_suffix(".unreadable").exists()


def test_a_record_file_of_the_earlier_format_is_read_and_continued(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    row = {"item_id": BOOK, "uids": [UID], "wanted": RELEASED, "since": 1.0}
    path.write_text(json.dumps([row]))
    store = PendingStore(path)
    assert [(r.item_id, r.uids, r.wanted) for r in store.records()] == [(BOOK, (UID,), RELEASED)]
    store.add(DVD, (UID2,), SECURED)
    assert [r.item_id for r in PendingStore(path).records()] == [BOOK, DVD]
    store.close()
