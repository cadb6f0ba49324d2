"""The widget kit: a handful of widgets every screen is built from, styled in ``kit.kv``.

Each widget has a ``role`` naming a theme colour pair (``panel``, ``button``, ``primary``, ``danger``,
``success``, ``warning``...): backgrounds draw ``<role>_bg``, labels draw ``<role>_text`` of the role
of the surface they sit on. The accessibility tests walk the widget tree and check exactly that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.utils import escape_markup

from kiosk.ui.fmt import CHECKED, UNCHECKED
from kiosk.ui.look import look
from kiosk.ui.theme import ICONS

Builder.load_file(str(Path(__file__).with_name("kit.kv")))


class Surface(BoxLayout):
    """A box with a background of its ``role``'s colour."""

    role = StringProperty("screen")
    bg_color = ListProperty([0, 0, 0, 1])


class KioskLabel(Label):
    """Text in the role of the surface below it; ``size_name`` picks body/title/huge/small."""

    role = StringProperty("screen")
    size_name = StringProperty("body")


class IconLabel(KioskLabel):
    """A state icon (check, cross, warning) in a font that has the glyph; never colour alone."""

    icon = StringProperty("")


class KioskButton(ButtonBehavior, Label):
    """A large touch button: text on its own ``role`` background, at least 60 px each way."""

    role = StringProperty("button")
    size_name = StringProperty("body")
    bg_color = ListProperty([1, 1, 1, 1])
    action = ObjectProperty(None, allownone=True)
    selected = BooleanProperty(False)  # for toggle rows (renew, pay): shown by a mark and a text

    def on_release(self) -> None:
        """Run the button's action (set by the screen)."""
        if self.action is not None:
            self.action()


class Row(Surface):
    """One line in a list: an icon and one or more text lines, on a ``panel`` (or state) background."""

    def set_lines(self, icon: str, lines: list[tuple[str, str]]) -> None:
        """Fill the row: ``icon`` is a key of :data:`ICONS` (or ""), ``lines`` are (text, size name)."""
        self.clear_widgets()
        if icon:
            self.add_widget(IconLabel(icon=ICONS.get(icon, icon), role=self.role, size_name="title"))
        box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=2, pos_hint={"center_y": 0.5})
        box.bind(minimum_height=box.setter("height"))
        for text, size_name in lines:
            if text:
                box.add_widget(KioskLabel(text=text, role=self.role, size_name=size_name))
        self.add_widget(box)
        box.bind(height=self._fit)
        self._fit()

    def _fit(self, *_: Any) -> None:
        inner = max((c.height for c in self.children), default=0)
        self.height = max(look.sizes.get("button_height", 84), inner + 2 * look.sizes.get("spacing", 16))


def clear(container: Any) -> None:
    """Remove all children of a layout."""
    container.clear_widgets()


def choice_text(chosen: bool, title: str, detail: str, selected_word: str) -> str:
    """Kivy markup for a toggle row (renew, pay; the button needs ``markup=True``): a check box glyph in
    the icon font, the title, and the detail line, with ``selected_word`` when chosen (not colour alone)."""
    box = f"[font={look.icon_font}]{CHECKED if chosen else UNCHECKED}[/font]"
    second = f"{detail} · {selected_word}" if chosen and detail else selected_word if chosen else detail
    return f"{box}  {escape_markup(title)}\n{escape_markup(second)}"
