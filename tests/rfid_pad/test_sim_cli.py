"""``kiosk rfid sim put|take ITEM...``: demo items go onto the running kiosk's simulated pad (and off)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.assembly import build_kiosk
from kiosk.cli import main
from kiosk.config import parse_config
from kiosk.core.view import LineKind
from tests.foundation.waiting import wait_for

from .conftest import AFI_ON_LOAN, AVOND, HET_DINER, MAX_HAVELAAR, afi, borrowing, done, kiosk_config


def test_put_three_books_on_the_pad_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "file://{tmp_path}/receipts"\nrfid = "rfid+sim://?scenario=demo"\n'
        f'terminal = "zvt+sim://?state={tmp_path}/terminal.json"\n[sip2]\npassword = "demo"\n'
    )
    assert kiosk_config(tmp_path).store.path == parse_config(config.read_text(), base_dir=tmp_path).store.path
    kiosk = build_kiosk(kiosk_config(tmp_path))
    try:
        borrowing(kiosk)
        assert main(["rfid", "sim", "put", HET_DINER, AVOND, MAX_HAVELAAR, "--config", str(config)]) == 0
        answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert answer == {"ok": True, "on_pad": sorted([HET_DINER, AVOND, MAX_HAVELAAR])}
        wait_for(kiosk, done(kiosk, LineKind.LOAN, HET_DINER, AVOND, MAX_HAVELAAR), "three loans")
        wait_for(kiosk, lambda: afi(kiosk, MAX_HAVELAAR) == AFI_ON_LOAN, "released")
        assert main(["rfid", "sim", "take", AVOND, "--config", str(config)]) == 0
        answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert answer["on_pad"] == sorted([HET_DINER, MAX_HAVELAAR])
        assert main(["rfid", "sim", "put", "999", "--config", str(config)]) == 1
        assert "unknown item 999" in capsys.readouterr().out
    finally:
        kiosk.stop()
    assert main(["rfid", "sim", "list", "--config", str(config)]) == 3  # no kiosk runs any more
