"""``python -m sip2``: decode and checksum, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sip2", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_decode_masks_passwords_and_reports_checksums() -> None:
    result = run("decode", "9300CNscclient|COclientpwd|CPKIOSK1|AY0AZF1D4", "941AY0AZFDFE")
    assert result.returncode == 1  # the second frame has a wrong checksum
    login, reply = (json.loads(line) for line in result.stdout.splitlines())
    assert login["type"] == "LoginRequest" and login["fields"]["password"] == "***"
    assert login["fields"]["user_id"] == "scclient" and login["checksum_valid"] is True
    assert "clientpwd" not in result.stdout
    assert reply["fields"]["ok"] is True and reply["checksum_valid"] is False


def test_decode_from_stdin_and_garbage() -> None:
    result = run("decode", stdin="941\nXX junk\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["code"] == "94" and "error" in lines[1] and result.returncode == 1


def test_checksum() -> None:
    assert run("checksum", "9300CNscclient|COclientpwd|CPKIOSK1|AY0AZ").stdout.strip() == "F1D4"
    assert run("checksum", "97").stdout.strip() == "FEF5"
