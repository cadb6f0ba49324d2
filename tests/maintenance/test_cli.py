"""``kiosk maintenance set-pin``: the PIN comes from stdin twice, never from a flag."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kiosk.cli import build_parser, main
from kiosk.maintenance.pin import PinHash


def run(monkeypatch: pytest.MonkeyPatch, stdin: str, argv: list[str]) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_set_pin_prints_a_config_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "246810\n246810\n", ["maintenance", "set-pin"]) == 0
    out = capsys.readouterr()
    line = out.out.strip()
    assert line.startswith('pin_hash = "scrypt$') and line.endswith('"')
    assert "246810" not in out.out + out.err
    assert PinHash.parse(line.split('"')[1]).matches("246810")


def test_set_pin_refuses_mismatch_and_bad_pins(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "246810\n246811\n", ["maintenance", "set-pin"]) == 2
    assert "differ" in capsys.readouterr().err
    assert run(monkeypatch, "12\n12\n", ["maintenance", "set-pin"]) == 2
    assert "4 to 32 digits" in capsys.readouterr().err
    assert run(monkeypatch, "", ["maintenance", "set-pin"]) == 2
    assert capsys.readouterr().out == ""


def test_set_pin_has_no_pin_flag() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["maintenance", "set-pin", "--pin", "1234"])


def test_status_prints_health_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The embedded ILS simulator (sim://) on loopback, a fake printer, no terminal.
    config = tmp_path / "config.toml"
    config.write_text(
        '[sip2]\nurl = "sim://"\n[devices]\nprinter = "fake://"\npass_readers = []\n'
        "[payment]\nenabled = false\n"
        '[store]\npath = "var/kiosk.db"\nkey_file = "var/queue.key"\n',
        encoding="utf-8",
    )
    assert run(monkeypatch, "", ["maintenance", "status", "--config", str(config)]) == 0
    health = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert health["ils_online"] is True
    assert health["queue_depth"] == 0 and health["queue_failed"] == 0
    assert health["devices"]["terminal"]["state"] == "disabled"
    assert "printer" in health["devices"]


def test_status_with_a_bad_config_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[maintenance]\nlockout_tries = 0\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        run(monkeypatch, "", ["maintenance", "status", "--config", str(config)])
    assert exc.value.code == 2
