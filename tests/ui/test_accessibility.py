"""Accessibility checked on the live widget trees: every screen and overlay, in every theme.

* every text is drawn on a background with contrast ≥ 7:1 (WCAG AAA), the background being the
  nearest widget below it that paints one (``bg_color``);
* every touch target is at least 60 × 60 px;
* every text and button lies inside the window (outside scrolling lists), so nothing is cut off.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from kiosk.ui.demo import scenes
from kiosk.ui.kit import IconLabel, Row
from kiosk.ui.screenshots import scene_root, show_scene
from kiosk.ui.theme import MIN_CONTRAST, MIN_TOUCH_PX, contrast_ratio

pytestmark = pytest.mark.ui

THEMES = [(False, False), (True, False), (False, True), (True, True)]


def ancestors(widget: Any, root: Any) -> list[Any]:
    """``widget`` and its parents up to ``root`` (the Window is its own parent: stop at the root)."""
    chain = [widget]
    while chain[-1] is not root and chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain


def background_of(widget: Any, root: Any) -> tuple[float, ...] | None:
    for node in ancestors(widget, root):
        bg = getattr(node, "bg_color", None)
        if bg is not None:
            return tuple(bg)
    return None


def visible(widget: Any, root: Any) -> bool:
    return all(getattr(node, "opacity", 1) > 0 for node in ancestors(widget, root))


def in_scrolling_list(widget: Any, root: Any) -> bool:
    return any(isinstance(node, ScrollView) for node in ancestors(widget, root)[1:])


def assert_on_screen(widget: Any, root: Any, where: str) -> None:
    if in_scrolling_list(widget, root):
        return  # a list scrolls: its rows may be out of view
    x, y = widget.to_window(widget.x, widget.y)
    inside = y >= -1 and y + widget.height <= Window.height + 1 and -1 <= x <= Window.width - widget.width + 1
    name = getattr(widget, "text", type(widget).__name__)
    assert inside, (
        f"{where}: {name!r} is cut off at ({x:.0f}, {y:.0f}) {widget.width:.0f}x"
        f"{widget.height:.0f} in a {Window.width}x{Window.height} window"
    )


def check_tree(root: Any, where: str) -> int:
    checked = 0
    for w in root.walk(restrict=True):
        if not visible(w, root):
            continue
        if isinstance(w, ButtonBehavior) or (isinstance(w, Label) and w.text.strip()):
            assert_on_screen(w, root, where)
        if isinstance(w, Row) and w.role in ("danger", "success", "warning"):
            # No information by colour alone: a state row always carries an icon (and its text).
            icons = [c for c in w.children if isinstance(c, IconLabel) and c.text.strip()]
            assert icons, f"{where}: a {w.role} row without an icon"
        if isinstance(w, ButtonBehavior):
            assert w.width >= MIN_TOUCH_PX and w.height >= MIN_TOUCH_PX, (
                f"{where}: touch target {w.text!r} is {w.width:.0f}x{w.height:.0f}"
            )
        if isinstance(w, Label) and w.text.strip():
            bg = background_of(w, root)
            assert bg is not None, f"{where}: {w.text!r} has no background"
            ratio = contrast_ratio(tuple(w.color[:3]), bg[:3])  # type: ignore[arg-type]
            assert ratio >= MIN_CONTRAST, f"{where}: {w.text!r} contrast {ratio:.2f}"
            checked += 1
    return checked


@pytest.mark.parametrize(("high_contrast", "large_text"), THEMES)
def test_all_screens_contrast_and_touch_targets(window: Any, high_contrast: bool, large_text: bool) -> None:
    total = 0
    root = scene_root(("nl", "en", "de", "tr"))
    window.add_widget(root)
    try:
        for scene in scenes("nl"):
            scene = replace(
                scene,
                high_contrast=high_contrast or scene.high_contrast,
                large_text=large_text or scene.large_text,
            )
            show_scene(root, scene)
            for _ in range(2):
                EventLoop.idle()
            total += check_tree(root, f"{scene.name} hc={high_contrast} large={large_text}")
    finally:
        window.remove_widget(root)
    assert total > 200  # the walk really saw the screens


@pytest.mark.parametrize("language", ["de", "en", "tr"])
def test_every_language_fits_in_large_text(window: Any, language: str) -> None:
    """Longer words (German) and large text are the worst case for touch targets and cut-off text."""
    root = scene_root(("nl", "en", "de", "tr"), language=language)
    window.add_widget(root)
    try:
        for scene in scenes(language):
            show_scene(root, replace(scene, large_text=True))
            EventLoop.idle()
            EventLoop.idle()
            check_tree(root, f"{language} {scene.name}")
    finally:
        window.remove_widget(root)
