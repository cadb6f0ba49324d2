"""Deleted personal data is gone from disk: after a day of use (an offline loan replayed and deleted, a
fee paid whose encrypted pass number is wiped when final) neither ``kiosk.db`` nor ``kiosk.db-wal`` still
holds any encrypted pass number the kiosk wrote, while it runs and after it stops; purges scrub too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.store import crypto
from kiosk.store.queue import CHECKOUT, TransactionQueue

from .test_privacy_day import JAN, JAN_PIN, SANNE, SANNE_PIN, act, end_session, identify
from .waiting import PATIENT_SIP2, wait_for

HET_DINER = "30301000500013"


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """Every encrypted pass number any part of the kiosk writes (queue and payment journal)."""
    blobs: list[bytes] = []
    encrypt = crypto.PassCipher.encrypt

    def recording(self: crypto.PassCipher, pass_number: str, txn_id: str) -> bytes:
        blob = encrypt(self, pass_number, txn_id)
        blobs.append(blob)
        return blob

    monkeypatch.setattr(crypto.PassCipher, "encrypt", recording)
    yield blobs


def on_disk(data: Path, blobs: list[bytes]) -> list[str]:
    """Which files hold which blob (the ciphertext part, past the nonce, is what must be gone)."""
    found = []
    for name in ("kiosk.db", "kiosk.db-wal"):
        path = data / name
        raw = path.read_bytes() if path.exists() else b""
        found += [f"{name}: blob {i}" for i, blob in enumerate(blobs) if blob[crypto.NONCE_BYTES :] in raw]
    return found


def test_a_day_leaves_no_deleted_pass_number_in_the_files(tmp_path: Path, written: list[bytes]) -> None:
    data = tmp_path / "var"
    config = parse_config(
        f'[store]\npath = "{data}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}[session]\npin = "always"\n',
        base_dir=tmp_path,
    )
    kiosk: Kiosk = build_kiosk(config)
    try:
        wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
        identify(kiosk, SANNE, SANNE_PIN)  # pay a fee: the journal's encrypted pass is wiped when final
        act(kiosk, ev.ShowAccount())
        wait_for(kiosk, lambda: kiosk.runtime.view.account is not None, "account")
        act(kiosk, ev.StartPay())
        act(kiosk, ev.PayFees(("900002",)))
        wait_for(kiosk, lambda: kiosk.runtime.view.payments, "fee paid")
        end_session(kiosk)
        kiosk.ils_simulator.stop()  # an outage: an offline loan is queued with the encrypted pass
        wait_for(kiosk, lambda: not kiosk.circulation.online, "offline")
        act(kiosk, ev.PassPresented(JAN))
        act(kiosk, ev.PinEntered(JAN_PIN))
        wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu (offline)")
        act(kiosk, ev.StartBorrow())
        act(kiosk, ev.ItemPresented(HET_DINER))
        wait_for(kiosk, lambda: kiosk.circulation.store.waiting_count() == 1, "loan queued")
        end_session(kiosk)
        kiosk.ils_simulator.start()  # back: replayed, confirmed, the row deleted
        wait_for(kiosk, lambda: kiosk.circulation.store.waiting_count() == 0, "queue replayed")
        wait_for(kiosk, lambda: kiosk.payments.idle, "payments idle")
        assert len(written) >= 2  # the audit saw both kinds of write
        # While the kiosk runs: the replay deletes the row, then scrubs the WAL — the queue may read
        # empty a moment before the scrub, so wait for it (bounded) rather than look once.
        wait_for(kiosk, lambda: on_disk(data, written) == [], "the WAL scrubbed after the replay")
    finally:
        kiosk.stop()
    assert on_disk(data, written) == []
    wal = data / "kiosk.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_purge_scrubs_the_wal(tmp_path: Path, written: list[bytes]) -> None:
    queue = TransactionQueue(tmp_path / "kiosk.db", tmp_path / "queue.key", retention_days=1)
    try:
        row = queue.enqueue(CHECKOUT, "ITEM-1", "20301000010015")
        queue.fail(row.txn_id, "checkout:refused")
        assert on_disk(tmp_path, written)  # in the WAL until it is scrubbed
        assert queue.purge(now=float("inf")) == 1
        assert on_disk(tmp_path, written) == []
        assert (tmp_path / "kiosk.db-wal").stat().st_size == 0
    finally:
        queue.close()
