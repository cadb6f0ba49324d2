"""Touch-driven patron flows on the real core and the simulated ILS, rendered offscreen."""

from __future__ import annotations

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineStatus, Screen
from sip2.simulator import demo
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


def log_in(kiosk: Kiosk, pass_number: str = demo.NORMAL, pin: str = demo.NORMAL_PIN) -> None:
    kiosk.send(ev.PassPresented(pass_number))
    assert kiosk.root.current == "pin"
    pad = kiosk.screen("pin").ids.pad
    for digit in pin:
        kiosk.tap(next(b for b in pad.children if b.key == digit))
    assert pad.length == len(pin)
    kiosk.tap(next(b for b in pad.children if b.key == "ok"))
    assert pad.length == 0


def test_borrow_two_items_see_due_dates_and_finish(kiosk: Kiosk) -> None:
    assert kiosk.root.current == "attract"
    log_in(kiosk)
    assert kiosk.root.current == "menu"
    assert "Hallo" in kiosk.screen("menu").ids.greeting.text
    kiosk.tap(kiosk.button("menu", "borrow"))
    assert kiosk.root.current == "borrow"
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE_2))
    lines = kiosk.runtime.view.items
    assert [line.status for line in lines] == [LineStatus.DONE, LineStatus.DONE]
    shown = kiosk.texts()
    assert "Het diner" in shown and "De avond is ongemak" in shown
    assert shown.count("Terugbrengen vóór") == 2
    due = lines[0].due  # ISO from the ILS, shown the Dutch way
    assert f"{due[8:10]}-{due[5:7]}-{due[0:4]}" in shown
    kiosk.tap(kiosk.button("borrow", "done"))
    assert kiosk.root.current == "receipt"
    kiosk.tap(kiosk.button("receipt", "no_receipt"))
    assert kiosk.runtime.view.screen is Screen.IDLE
    assert kiosk.root.current == "goodbye"
    kiosk.tap(kiosk.screen("goodbye").ids.title)
    assert kiosk.root.current == "attract"
    shown = kiosk.texts()
    assert "Het diner" not in shown and "Hallo" not in shown
    assert kiosk.screen("borrow").ids.lines.children == []
