"""sd_notify over a real unix datagram socket: the protocol, and `kiosk run --headless` as systemd's
Type=notify service sees it (READY after the first ILS contact, WATCHDOG pings, STOPPING)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import sdnotify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(60)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_ready_watchdog_stopping_arrive_as_datagrams(notify_socket: socket.socket) -> None:
    assert sdnotify.ready("ILS offline, queueing")
    assert notify_socket.recv(4096) == b"READY=1\nSTATUS=ILS offline, queueing"
    assert sdnotify.watchdog()
    assert notify_socket.recv(4096) == b"WATCHDOG=1"
    assert sdnotify.stopping()
    assert notify_socket.recv(4096) == b"STOPPING=1"


def test_abstract_socket_names_are_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(60)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.ready()
        assert sock.recv(4096) == b"READY=1"


def test_without_systemd_everything_is_a_quiet_no_op(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not sdnotify.ready() and not sdnotify.watchdog()
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))  # systemd went away: no exception
    assert not sdnotify.watchdog()


def test_watchdog_interval_is_half_of_watchdogsec_and_only_for_our_pid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert sdnotify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "1")  # another process's watchdog
    assert sdnotify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getppid()))  # cage, our parent, is the main process
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval() == 15.0


def _demo_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        (ROOT / "config.toml")
        .read_text(encoding="utf-8")
        .replace('"file://var/receipts"', f'"file://{tmp_path}/receipts"')
        .replace('"var/queue.key"', f'"{tmp_path}/keys/queue.key"')
    )  # not in the state dir
    return config


def test_headless_kiosk_is_ready_after_first_contact_pings_and_says_stopping(
    notify_socket: socket.socket, tmp_path: Path
) -> None:
    config = _demo_config(tmp_path)
    state = tmp_path / "state"
    state.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_CONFIG")}
    # What systemd sets for Type=notify, WatchdogSec=2 and StateDirectory=; the config comes from
    # $KIOSK_CONFIG, not --config.
    env.update(
        NOTIFY_SOCKET=os.environ["NOTIFY_SOCKET"],
        WATCHDOG_USEC="2000000",
        STATE_DIRECTORY=str(state),
        KIOSK_CONFIG=str(config),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--headless",
            "--status-interval",
            "30",
            "--exit-after",
            "600",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        messages = []
        while "READY=1" not in "".join(messages):
            messages.append(notify_socket.recv(4096).decode())
        pings = 0
        while pings < 3:  # pings keep coming between status lines, every WatchdogSec/2
            pings += notify_socket.recv(4096) == b"WATCHDOG=1"
        # [store] paths in the config are relative: under systemd they land in $STATE_DIRECTORY.
        assert (state / "var" / "kiosk.db").exists()
        assert not (tmp_path / "var").exists()
        proc.send_signal(signal.SIGTERM)
        while (message := notify_socket.recv(4096)) != b"STOPPING=1":
            assert message == b"WATCHDOG=1"
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


_KIVY_CHILD = """
import os, threading, time
os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", KIVY_LOG_MODE="PYTHON")
from kiosk import sdnotify
from kiosk.ui import kivy_settings
kivy_settings()

class Circulation:
    first_contact = threading.Event()
    online = False

class Kiosk:
    circulation = Circulation()

sdnotify.on_kivy_clock(Kiosk(), timeout=600)
from kivy.clock import Clock
Clock.schedule_once(lambda _dt: Circulation.first_contact.set(), 0.5)  # the ILS attempt ends later
deadline = time.monotonic() + 600
while time.monotonic() < deadline:  # the UI thread's frames
    Clock.tick()
    time.sleep(0.01)
"""


def test_ui_clock_sends_ready_after_first_contact_and_pings(notify_socket: socket.socket) -> None:
    env = dict(os.environ, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KIVY_CHILD],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        messages: list[bytes] = []
        while b"READY=1" not in messages:
            messages.append(notify_socket.recv(4096).split(b"\n")[0])
        # Pings come from Kivy's clock (every WatchdogSec/2) before and after readiness.
        while messages.count(b"WATCHDOG=1") < 3:
            messages.append(notify_socket.recv(4096))
    finally:
        proc.kill()
        proc.wait()
