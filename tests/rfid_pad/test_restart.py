"""kill -9 between the ILS answer and the security write: after the restart the item is found lent with
its security still on, and handled (released when its tag is on the pad, else reported to staff)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.rfid.scenarios import item_blocks, memory
from drivers.rfid.sim_host import DeviceHost, make_device
from drivers.rfid.tagfield import TagField, VirtualTag
from kiosk.assembly import build_kiosk
from kiosk.config import parse_config
from kiosk.rfid.hub import PENDING_FILE
from kiosk.rfid.pending import PendingStore
from sip2.simulator import IlsSimulator
from tests.foundation.waiting import PATIENT_SIP2, WAIT_LIMIT

ROOT = Path(__file__).resolve().parents[2]
JAN, HET_DINER = "20301000010015", "30301000500013"
UID = "E004015031000013"


@pytest.fixture
def ils() -> Iterator[IlsSimulator]:
    sim = IlsSimulator(host="127.0.0.1", port=0)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def pad() -> Iterator[tuple[TagField, int]]:
    """A FEIG pad simulator over TCP that outlives the kiosk process (the tags keep their state)."""
    field = TagField([VirtualTag(UID, memory(item_blocks(HET_DINER)))])
    host = DeviceHost(make_device("feig", field))
    port = host.start_tcp()
    yield field, port
    host.stop()


def _config(tmp_path: Path, ils_port: int, pad_port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "file://{tmp_path}/receipts"\nrfid = "rfid+feig+tcp://127.0.0.1:{pad_port}"\n'
        f'terminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\nurl = "tcp://127.0.0.1:{ils_port}"\npassword = "demo"\n{PATIENT_SIP2}'
        f"[session]\npin = 'never'\n[rfid]\nown_isils = [\"NL-0001\"]\npoll_interval = 0.05\n"
    )
    return path


def _crash(tmp_path: Path, config: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-m", "tests.rfid_pad.crash_child", str(config), JAN],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=WAIT_LIMIT * 4,
        capture_output=True,
        text=True,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    records = PendingStore(tmp_path / PENDING_FILE).records()
    assert [(r.item_id, r.uids, r.wanted) for r in records] == [(HET_DINER, (UID,), "released")]
    lines = [json.loads(line) for line in (tmp_path / PENDING_FILE).read_text().splitlines()]
    assert all(set(line) <= {"item_id", "uids", "wanted", "since", "removed"} for line in lines)  # minimal


def _restart(config: Path) -> list[tuple[str, str]]:
    kiosk = build_kiosk(parse_config(config.read_text(), base_dir=config.parent))
    try:
        assert kiosk.pad.recovery_done.wait(WAIT_LIMIT)
        return list(kiosk.pad.recovered)
    finally:
        kiosk.stop()


def test_killed_after_the_ils_answer_the_tag_is_released_after_restart(
    tmp_path: Path, ils: IlsSimulator, pad: tuple[TagField, int]
) -> None:
    field, pad_port = pad
    config = _config(tmp_path, ils.port, pad_port)
    _crash(tmp_path, config)
    assert field.tag(UID).afi == 0x07  # lent in the ILS, security still on
    assert _restart(config) == [(HET_DINER, "released")]
    assert field.tag(UID).afi == 0xC2
    assert PendingStore(tmp_path / PENDING_FILE).records() == []
    assert (tmp_path / PENDING_FILE).read_text() == ""  # nothing pending: the journal is empty


def test_killed_and_the_item_gone_it_is_reported_after_restart(
    tmp_path: Path, ils: IlsSimulator, pad: tuple[TagField, int]
) -> None:
    field, pad_port = pad
    config = _config(tmp_path, ils.port, pad_port)
    _crash(tmp_path, config)
    field.remove(UID)  # the member walked off with it
    assert _restart(config) == [(HET_DINER, "reported")]
    assert field.tag(UID).afi == 0x07
