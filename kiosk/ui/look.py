"""The current look (colours and sizes) as a Kivy event dispatcher, so ``.kv`` rules can bind to it.

One per process (there is one Window per process too); :meth:`Look.apply` switches theme at runtime
(the attract screen's "larger text" and "high contrast" buttons) and every bound widget follows.
"""

from __future__ import annotations

import gc
from dataclasses import asdict
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivy.weakproxy import WeakProxy

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
        """Switch to ``theme``.

        Every widget's ``.kv`` rules bind to this one object. A widget that died in a garbage
        collection on another thread (the kiosk's workers allocate too) has its weak reference cleared
        before Kivy's clean-up unbinds its rules; calling such a rule raises ReferenceError and would
        end the app on a theme switch. So collection waits while the theme changes, and bindings of
        dead widgets are dropped first.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.forget_dead_widgets()
            self._set(theme)
        finally:
            if collecting:
                gc.enable()

    def forget_dead_widgets(self) -> int:
        """Unbind the rules of widgets that no longer exist; returns how many bindings went."""
        dropped = 0
        for name in self.properties():
            for _callback, largs, _kwargs, _is_ref, uid in self.get_property_observers(name, args=True):
                if any(_dead(arg) for arg in largs):
                    self.unbind_uid(name, uid)
                    dropped += 1
        return dropped

    def _set(self, theme: Theme) -> None:
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


def _dead(arg: Any) -> bool:
    """True for a weak proxy whose widget is gone, also as the first item of Kivy's rule arguments."""
    # type(), not isinstance(): a proxy forwards __class__, and a dead one raises on it.
    if type(arg) in (list, tuple) and arg:
        arg = arg[0]
    if type(arg) is not WeakProxy:
        return False
    try:
        WeakProxy.__ref__(arg)  # raises once the referent is gone
    except ReferenceError:
        return True
    return False


look = Look()
