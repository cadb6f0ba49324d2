"""``kiosk terminal``: JSON output and exit statuses against a simulator on 127.0.0.1 and on a pty."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.payment.link import Timers
from drivers.payment.sim_books import COMMITTED, REVERSED, Books
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator
from kiosk.cli import main
from kiosk.cli.terminal_cmd import parse_amount

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main()`` installs a stderr log handler bound to this test's captured stderr: remove it after."""
    import logging

    import kiosk.logsetup

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(kiosk.logsetup, "_configured", False)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TerminalSimulator]:
    """A simulator on TCP; the CLI runs in an empty directory (no config.toml)."""
    monkeypatch.chdir(tmp_path)
    # generous T3: the simulator waits that long for the CLI's answers (it is never silent on purpose)
    s = TerminalSimulator(SimSettings(password="000000", card_wait=0.2), Books(), Timers(t3=10.0, t4=10.0))
    s.url = f"zvt+tcp://127.0.0.1:{s.start_tcp()}"  # type: ignore[attr-defined]
    yield s
    s.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    status = main(["terminal", *argv])
    out = capsys.readouterr().out
    return status, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_parse_amount() -> None:
    assert parse_amount("2.50") == 250 and parse_amount("2,5") == 250 and parse_amount("3") == 300
    for bad in ("0", "-1", "2.505", "abc", "nan", "1e20"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_pay_status_reverse_repeat_end_of_day(
    sim: TerminalSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sim.url  # type: ignore[attr-defined]
    status, out = run(capsys, "status", "--url", url)
    assert status == 0 and out == [
        {"status": "00", "ready": True, "key": "terminal_ready", "sw": "kiosk-sim 1.0"}
    ]
    status, out = run(capsys, "pay", "12,50", "--url", url)
    assert status == 0 and out[0]["outcome"] == "approved_committed" and out[0]["amount"] == 1250
    assert "receipt_pan" not in out[0]
    status, out = run(capsys, "repeat-receipt", "--url", url)
    assert status == 0 and out[0]["receipt_no"] == 1
    status, out = run(capsys, "reverse", "1", "--url", url)
    assert status == 0 and out[0]["outcome"] == "approved_reversed"
    status, out = run(capsys, "reverse", "1", "--url", url)
    assert status == 1 and out[0]["result_code"] == "B4"
    status, out = run(capsys, "pay", "3.00", "--url", url, "--decision", "reverse")
    assert status == 1 and out[0]["outcome"] == "approved_reversed"
    status, out = run(capsys, "end-of-day", "--url", url)
    assert status == 0 and out[0]["ok"] is True and out[0]["total"] == 0
    assert [(t.amount, t.state) for t in sim.books.payments()] == [(1250, REVERSED), (300, REVERSED)]


def test_declined_cancelled_and_unknown_exit_statuses(
    sim: TerminalSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sim.url  # type: ignore[attr-defined]
    sim.push("decline", "cancel")
    assert run(capsys, "pay", "1", "--url", url)[0] == 1
    assert run(capsys, "pay", "1", "--url", url)[1][0]["outcome"] == "cancelled"
    sim.push("no_ack")
    status, out = run(capsys, "pay", "1", "--url", url)
    assert status == 3 and out[0]["outcome"] == "unknown"


def exit_status(*argv: str) -> int:
    """The exit status of ``kiosk terminal ...``, whether returned or raised (argparse, config)."""
    try:
        return main(["terminal", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_usage_and_connection_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert exit_status("pay", "abc", "--url", "fake://") == 2
    assert exit_status("status", "--url", "nonsense") == 2
    assert exit_status("status") == 2  # no --url, no config file
    assert exit_status("reverse", "x", "--url", "fake://") == 2
    assert exit_status("simulate", "--scenario", "explode") == 2
    (tmp_path / "pw").write_text("12ab\n")
    assert exit_status("status", "--url", "fake://", "--password-file", str(tmp_path / "pw")) == 2
    assert exit_status("status", "--url", "fake://", "--password-file", str(tmp_path / "missing")) == 2
    assert exit_status("status", "--url", "zvt+tcp://127.0.0.1:1") == 3


def test_config_and_password_file(
    sim: TerminalSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[devices]\nterminal = "{sim.url}"\n[payment]\nterminal_password = "654321"\n')  # type: ignore[attr-defined]
    status, out = run(capsys, "status", "--config", str(config))
    assert status == 1 and out[0]["error"] == "refused"  # the simulator's password is 000000
    (tmp_path / "pw").write_text("000000\n")
    status, out = run(capsys, "pay", "0.10", "--config", str(config), "--password-file", str(tmp_path / "pw"))
    assert status == 0 and out[0]["outcome"] == "approved_committed"
    assert "654321" not in capsys.readouterr().err and "000000" not in json.dumps(out)


@pytest.mark.parametrize("where", [["--pty"], ["--tcp", "0"]])
def test_simulate_process(where: list[str], tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "terminal",
            "simulate",
            *where,
            "--state",
            str(state),
            "--step-delay",
            "0",
            *(["--strict-ack"] if where == ["--pty"] else []),  # the driver against a strict terminal
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        # bounded: a simulator that never starts fails here instead of hanging the suite
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the simulator printed no address within 60 s"
        hello = json.loads(proc.stdout.readline())
        assert hello["listening"] == where[0].lstrip("-")
        url = hello["url"]
        pay = subprocess.run(
            [sys.executable, "-m", "kiosk", "terminal", "pay", "4.20", "--url", url],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert pay.returncode == 0, pay.stderr
        assert json.loads(pay.stdout)["outcome"] == "approved_committed"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    books = Books(state)
    assert [(t.amount, t.state, t.receipt_no) for t in books.payments()] == [(420, COMMITTED, 1)]
