"""The demo tray puts demo items on the simulated pad from the window, and is absent without one."""

from __future__ import annotations

from typing import Any

from drivers.rfid.scenarios import demo_uid, make_field
from kiosk.rfid.sim_control import apply
from tests.ui.conftest import window  # noqa: F401 - the one offscreen Kivy window of the process


def test_the_tray_puts_items_on_the_pad_and_takes_them_off(window: Any) -> None:  # noqa: F811
    from kiosk.ui.rfid_tray import attach_demo_tray

    field = make_field("demo_stack3")
    tray = attach_demo_tray(window, lambda request: apply(field, request))
    try:
        assert tray is not None
        assert tray.buttons["30301000500013"].state == "down"  # already on the pad
        tray.buttons["30301000500161"].state = "down"
        assert field.tag(demo_uid("30301000500161")).present
        tray.buttons["30301000500013"].state = "normal"
        assert not field.tag(demo_uid("30301000500013")).present
    finally:
        if tray is not None:
            window.remove_widget(tray)


def test_no_tray_without_a_simulated_pad(window: Any) -> None:  # noqa: F811
    from kiosk.ui.rfid_tray import attach_demo_tray

    assert attach_demo_tray(window, lambda request: None) is None
