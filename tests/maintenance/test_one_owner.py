"""One process owns the devices and the journals: ``kiosk run`` holds an exclusive lock on the state
directory; a second kiosk is refused, and ``kiosk maintenance status`` asks the running kiosk (its local
health endpoint) or refuses, never building a second payment worker beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.cli import main
from kiosk.config import load_config
from kiosk.payments import worker as payments
from kiosk.store.statelock import KioskRunningError, running_owner

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[store]\npath = "{tmp_path}/state/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\npassword = "demo"\n{extra}',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Kiosk, Path]]:
    config = write_config(tmp_path)
    kiosk = build_kiosk(load_config(config), readers=False)
    yield kiosk, config
    kiosk.stop()


@pytest.fixture
def payment_workers(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    built: list[object] = []
    original = payments.PaymentWorker.__init__

    def counting(self: payments.PaymentWorker, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(payments.PaymentWorker, "__init__", counting)
    return built


def test_the_running_kiosk_holds_the_state_directory(running: tuple[Kiosk, Path], tmp_path: Path) -> None:
    kiosk, config = running
    assert running_owner(tmp_path / "state") == os.getpid()
    with pytest.raises(KioskRunningError, match="already running"):
        build_kiosk(load_config(config), readers=False)
    kiosk.stop()
    assert running_owner(tmp_path / "state") is None  # released with the kiosk
    build_kiosk(load_config(config), readers=False).stop()


def test_a_second_kiosk_run_exits_2_with_one_line(running: tuple[Kiosk, Path]) -> None:
    _kiosk, config = running
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--headless", "--exit-after", "1", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "already running" in result.stderr and "Traceback" not in result.stderr


def test_maintenance_status_refuses_beside_a_running_kiosk(
    running: tuple[Kiosk, Path], payment_workers: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    _kiosk, config = running
    assert main(["maintenance", "status", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "the kiosk is running" in err and "metrics_port" in err
    assert payment_workers == []  # no second worker: no recovery, Registration or Log-Off on its terminal


class _Health(BaseHTTPRequestHandler):
    """Stands in for the running kiosk's /healthz on its metrics listener."""

    def do_GET(self) -> None:
        body = json.dumps({"ils_online": True, "queue_depth": 3}).encode()
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def test_maintenance_status_reads_the_running_kiosk(
    tmp_path: Path, payment_workers: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = write_config(tmp_path, f"[monitoring]\nmetrics_port = {server.server_address[1]}\n")
        kiosk = build_kiosk(load_config(config), readers=False)
        try:
            payment_workers.clear()
            assert main(["maintenance", "status", "--config", str(config)]) == 0
        finally:
            kiosk.stop()
    finally:
        server.shutdown()
        server.server_close()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["queue_depth"] == 3
    assert payment_workers == []
