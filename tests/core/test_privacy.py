"""Privacy audit: after a scripted day online and offline, nothing personal is left in the kiosk's files
or logs; the queue is empty after replay and failed rows go after the retention period."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import events as ev
from kiosk.logsetup import install_redaction
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk

DAY = 86400


@pytest.fixture
def kiosk_log() -> Iterator[list[str]]:
    """Every log line of the kiosk and its SIP2 client (not of the simulated ILS), at DEBUG, through the
    kiosk's redaction filter — what would reach journald."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith("sip2.simulator"):
                lines.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    install_redaction(handler)
    # And the raw records, before any redaction: the filter hashes every long digit run, so only the raw
    # log would show a module that put a pass number or barcode into a message itself.
    raw = Collect(level=logging.DEBUG)
    raw.setFormatter(logging.Formatter("raw %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.handlers.insert(0, raw)  # first, before any handler whose filter rewrites the record
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    root.removeHandler(raw)
    root.setLevel(old_level)


def _secrets(sim: IlsSimulator) -> dict[str, str]:
    with sim.library.lock:
        titles = {
            sim.library.items[i].title
            for i in (demo.AVAILABLE, demo.AVAILABLE_2, demo.ON_LOAN, demo.MAGNETIC)
        }
        names = {sim.library.patrons[p].name for p in (demo.NORMAL, demo.FEES)}
    found = {f"title {t}": t for t in titles} | {f"name {n}": n for n in names}
    return found | {"pass NORMAL": demo.NORMAL, "pass FEES": demo.FEES}


def test_a_day_of_use_leaves_no_personal_data(
    kiosk: Kiosk, sim: IlsSimulator, tmp_path: Path, kiosk_log: list[str]
) -> None:
    secrets = _secrets(sim)
    # Morning, online: borrow, renew, account, return.
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE), ev.Back(), ev.StartRenew())
    kiosk.do(
        ev.RenewItems((demo.ON_LOAN,)), ev.Back(), ev.ShowAccount(), ev.Finish(), ev.ReceiptChoice(False)
    )
    kiosk.do(ev.ItemPresented(demo.ON_HOLD_OTHER), ev.Finish(), ev.ReceiptChoice(False))
    # Afternoon, offline: loans and returns are queued.
    sim.stop()
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    kiosk.sign_in(demo.FEES, demo.FEES_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE_2), ev.ItemPresented("30301000599990"))
    kiosk.do(ev.Finish(), ev.ReceiptChoice(False))
    kiosk.do(ev.ItemPresented(demo.AVAILABLE), ev.Finish(), ev.ReceiptChoice(False))
    assert len(kiosk.store.outstanding()) == 3
    # Evening: the ILS is back, the queue replays; one loan (unknown item) is refused and kept.
    sim.start()
    kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.outstanding())
    assert [row.result_code for row in kiosk.store.all()] == ["checkout:refused"]
    # Nothing personal in the view once the session ended.
    assert kiosk.session.view.patron is None and kiosk.session.view.items == ()

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"queue.db", "queue.key"}
    blobs = {str(p): p.read_bytes() for p in files}
    log_text = "\n".join(kiosk_log)
    assert "SIP2" in log_text  # the log was captured at all
    for label, value in secrets.items():
        for path, blob in blobs.items():
            assert value.encode("utf-8") not in blob and value.encode("cp850") not in blob, (label, path)
        assert value not in log_text, label
    for pin in (demo.NORMAL_PIN, demo.FEES_PIN):
        assert not re.search(rf"(?<!\d){pin}(?!\d)", log_text)

    # Staff get two weeks; then the refused row is purged as well.
    assert kiosk.store.purge(now=time.time() + 13 * DAY) == 0
    assert kiosk.store.purge(now=time.time() + 15 * DAY) == 1
    assert kiosk.store.all() == []
