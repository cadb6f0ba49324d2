"""``python -m sip2.simulator`` as a subprocess: prints where it listens, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from sip2.messages import CheckoutRequest, CheckoutResponse
from sip2.simulator import demo as d
from tests.simulator.rawsip import SipSocket


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sip2.simulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    return proc, json.loads(line)


def test_serves_until_sigterm_and_keeps_state(tmp_path: Path) -> None:
    state = tmp_path / "ils.json"
    proc, info = _start("--user", "kiosk=secret", "--state-file", str(state), "--fault", "crlf")
    try:
        assert info["host"] == "127.0.0.1" and info["listening"] == f"tcp://127.0.0.1:{info['port']}"
        assert info["users"] == ["kiosk"] and info["faults"] == {"crlf": True}
        conn = SipSocket(int(info["port"]))  # type: ignore[call-overload]
        assert conn.login("kiosk", "secret")
        reply = conn.call(
            CheckoutRequest(institution_id=d.INSTITUTION, patron_id=d.NORMAL, item_id=d.AVAILABLE)
        )
        assert isinstance(reply, CheckoutResponse) and reply.ok
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert any(loan["item_id"] == d.AVAILABLE for loan in saved["loans"])


def test_bad_arguments_exit_2() -> None:
    for args in (["--fault", "teleport"], ["--host", "0.0.0.0"], ["--user", "nopassword"]):
        result = subprocess.run(
            [sys.executable, "-m", "sip2.simulator", "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 2, args
        assert result.stdout == ""


def test_tls_certificate_option(tmp_path: Path) -> None:
    from sip2.client import ClientSettings, Sip2Client
    from tests.simulator.tlscert import make_certificate

    cert, key = make_certificate(tmp_path)
    proc, info = _start("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert str(info["listening"]).startswith("tls://")
        settings = ClientSettings(
            host="127.0.0.1",
            port=int(info["port"]),
            user="kiosk",
            password="demo",  # type: ignore[call-overload]
            keepalive_interval=0,
            connect_timeout=15.0,  # the default 1.5 s bounds TCP + TLS + login: too tight on loaded CI
            read_timeout=15.0,
            tls=True,
            tls_ca_file=str(cert),
        )
        with Sip2Client(settings) as client:
            assert client.item_information(d.AVAILABLE).circulation_status == "03"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
