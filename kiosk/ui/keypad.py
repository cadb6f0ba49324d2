"""Tactile keypad navigation in speech mode (EN 301 549 §5.1.6.1), announced by speech.

A numeric keypad (or the arrow keys) moves a focus through the current screen's buttons in focus order
(top to bottom, then left to right), and each move says the button's label and where it is. 5 / Enter
presses the focused button; Back (Backspace) is the core's :class:`~kiosk.core.events.Back`.

:class:`KeypadNavigator` is plain logic over "button-like" objects (``text``, ``x``, ``top`` or ``y``,
``disabled``, ``dispatch``) so it is tested without a window; :func:`attach_keypad` binds it to the Kivy
window's keys. It acts only while speech mode is on, so the barcode scanner's Enter is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

NEXT = frozenset({275, 274, 262, 258})  # →, ↓, keypad 6, keypad 2
PREVIOUS = frozenset({276, 273, 260, 264})  # ←, ↑, keypad 4, keypad 8
PRESS = frozenset({13, 271, 261})  # Enter, keypad Enter, keypad 5
BACK = frozenset({8})  # Backspace (the keypad's back key sends it)


def focus_order(buttons: Sequence[Any]) -> list[Any]:
    """Enabled buttons with a label, top row first, left to right within a row."""
    usable = [b for b in buttons if getattr(b, "text", "") and not getattr(b, "disabled", False)]
    return sorted(
        usable,
        key=lambda b: (-round(float(getattr(b, "top", getattr(b, "y", 0)))), float(getattr(b, "x", 0))),
    )


class KeypadNavigator:
    """Moves a focus through ``buttons()`` and announces it with ``announce(label, position, count)``."""

    def __init__(
        self,
        buttons: Callable[[], Sequence[Any]],
        announce: Callable[[str, int, int], None],
        back: Callable[[], None],
        active: Callable[[], bool],
    ) -> None:
        """``active()``: whether speech mode is on (the keypad acts only then)."""
        self.buttons = buttons
        self.announce = announce
        self.back = back
        self.active = active
        self.index = -1
        self._seen: list[Any] = []

    def key(self, code: int) -> bool:
        """Handle one key code; True when it was used (not passed on to other listeners)."""
        if not self.active():
            return False
        order = focus_order(self.buttons())
        if order != self._seen:  # a new screen (or new buttons): start from the first again
            self._seen, self.index = order, -1
        if code in BACK:
            self.back()
            return True
        if not order or code not in NEXT | PREVIOUS | PRESS:
            return False
        if code in PRESS:
            if self.index < 0:
                return False  # nothing focused: Enter may be the scanner's
            button = order[self.index]
            button.dispatch("on_press")
            button.dispatch("on_release")
            return True
        step = 1 if code in NEXT else -1
        if self.index < 0:
            self.index = 0 if step > 0 else len(order) - 1
        else:
            self.index = (self.index + step) % len(order)
        self.announce(str(order[self.index].text), self.index + 1, len(order))
        return True


def _walk(widget: Any) -> list[Any]:
    """Every button-like widget under ``widget`` (anything with ``on_release`` and a text)."""
    found: list[Any] = []
    for child in getattr(widget, "children", []):
        if hasattr(child, "text") and hasattr(child, "on_release"):
            found.append(child)
        found.extend(_walk(child))
    return found


def attach_keypad(root: Any, speech: Any, send_back: Callable[[], None]) -> KeypadNavigator:
    """Bind the keypad to the Kivy window: focus moves through ``root``'s current screen."""
    from kivy.core.window import Window

    from drivers.speech import SpeechText

    def buttons() -> list[Any]:
        manager = getattr(root, "manager", None)
        current = manager.current_screen if manager is not None else root
        return _walk(current)

    def announce(label: str, position: int, count: int) -> None:
        speech.output.say(
            SpeechText.public(f"{label}. {position} / {count}"), channel=speech.channel, interrupt=True
        )

    navigator = KeypadNavigator(buttons, announce, send_back, lambda: bool(speech.active))

    def on_key_down(_window: Any, key: int, *_args: Any) -> bool:
        return navigator.key(key)

    Window.bind(on_key_down=on_key_down)
    return navigator
