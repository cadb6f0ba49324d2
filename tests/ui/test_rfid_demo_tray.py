"""Try-out defect: the RFID demo tray was added to the window before the kiosk's screens and so was
drawn underneath them (invisible). It now goes on top, bottom left, under the screens' buttons."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.rfid.scenarios import make_field
from kiosk.rfid.sim_control import apply
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


def test_the_demo_tray_is_drawn_over_the_screens_and_covers_no_button(
    window: Any, kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.rfid.sim_control as sim_control
    from kiosk.ui.app import KioskApp
    from kiosk.ui.kit import KioskButton
    from kiosk.ui.rfid_tray import DemoTray

    field = make_field("demo_stack3")
    monkeypatch.setattr(sim_control, "local_request", lambda request: apply(field, request))
    app = KioskApp(kiosk.runtime, kiosk.root.settings)
    root = app.build()
    window.add_widget(root)  # as App.run() does between build() and on_start()
    try:
        app.on_start()
        kiosk.frames(3)
        tray = window.children[0]  # the last added: drawn last, on top of everything
        assert isinstance(tray, DemoTray)
        assert tray.x == 0 and tray.y == 0 and tray.right <= window.width / 2 + 1
        for name in ("attract", "borrow", "menu"):
            root.screens[name].render(kiosk.runtime.view, root)
            root.manager.current = name
            kiosk.frames(3)
            for button in root.walk():
                if isinstance(button, KioskButton) and button.get_root_window() is not None:
                    _x, bottom = button.to_window(button.x, button.y)
                    assert bottom >= tray.top, f"{name}: {button.text!r} is under the tray"
    finally:
        for widget in list(window.children):
            if isinstance(widget, DemoTray) or widget is root:
                window.remove_widget(widget)
