"""The demo tray: put demo items on the simulated RFID pad from the kiosk window (only when it is simulated).

A strip of small toggle buttons along the bottom left edge of the window, over the screens, one per
demo item (docs/demo-data.md): down = the item lies on the pad. It talks to the pad through
:func:`kiosk.rfid.sim_control.local_request` (the same requests as ``kiosk rfid sim put|take``), so it
exists only when a simulated pad runs in this process; with a real pad there is no tray. It is added to
the window as an overlay (:func:`attach_demo_tray`), outside the screens, because it is not part of the
kiosk a member sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.togglebutton import ToggleButton

Control = Callable[[dict[str, Any]], dict[str, Any] | None]
# Under the screens' bottom buttons, in the page padding (24 px), the left half: never over a button.
TRAY_HEIGHT = 22
TRAY_WIDTH = 0.5


class DemoTray(BoxLayout):
    """One toggle button per item; pressing it puts the item on the pad or takes it off."""

    def __init__(self, control: Control, items: Sequence[str], **kwargs: Any) -> None:
        super().__init__(
            orientation="horizontal",
            size_hint=(TRAY_WIDTH, None),
            height=TRAY_HEIGHT,
            pos=(0, 0),
            spacing=2,
            **kwargs,
        )
        self.control = control
        self.buttons: dict[str, ToggleButton] = {}
        for item in items:
            button = ToggleButton(text=f"…{item[-4:]}", font_size=12)
            button.bind(state=lambda b, state, item=item: self._toggled(item, state))
            self.buttons[item] = button
            self.add_widget(button)

    def _toggled(self, item: str, state: str) -> None:
        self.control({"put" if state == "down" else "take": [item]})


def attach_demo_tray(window: Any, control: Control | None = None) -> DemoTray | None:
    """Add the tray to ``window`` when a simulated pad runs in this process; else do nothing."""
    from drivers.rfid.scenarios import DEMO_ITEMS
    from kiosk.rfid.sim_control import local_request

    control = control or local_request
    answer = control({"list": []})
    if answer is None or not answer.get("ok"):
        return None
    tray = DemoTray(control, DEMO_ITEMS)
    for item in answer.get("on_pad", ()):
        if item in tray.buttons:
            tray.buttons[item].state = "down"
    window.add_widget(tray)
    return tray
