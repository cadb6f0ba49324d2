"""Item 3: a mistyped pass is not a return; barcodes that are neither pass nor item are refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from drivers.passnumber import validate_pass_number
from drivers.scanner import Scanned
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.barcodes import BarcodeKind, ItemRule, classify
from kiosk.core.view import LineKind
from kiosk.scanning import ScanRouter
from tests.ui.sim_runtime import SimRuntime

from .conftest import SETTINGS

DEMO_ITEMS = ItemRule(length=14, prefix="3", check_digit="mod10")


@pytest.fixture
def runtime() -> Iterator[SimRuntime]:
    """The demo library's runtime with the demo item rule in the core's settings (``[items]``)."""
    rt = SimRuntime(replace(SETTINGS, item_rule=DEMO_ITEMS))
    try:
        yield rt
    finally:
        rt.close()


def scan(runtime: SimRuntime, text: str) -> None:
    router = ScanRouter(runtime, "dutch14", [])
    router(Scanned(text, "scanner", validate_pass_number(text, "dutch14")))
    runtime.settle()


@pytest.mark.parametrize("text", ["20301000010016", "20000000000000"])
def test_mistyped_pass_on_the_start_screen_is_refused_not_returned(runtime: SimRuntime, text: str) -> None:
    checkins_before = dict(runtime.library.loans)
    scan(runtime, text)
    view = runtime.view
    assert view.screen is Screen.NOTICE
    assert view.message is not None and view.message.key == "error.pass_number_wrong"
    assert not view.lines(LineKind.RETURN)
    assert runtime.library.loans == checkins_before  # nothing reached the ILS


def test_something_that_is_neither_is_refused_with_its_own_message(runtime: SimRuntime) -> None:
    scan(runtime, "HELLO-123")
    assert runtime.view.screen is Screen.NOTICE
    assert runtime.view.message is not None and runtime.view.message.key == "error.barcode_unknown"


def test_an_item_barcode_with_a_wrong_check_digit_is_not_sent(runtime: SimRuntime) -> None:
    scan(runtime, "30301000500089")  # 30301000500088 with the last digit mistyped
    assert runtime.view.message is not None and runtime.view.message.key == "error.barcode_unknown"


def test_a_real_item_on_the_start_screen_is_still_returned(runtime: SimRuntime) -> None:
    scan(runtime, "30301000500070")
    assert runtime.view.screen is Screen.RETURN
    assert [line.item_id for line in runtime.view.lines(LineKind.RETURN)] == ["30301000500070"]


def test_classify_rules() -> None:
    assert classify("20301000010015", True, DEMO_ITEMS) is BarcodeKind.PASS
    assert classify("30301000500088", False, DEMO_ITEMS) is BarcodeKind.ITEM
    assert classify("20301000010016", False, DEMO_ITEMS) is BarcodeKind.BAD_PASS
    assert classify("1234", False, DEMO_ITEMS) is BarcodeKind.UNKNOWN
    anything = ItemRule(length=0, prefix="", check_digit="none", digits_only=False)
    assert classify("ABC-1", False, anything) is BarcodeKind.ITEM
    with pytest.raises(ValueError):
        ItemRule(check_digit="luhn")


def test_the_scanner_only_says_scanned_and_the_core_decides(runtime: SimRuntime) -> None:
    """A raw BarcodeScanned through the runtime: the core's rule, not the scanner, makes it an item."""
    runtime.send(ev.BarcodeScanned("30301000500070", is_pass=False))
    runtime.settle()
    assert runtime.view.screen is Screen.RETURN
    assert [line.item_id for line in runtime.view.lines(LineKind.RETURN)] == ["30301000500070"]


def test_without_pass_validation_the_core_uses_its_screen() -> None:
    """``validation = "off"``: on the attract screen a number is a pass, in a borrowing session an item."""
    rt = SimRuntime(replace(SETTINGS, pin="never", pass_validation="off"))
    try:
        rt.send(ev.BarcodeScanned("20301000010015", is_pass=True))
        rt.settle()
        assert rt.view.screen is Screen.MENU  # taken as a pass: the member is identified
        rt.send(ev.StartBorrow())
        rt.settle()
        rt.send(ev.BarcodeScanned("30301000500088", is_pass=True))
        rt.settle()
        assert [line.item_id for line in rt.view.items] == ["30301000500088"]  # an item on this screen
    finally:
        rt.close()
