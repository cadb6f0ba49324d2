"""``kiosk queue status|list|replay|purge`` on a real queue file and a simulator over TCP."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.store import CHECKIN, CHECKOUT, TransactionQueue
from sip2.simulator import IlsSimulator, demo

DAY = 86400


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[sip2]\nurl = "tcp://127.0.0.1:{port}"\nuser = "kiosk"\npassword = "demo"\n'
        f'[store]\npath = "{tmp_path / "kiosk.db"}"\nkey_file = "{tmp_path / "queue.key"}"\n'
        "retention_days = 14\n"
    )
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], out + err


def test_status_list_replay_purge(
    sim: IlsSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, sim.port))
    queue = TransactionQueue(tmp_path / "kiosk.db", tmp_path / "queue.key")
    queue.enqueue(CHECKOUT, demo.AVAILABLE, demo.NORMAL, time.time() - 600)
    queue.enqueue(CHECKOUT, "30301000599990", demo.NORMAL)  # unknown item: refused
    queue.enqueue(CHECKIN, demo.ON_LOAN)
    queue.close()

    code, [status], _ = _run(capsys, "queue", "status", "--config", config)
    assert code == 0 and (status["queued"], status["sending"], status["failed"]) == (3, 0, 0)
    assert status["oldest_waiting"]
    code, rows, text = _run(capsys, "queue", "list", "--config", config)
    assert code == 0 and [r["kind"] for r in rows] == ["checkout", "checkout", "checkin"]
    assert demo.NORMAL not in text and str(rows[0]["pass_hash"]).startswith("#")

    code, [report], _ = _run(capsys, "queue", "replay", "--config", config)
    assert code == 1  # one transaction refused by the ILS
    assert (report["confirmed"], report["failed"], report["remaining"]) == (2, 1, 0)
    with sim.library.lock:
        assert sim.library.loans[demo.AVAILABLE].patron_id == demo.NORMAL
        assert demo.ON_LOAN not in sim.library.loans
    code, rows, _ = _run(capsys, "queue", "list", "--state", "failed", "--config", config)
    assert [(r["item_id"], r["result_code"]) for r in rows] == [("30301000599990", "checkout:refused")]

    code, [purged], _ = _run(capsys, "queue", "purge", "--config", config)
    assert code == 0 and purged["purged"] == 0 and purged["failed"] == 1  # within retention
    code, [purged], _ = _run(capsys, "queue", "purge", "--all-failed", "--config", config)
    assert purged["purged"] == 1 and purged["failed"] == 0
    code, [report], _ = _run(capsys, "queue", "replay", "--config", config)
    assert code == 0 and report["remaining"] == 0


def test_replay_without_the_ils_and_without_the_key(
    sim: IlsSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path, sim.port))
    queue = TransactionQueue(tmp_path / "kiosk.db", tmp_path / "queue.key")
    queue.enqueue(CHECKIN, demo.ON_LOAN)
    queue.close()
    sim.stop()
    code, _, text = _run(capsys, "queue", "replay", "--config", config)
    assert code == 3 and "cannot be reached" in text
    (tmp_path / "queue.key").unlink()
    code, _, text = _run(capsys, "queue", "status", "--config", config)
    assert code == 2 and "key file is missing" in text
