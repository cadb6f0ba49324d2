"""Tactile keypad navigation in speech mode (EN 301 549 §5.1.6.1), announced by speech.

A numeric keypad (or the arrow keys) moves a focus through the current screen's buttons in focus order
(top to bottom, then left to right, as they lie on the window), and each move says the button's label
and where it is. 5 / Enter presses the focused button; Back (Backspace) is the core's
:class:`~kiosk.core.events.Back`. What is reachable is what a finger can reach: the screen's visible,
enabled buttons and the "Hulp" button in the header — or, while a dialog is open (the idle warning,
another pass, help), only the dialog's buttons.

On a screen with a PIN pad the keypad is the PIN pad, as on a cash machine: its digit keys type digits
(spoken as a neutral tick, never the digit), Enter confirms, the arrow keys move through the other
buttons. The pad's digit buttons are left out of the focus order: announcing them would say digits.

:class:`KeypadNavigator` is plain logic over "button-like" objects (``text``, ``x``, ``top`` or ``y``,
``disabled``, ``dispatch``) so it is tested without a window; :func:`attach_keypad` binds it to the Kivy
window's keys. It acts only while speech mode is on, so the barcode scanner's Enter is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kiosk.ui.fmt import CHECKED, UNCHECKED, plain_text

NEXT = frozenset({275, 274, 262, 258})  # →, ↓, keypad 6, keypad 2
PREVIOUS = frozenset({276, 273, 260, 264})  # ←, ↑, keypad 4, keypad 8
PRESS = frozenset({13, 271, 261})  # Enter, keypad Enter, keypad 5
BACK = frozenset({8})  # Backspace (the keypad's back key sends it)
ARROWS = frozenset({273, 274, 275, 276})  # the only moves on a PIN screen (the digits type)
ENTER = frozenset({13, 271})
# Digit keys: keypad 0-9 (Kivy 256-265) and the number row (48-57).
DIGITS = {**{256 + d: str(d) for d in range(10)}, **{48 + d: str(d) for d in range(10)}}


def _place(button: Any) -> tuple[float, float]:
    """Where a button lies on the window (its top edge, its left edge); plain objects: their own."""
    if hasattr(button, "to_window") and hasattr(button, "top"):
        x, top = button.to_window(button.x, button.top)
        return float(top), float(x)
    return float(getattr(button, "top", getattr(button, "y", 0))), float(getattr(button, "x", 0))


def focus_order(buttons: Sequence[Any]) -> list[Any]:
    """Enabled buttons with a label, top row first, left to right within a row."""
    usable = [b for b in buttons if getattr(b, "text", "") and not getattr(b, "disabled", False)]

    def key(button: Any) -> tuple[float, float]:
        top, x = _place(button)
        return (-round(top), x)

    return sorted(usable, key=key)


class KeypadNavigator:
    """Moves a focus through ``buttons()`` and announces it with ``announce(label, position, count)``.

    ``pin_pad()``: the PIN pad on screen (an object with ``press(key)``), or None; while there is one the
    digit keys type into it and Enter with nothing focused confirms (see the module doc)."""

    def __init__(
        self,
        buttons: Callable[[], Sequence[Any]],
        announce: Callable[[str, int, int], None],
        back: Callable[[], None],
        active: Callable[[], bool],
        pin_pad: Callable[[], Any] = lambda: None,
        context: Callable[[], object] = lambda: None,
    ) -> None:
        """``active()``: whether speech mode is on (the keypad acts only then); ``context()``: what is on
        display (screen, dialog). A new context starts the focus again from the first button; within one
        (a fee toggled, a line added) the focus keeps its place."""
        self.buttons = buttons
        self.announce = announce
        self.back = back
        self.active = active
        self.pin_pad = pin_pad
        self.context = context
        self.index = -1
        self._seen: list[Any] = []
        self._context: object = None
        self.detach: Callable[[], None] = lambda: None  # attach_keypad: unbind from the window

    def order(self) -> list[Any]:
        """The focus order of the buttons now (what the keypad visits, in turn)."""
        return focus_order(self.buttons())

    def sync(self) -> list[Any]:
        """The focus order now; the focus starts again (nothing focused) when the screen changed."""
        order = self.order()
        context = self.context()
        if context != self._context or (context is None and order != self._seen):
            self.index = -1  # a new screen (or dialog): start from the first again
        elif 0 <= self.index < len(self._seen):
            # The focus follows its button when others come or go. A button redrawn in place (a fee
            # toggled) keeps the focus; one gone for good (the pay button while paying) leaves nothing
            # focused, so the next move starts afresh.
            focused = self._seen[self.index]
            where = next((i for i, b in enumerate(order) if b is focused), None)
            if where is not None:
                self.index = where
            elif len(order) != len(self._seen):
                self.index = -1
        self._seen, self._context = order, context
        return order

    def key(self, code: int) -> bool:
        """Handle one key code; True when it was used (not passed on to other listeners)."""
        if not self.active():
            return False
        order = self.sync()
        if code in BACK:
            self.back()
            return True
        pad = self.pin_pad()
        if pad is not None:
            if code in DIGITS:
                pad.press(DIGITS[code])  # the pad says the neutral tick; the digit is never announced
                return True
            if code in ENTER and self.index < 0:
                pad.press("ok")
                return True
            if code not in ARROWS | ENTER:
                return False
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


# A toggle's label starts with its state drawn as a box (the pay screen's fees): said in words instead.
# A checked row already says so in words ("· Geselecteerd", kit.choice_text): only the box is dropped.
TOGGLE_MARKS = ((CHECKED, None), (UNCHECKED, "a11y.not_selected"))


def spoken_label(label: str, t: Callable[[str], str]) -> str:
    """A button's label as said: lines joined, a toggle's drawn box as words in the member's language."""
    text = ", ".join(part.strip() for part in plain_text(label).splitlines() if part.strip())
    for mark, key in TOGGLE_MARKS:
        if text.startswith(mark):
            rest = text[len(mark) :].strip()
            return rest if key is None else f"{rest}, {t(key)}"
    return text


def _shown(widget: Any) -> bool:
    """On the window and not hidden: neither it nor a parent is transparent (a hidden menu action)."""
    if widget.get_root_window() is None:
        return False
    node = widget
    while node is not None:
        if getattr(node, "opacity", 1) <= 0:
            return False
        parent = getattr(node, "parent", None)
        node = parent if parent is not node else None
    return True


def _walk(widget: Any) -> list[Any]:
    """Every button-like widget under ``widget`` (anything with ``on_release`` and a text)."""
    found: list[Any] = []
    for child in getattr(widget, "children", []):
        if hasattr(child, "text") and hasattr(child, "on_release"):
            found.append(child)
        found.extend(_walk(child))
    return found


def _pin_pad(widget: Any) -> Any:
    """The PIN pad under ``widget`` (an object with ``press`` and ``on_pin``), or None."""
    for child in getattr(widget, "children", []):
        if hasattr(child, "press") and hasattr(child, "on_pin"):
            return child
        found = _pin_pad(child)
        if found is not None:
            return found
    return None


def screen_buttons(root: Any) -> list[Any]:
    """What the keypad can reach on ``root`` now: the open dialog's buttons, else the current screen's
    and the header's "Hulp" — visible ones only, the PIN pad's digits left out."""
    dialog = getattr(root, "dialog", None)
    manager = getattr(root, "manager", None)
    if dialog is not None:
        found = _walk(dialog)
    else:
        found = _walk(manager.current_screen if manager is not None else root)
        help_button = getattr(root, "help_button", None)
        if help_button is not None:
            found.append(help_button)
    pad = None if dialog is not None else current_pin_pad(root)
    digits = [b for b in pad.children if str(getattr(b, "key", "")).isdigit()] if pad is not None else []
    return [b for b in found if _shown(b) and not any(b is d for d in digits)]


def current_pin_pad(root: Any) -> Any:
    """The PIN pad of the screen on display (no dialog open), or None."""
    manager = getattr(root, "manager", None)
    if manager is None or getattr(root, "dialog", None) is not None:
        return None
    return _pin_pad(manager.current_screen)


def attach_keypad(root: Any, speech: Any, send_back: Callable[[], None]) -> KeypadNavigator:
    """Bind the keypad to the Kivy window: focus moves through ``root``'s current screen (or dialog).

    Any key on the goodbye screen goes on to the attract screen (as a tap does). While the PIN pad is
    on screen in speech mode, typed digits do not reach the keyboard-wedge scanner's hand-typed numbers.
    :meth:`KeypadNavigator.detach` (set here) unbinds it again.
    """
    from kivy.core.window import Window

    from drivers.speech import SpeechText

    def announce(label: str, position: int, count: int) -> None:
        text = spoken_label(label, root.t)
        speech.output.say(
            SpeechText.public(f"{text}. {position} / {count}"), channel=speech.channel, interrupt=True
        )

    def context() -> object:
        dialog = getattr(root, "dialog", None)
        return (getattr(root, "current", ""), id(dialog) if dialog is not None else 0)

    navigator = KeypadNavigator(
        lambda: screen_buttons(root),
        announce,
        send_back,
        lambda: bool(speech.active),
        lambda: current_pin_pad(root),
        context,
    )

    def on_key_down(_window: Any, key: int, *_args: Any) -> bool:
        if getattr(root, "current", "") == "goodbye":
            root.end_goodbye()
        return navigator.key(key)

    def on_textinput(_window: Any, text: str) -> bool:
        return bool(speech.active) and current_pin_pad(root) is not None and text.isdigit()

    Window.bind(on_key_down=on_key_down, on_textinput=on_textinput)
    navigator.detach = lambda: Window.unbind(on_key_down=on_key_down, on_textinput=on_textinput)
    return navigator
