"""``kiosk maintenance set-pin``: the PIN comes from stdin twice, never from a flag."""

from __future__ import annotations

import io

import pytest

from kiosk.cli import build_parser, main
from kiosk.maintenance.pin import PinHash


def run(monkeypatch: pytest.MonkeyPatch, stdin: str, argv: list[str]) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_set_pin_prints_a_config_line(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "246810\n246810\n", ["maintenance", "set-pin"]) == 0
    out = capsys.readouterr()
    line = out.out.strip()
    assert line.startswith('pin_hash = "scrypt$') and line.endswith('"')
    assert "246810" not in out.out + out.err
    assert PinHash.parse(line.split('"')[1]).matches("246810")


def test_set_pin_refuses_mismatch_and_bad_pins(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "246810\n246811\n", ["maintenance", "set-pin"]) == 2
    assert "differ" in capsys.readouterr().err
    assert run(monkeypatch, "12\n12\n", ["maintenance", "set-pin"]) == 2
    assert "4 to 32 digits" in capsys.readouterr().err
    assert run(monkeypatch, "", ["maintenance", "set-pin"]) == 2
    assert capsys.readouterr().out == ""


def test_set_pin_has_no_pin_flag() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["maintenance", "set-pin", "--pin", "1234"])
