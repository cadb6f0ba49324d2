"""Fixtures for ``kiosk sip2`` tests: a simulator on a free port and a runner for the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sip2.simulator import IlsSimulator

PASSWORD = "s3cret-ils-pw"
# Generous ILS timeouts for every config the tests write: the command runs in a fresh interpreter on a
# possibly loaded machine, and connect_timeout bounds TCP + TLS + login + status together. Tests that
# want a timeout pass --timeout against a simulator that never answers.
PATIENT = "connect_timeout = 15.0\nread_timeout = 15.0\n"


@dataclass
class CliResult:
    """What one ``python -m kiosk sip2 ...`` run produced."""

    status: int
    out: dict[str, Any]
    stdout: str
    stderr: str


@pytest.fixture
def sim() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users={"kiosk": PASSWORD}).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def workdir(tmp_path: Path, sim: IlsSimulator) -> Path:
    """A directory with a config.toml pointing at ``sim`` (password from a file)."""
    (tmp_path / "ils-password").write_text(PASSWORD + "\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'[sip2]\nurl = "tcp://127.0.0.1:{sim.port}"\nuser = "kiosk"\npassword_file = "ils-password"\n'
        'institution = "WIERDEN"\nlocation = "KIOSK1"\n' + PATIENT,
        encoding="utf-8",
    )
    return tmp_path


def run_cli(cwd: Path, *args: str, stdin: str | None = None) -> CliResult:
    """Run ``python -m kiosk sip2 ARGS`` in *cwd*; stdout must be exactly one JSON object."""
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "sip2", *args],
        cwd=cwd,
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    out = json.loads(lines[0]) if len(lines) == 1 else {}
    assert len(lines) <= 1, proc.stdout
    return CliResult(proc.returncode, out, proc.stdout, proc.stderr)


@pytest.fixture
def cli(workdir: Path) -> Any:
    """``cli("checkout", PASS, ITEM)`` runs the command against ``sim`` via the config file."""

    def run(*args: str, stdin: str | None = None) -> CliResult:
        return run_cli(workdir, *args, stdin=stdin)

    return run
