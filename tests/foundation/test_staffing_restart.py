"""Clean power cycle (issue 17): a kiosk killed with SIGKILL at the very moment a technician switches it
to "closed" starts again closed, with its offline queue intact — whether the override was kept on disk
yet or not (the request stays until it is)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.assembly import build_kiosk
from kiosk.config import load_config
from kiosk.health import KioskHealth
from kiosk.store.queue import TransactionQueue

from .waiting import wait_for

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing answers, the queue stays queued


@pytest.mark.parametrize("when", ["before", "after"])
def test_sigkill_at_the_mode_switch_keeps_the_mode_and_the_queue(tmp_path: Path, when: str) -> None:
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\nurl = "tcp://127.0.0.1:{_dead_port()}"\n',
        encoding="utf-8",
    )
    config = load_config(config_path)
    store = TransactionQueue.from_config(config.store)
    for n in range(3):
        store.enqueue("checkin", f"3030100050{n:04d}")
    store.close()

    child = subprocess.run(
        [sys.executable, str(HERE / "staffing_child.py"), str(config_path), when],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=180,
        capture_output=True,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode(errors="replace")[-2000:]

    kiosk = build_kiosk(config, readers=False)
    try:
        wait_for(kiosk, lambda: kiosk.runtime.view.service.closed, "closed after the restart")
        snapshot = KioskHealth(kiosk).snapshot()
        assert snapshot.service_mode == "closed"
        assert snapshot.queue_depth == 3
        assert snapshot.service_hours["override_until"] is not None
        assert (tmp_path / "staffing-override.json").exists()
        wait_for(kiosk, lambda: not (tmp_path / "staffing-request.json").exists(), "request done with")
    finally:
        kiosk.stop()
