"""Render every screen in every language to PNG files (offscreen), for the README, translators and
review: ``kiosk screenshots --out DIR``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.core.view import SessionView
from kiosk.ui.demo import Scene


def prepare_headless() -> None:
    """Kivy settings for rendering without a display (must run before the first ``import kivy``)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_WINDOW", "sdl2")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-"))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kiosk.ui import kivy_settings

    kivy_settings()  # as on the kiosk, so the pictures show what patrons see


class StaticRuntime:
    """A runtime that only shows a given view (events are ignored)."""

    def __init__(self, view: SessionView) -> None:
        self.view = view
        self._listeners: list[Callable[[SessionView], None]] = []

    def send(self, event: Any) -> None:
        """Screenshots do not react to events."""

    def subscribe(self, callback: Callable[[SessionView], None]) -> None:
        """Remember the listener (not called)."""
        self._listeners.append(callback)


def render_all(
    out: Path,
    languages: list[str],
    library_name: str = "Bibliotheek Wierden",
    size: tuple[int, int] = (1280, 800),
    only: set[str] | None = None,
) -> list[Path]:
    """Write ``<out>/<language>/<scene>.png`` for every scene (or the scenes named in ``only``);
    returns the files."""
    prepare_headless()
    from kivy.config import Config

    # The window must be created at its final size: an offscreen GL surface does not follow a resize.
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from kiosk.ui.demo import scenes

    EventLoop.ensure_window()
    Window.size = size
    written: list[Path] = []
    scratch = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    # The attract screen's language bar shows every catalog language, whichever ones are rendered.
    from kiosk.config_schema import LANGUAGES

    root = scene_root(LANGUAGES, library_name)
    Window.add_widget(root)
    for lang in languages:
        (out / lang).mkdir(parents=True, exist_ok=True)
        for scene in scenes(lang):
            if only is not None and scene.name not in only:
                continue
            show_scene(root, scene)
            for _ in range(6):
                EventLoop.idle()
            shot = Window.screenshot(name=str(scratch / "shot.png"))
            target = out / lang / f"{scene.name}.png"
            shutil.move(str(shot), target)
            written.append(target)
    Window.remove_widget(root)
    shutil.rmtree(scratch, ignore_errors=True)
    return written


def scene_root(
    languages: tuple[str, ...], library_name: str = "Bibliotheek Wierden", language: str = "nl"
) -> Any:
    """A :class:`KioskRoot` for showing scenes (not yet added to the window)."""
    from kiosk.core.view import Screen
    from kiosk.ui.demo import DemoMaintenanceBackend
    from kiosk.ui.root import KioskRoot
    from kiosk.ui.settings import UiSettings

    settings = UiSettings(
        library_name=library_name,
        languages=languages,
        default_language=language,
        tick_interval=0,
        sound_volume=0,
        opening_hours=("09:00-17:30",) * 7,
        help_contact="",
    )
    view = SessionView(screen=Screen.ATTRACT, language=language)
    return KioskRoot(StaticRuntime(view), settings, backend=DemoMaintenanceBackend())


def show_scene(root: Any, scene: Scene) -> None:
    """Set ``root`` up as ``scene`` describes and draw it."""
    from kiosk.ui.look import look
    from kiosk.ui.theme import make_theme

    look.apply(make_theme(scene.high_contrast, scene.large_text))
    root.maintenance = scene.maintenance
    view = replace(scene.view, terminal_prompt=scene.terminal_prompt)  # the prompt comes with the view
    root.view = view
    root.render(view, again=True)
