"""The current look (colours and sizes) as a Kivy event dispatcher, so ``.kv`` rules can bind to it.

One per process (there is one Window per process too); :meth:`Look.apply` switches theme at runtime
(the attract screen's "larger text" and "high contrast" buttons) and every bound widget follows.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, DictProperty, StringProperty

from kiosk.ui.theme import Theme, make_theme


class Look(EventDispatcher):
    """Colours (RGBA lists per ``<role>_bg`` / ``<role>_text``) and sizes (px) of the current theme."""

    colors = DictProperty({})
    sizes = DictProperty({})
    font_name = StringProperty("Roboto")
    icon_font = StringProperty("DejaVuSans")
    large_text = BooleanProperty(False)
    high_contrast = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theme = make_theme()
        self.apply(self.theme)

    def apply(self, theme: Theme) -> None:
        """Switch to ``theme``."""
        self.theme = theme
        colors: dict[str, list[float]] = {}
        for role, fg, bg in theme.palette.pairs():
            colors[f"{role}_text"] = [*fg, 1.0]
            colors[f"{role}_bg"] = [*bg, 1.0]
        self.colors = colors
        self.sizes = asdict(theme.sizes)
        self.font_name = theme.font_name
        self.icon_font = theme.icon_font
        self.large_text = theme.large_text
        self.high_contrast = theme.palette.name == "high_contrast"


look = Look()
