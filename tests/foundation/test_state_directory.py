"""A read-only or unopenable state directory: ``kiosk run`` and ``kiosk queue status`` print one line
naming the path and the fix and exit 2; no traceback, and the queued transactions are still there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store.queue import CHECKIN, TransactionQueue

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-m", "kiosk"]
COMMANDS = (["queue", "status"], ["run", "--headless", "--exit-after", "1"])


def config_for(tmp_path: Path, state: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\npath = "{state}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        '[devices]\nprinter = "fake://"\n',
        encoding="utf-8",
    )
    return config


def check_one_clear_line(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "OperationalError" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if str(path) in line and "writable" in line]
    assert len(lines) == 1, result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=["queue-status", "run"])
def test_a_state_directory_that_is_a_file(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a directory", encoding="utf-8")
    config = config_for(tmp_path, blocker)
    result = subprocess.run(
        [*KIOSK, *command, "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    check_one_clear_line(result, blocker)
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def _namespace() -> list[str] | None:
    """A private mount namespace (as root, or as a mapped root in a user namespace), if allowed here."""
    if shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "--mount"], ["unshare", "--user", "--map-root-user", "--mount"]):
        if prefix[1] == "--mount" and os.geteuid() != 0:
            continue
        if subprocess.run([*prefix, "true"], capture_output=True, timeout=30).returncode == 0:
            return prefix
    return None


@pytest.mark.parametrize("command", COMMANDS, ids=["queue-status", "run"])
def test_a_read_only_state_directory_loses_nothing(tmp_path: Path, command: list[str]) -> None:
    prefix = _namespace()
    if prefix is None:
        pytest.skip("no mount namespace available for a read-only bind mount")
    state = tmp_path / "state"
    queue = TransactionQueue(state / "kiosk.db", tmp_path / "queue.key")
    queue.enqueue(CHECKIN, "ITEM-1")
    queue.close()
    config = config_for(tmp_path, state)
    argv = " ".join([*KIOSK, *command, "--config", str(config)])
    script = f"mount --bind {state} {state} && mount -o remount,ro,bind {state} && exec {argv}"
    result = subprocess.run(
        [*prefix, "sh", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    check_one_clear_line(result, state)
    queue = TransactionQueue(state / "kiosk.db", tmp_path / "queue.key")
    try:
        assert [row.item_id for row in queue.outstanding()] == ["ITEM-1"]
    finally:
        queue.close()
