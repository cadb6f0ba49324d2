"""``kiosk reader`` and ``kiosk printer`` for technicians: JSON lines on stdout, exit statuses."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from drivers.cardreader.pcscd_runner import PcscdRunner
from drivers.cardreader.virtual import VirtualCardSpec, VirtualPass
from kiosk.cli import main

from .printer_sim import PrinterSim


@pytest.fixture(autouse=True)
def no_config_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.toml: --url alone must be enough


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_reader_watch_masks_the_pass_number(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "reader",
        "watch",
        "--url",
        "fake://",
        "--simulate",
        "20105000000011",
        "--simulate",
        "20105000000012",
    ]
    assert main([*argv, "--count", "2"]) == 0
    out = lines(capsys)
    presented = [o for o in out if o["event"] == "pass_presented"]
    assert [(o["pass_number"], o["valid"], o["rule"]) for o in presented] == [
        ("**********0011", True, "fake"),
        ("**********0012", False, "fake"),
    ]
    assert "20105000000011" not in json.dumps(out)


def test_printer_test_and_status_with_a_file_printer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["printer", "test", "--url", f"file://{tmp_path}/r", "--width", "32", "--language", "en"]) == 0
    )
    (result,) = lines(capsys)
    assert result["printed"] is True and result["paper"] == "ok"
    text = Path(str(result["file"])).read_text(encoding="utf-8")
    assert "Borrowed (1)" in text and "ïdeeën" in text and max(len(x) for x in text.splitlines()) <= 32
    assert main(["printer", "status", "--url", "fake://"]) == 0
    assert lines(capsys)[0]["can_print"] is True


def test_printer_exit_statuses(free_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "status", "--url", f"escpos+tcp://127.0.0.1:{free_port}?timeout=1"]) == 3
    assert lines(capsys)[0]["online"] is False
    assert main(["printer", "test", "--url", f"escpos+tcp://127.0.0.1:{free_port}?timeout=1"]) == 3
    assert main(["printer", "status", "--url", "escpos+tcp://h:1", "--width", "40"]) == 2
    assert "width 40" in capsys.readouterr().err
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    sim = PrinterSim(paper="out")
    thread = threading.Thread(target=sim.serve_tcp, args=(server,), daemon=True)
    thread.start()
    try:
        url = f"escpos+tcp://127.0.0.1:{server.getsockname()[1]}?timeout=15"  # generous: a loaded CI box
        assert main(["printer", "status", "--url", url]) == 1
        assert lines(capsys)[0]["paper"] == "out"
    finally:
        sim.stop.set()
        thread.join()
        server.close()


@pytest.mark.pcsc
def test_reader_list_and_watch_over_pcsc(pcscd: PcscdRunner, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reader", "list", "--url", "pcsc://PCD 00 01"]) == 0
    listed = {str(o["reader"]): o["watched"] for o in lines(capsys)}
    assert listed == {"Virtual PCD 00 00": False, "Virtual PCD 00 01": True}
    card = VirtualPass(VirtualCardSpec(ndef_text="20105000000011"))
    card.insert()
    try:
        code = main(
            ["reader", "watch", "--url", "pcsc://Virtual PCD 00 00", "--rule", "ndef", "--count", "1"]
        )
    finally:
        card.remove()
        pcscd.wait_until_empty("Virtual PCD 00 00", timeout=15)
    assert code == 0
    event = lines(capsys)[-1]
    assert event == {
        "time": event["time"],
        "event": "pass_presented",
        "source": "Virtual PCD 00 00",
        "pass_number": "**********0011",
        "valid": True,
        "scheme": "dutch14",
        "reason": None,
        "rule": "ndef",
    }
