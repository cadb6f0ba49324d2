"""``kiosk rfid`` for technicians: JSON lines on stdout, exit statuses, the simulator as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.rfid import open_reader
from drivers.rfid.scenarios import make_field
from drivers.rfid.sim_host import DeviceHost, make_device
from kiosk.cli import main
from kiosk.cli.rfid_cmd import describe_tag
from tests.rfid.conftest import ANSWER_TIMEOUT

ONE = "E004015000000001"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_config_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_list_and_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rfid", "list", "--url", "rfid+sim://?scenario=stack3"]) == 0
    assert [o["uid"] for o in lines(capsys)] == [f"E004015000{i:06X}" for i in (1, 2, 3)]
    assert (
        main(
            [
                "rfid",
                "read",
                "e0:04:01:50:00:00:00:01",
                "--url",
                "rfid+sim://?scenario=blank_tag",
                "--count",
                "2",
            ]
        )
        == 0
    )
    assert lines(capsys) == [{"uid": ONE, "first": 0, "blocks": ["00000000", "00000000"]}]


def test_dump_is_read_only_and_shows_the_raw_blocks_in_tag_order(capsys: pytest.CaptureFixture[str]) -> None:
    field_host = DeviceHost(make_device("feig", make_field("reversed_blocks")))
    try:
        url = f"rfid+feig://{field_host.start_pty()}?timeout={ANSWER_TIMEOUT}"
        before = bytes(field_host.device.field.tag(ONE).blocks)
        assert main(["rfid", "dump", "--url", url, "--blocks"]) == 0
        (out,) = lines(capsys)
        assert (out["uid"], out["afi"], out["eas"], out["block_count"]) == (ONE, "0x07", True, 32)
        blocks = out["blocks"]
        assert isinstance(blocks, list) and len(blocks) == 32
        assert "".join(blocks) == before.hex().upper()  # as stored on the tag, FEIG's wire order undone
        assert bytes(field_host.device.field.tag(ONE).blocks) == before
        assert not [c for c in field_host.device.field.commands if c[0].startswith(("write", "set", "reset"))]
    finally:
        field_host.stop()


def test_dump_names_what_the_models_recognise(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("drivers.rfid.models", reason="drivers.rfid.models (other helper) not merged yet")
    assert main(["rfid", "dump", "--url", "rfid+sim://?scenario=foreign_isil", "--own-isil", "NL-0001"]) == 0
    out = lines(capsys)
    assert out[0]["uid"] == "E0040150338607AE"
    assert "1003011860976002" in json.dumps(out[0]) or out[0].get("kind") == "Foreign"


def test_describe_tag_without_models_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *a: object) -> object:
        if name == "drivers.rfid.models":
            raise ModuleNotFoundError(name)
        return real(name, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", fake)
    assert describe_tag(bytes(32), ())["model"] is None


@pytest.mark.parametrize("security", ["afi", "eas", "afi+eas"])
def test_release_secure_verify(capsys: pytest.CaptureFixture[str], security: str) -> None:
    url = "rfid+sim://?scenario=single_book"  # every command opens a fresh field: check each one's own answer
    assert main(["rfid", "release", ONE, "--url", url, "--security", security]) == 0
    (out,) = lines(capsys)
    assert out["released"] is True and out["action"] == "release"
    assert out["afi"] == ("0xC2" if "afi" in security else None)
    assert main(["rfid", "verify", ONE, "--url", url, "--security", security, "--expect", "secured"]) == 0
    assert main(["rfid", "verify", ONE, "--url", url, "--security", security, "--expect", "released"]) == 1
    argv = ["rfid", "secure", ONE, "--url", url, "--security", security, "--afi-in-library", "0x07"]
    assert main(argv) == 0


def test_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rfid", "list"]) == 2  # no URL
    assert main(["rfid", "list", "--url", "rfid+sim://?scenario=nope"]) == 2
    assert main(["rfid", "read", "E004", "--url", "rfid+sim://"]) == 2
    assert main(["rfid", "list", "--url", "rfid+feig:///dev/no-such-reader"]) == 3
    assert (
        main(
            [
                "rfid",
                "release",
                ONE,
                "--url",
                "rfid+sim://?scenario=eas_password_protected",
                "--security",
                "eas",
            ]
        )
        == 1
    )
    assert lines(capsys)[-1]["error"] == "TagLocked"
    assert main(["rfid", "read", ONE, "--url", "rfid+sim://?scenario=empty"]) == 1
    assert main(["rfid", "simulate", "--kind", "3m", "--tcp", "0"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["rfid", "release", ONE, "--url", "rfid+sim://", "--afi-on-loan", "0x1C2"])
    assert exc.value.code == 2


def test_watch_reports_tags_arriving(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rfid", "watch", "--url", "rfid+sim://?scenario=stack3", "--count", "3", "--interval", "0"]
    assert main(argv) == 0
    assert [(o["event"], o["uid"]) for o in lines(capsys)] == [
        ("tag_added", f"E004015000{i:06X}") for i in (1, 2, 3)
    ]


@pytest.mark.parametrize(("kind", "tcp"), [("feig", False), ("feig", True), ("3m", False)])
def test_simulate_runs_a_reader_drivers_can_use(kind: str, tcp: bool) -> None:
    argv = [
        sys.executable,
        "-m",
        "kiosk",
        "rfid",
        "simulate",
        "--kind",
        kind,
        "--scenario",
        "set_2_of_3",
        "--strict",
    ] + (["--tcp", "0"] if tcp else [])
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["tags"] == ["E004015000000001", "E004015000000002"]
        reader = open_reader(f"{first['url']}?timeout={ANSWER_TIMEOUT}")
        try:
            assert reader.inventory() == first["tags"]
            assert reader.read_blocks("E004015000000002", 0, 1)[1:3] == b"\x03\x02"  # part 2 of 3
        finally:
            reader.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_dump_prints_the_fields_of_what_detect_returns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The models package's API (detect → TagData | Unknown | Blank | Foreign), stood in by a stub module
    until it is merged: dump prints the named fields, or the kind and ISIL."""
    import types
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class TagData:
        model: str
        variant: str
        item_id: str
        owner_isil: str
        country: str
        parts_in_set: int
        part_number: int
        usage: str

    @dataclass(frozen=True)
    class Foreign:
        isil: str

    @dataclass(frozen=True)
    class Blank:
        pass

    seen: list[tuple[bytes, tuple[str, ...]]] = []

    def detect(blocks: bytes, *, own_isils: tuple[str, ...] = ()) -> object:
        seen.append((blocks, own_isils))
        if blocks == bytes(32):
            return Blank()
        if blocks[21:23] == b"NO":
            return Foreign("NO-02030000")
        return TagData(
            "danish", "iso28560-3", blocks[3:19].rstrip(b"\0").decode(), "NL-0001", "NL", 3, 2, "circulation"
        )

    stub = types.ModuleType("drivers.rfid.models")
    stub.detect = detect  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "drivers.rfid.models", stub)
    for scenario in ("set_2_of_3", "foreign_isil", "blank_tag"):
        url = f"rfid+sim://?scenario={scenario}"
        assert main(["rfid", "dump", "--url", url, "--own-isil", "NL-0001"]) == 0
    out = lines(capsys)
    assert {
        k: out[1][k]
        for k in (
            "model",
            "variant",
            "item_id",
            "owner_isil",
            "country",
            "parts_in_set",
            "part_number",
            "usage",
        )
    } == {
        "model": "danish",
        "variant": "iso28560-3",
        "item_id": "30001000000777",
        "owner_isil": "NL-0001",
        "country": "NL",
        "parts_in_set": 3,
        "part_number": 2,
        "usage": "circulation",
    }
    assert (out[2]["kind"], out[2]["isil"]) == ("Foreign", "NO-02030000")
    assert out[4]["kind"] == "Blank" and out[4]["model"] is None
    assert all(len(blocks) == 32 and isils == ("NL-0001",) for blocks, isils in seen)
