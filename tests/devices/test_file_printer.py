"""The demo's file printer keeps only the newest receipts (they hold titles), and its option is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import DeviceConfigurationError
from drivers.printer import FilePrinter, open_printer

from .test_printer import SECRET_TITLE, sample_receipt


def test_only_the_newest_receipts_stay_on_disk(tmp_path: Path) -> None:
    printer = open_printer(f"file://{tmp_path}/receipts?keep=3")
    written = [printer.print_receipt(sample_receipt()) for _ in range(7)]
    left = sorted((tmp_path / "receipts").iterdir())
    assert left == sorted(written[-3:])  # the three newest, the four older ones deleted
    assert all(SECRET_TITLE in path.read_text(encoding="utf-8") for path in left)


def test_the_default_keeps_twenty(tmp_path: Path) -> None:
    printer = open_printer(f"file://{tmp_path}")
    assert isinstance(printer, FilePrinter) and printer.keep == FilePrinter.KEEP == 20


@pytest.mark.parametrize("url", ["file://{d}?keep=0", "file://{d}?keep=many", "file://{d}?kept=3"])
def test_a_bad_keep_option_is_a_clear_configuration_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(DeviceConfigurationError, match=r"keep|kept"):
        open_printer(url.format(d=tmp_path))
