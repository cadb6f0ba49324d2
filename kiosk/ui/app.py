"""The Kivy application: a full-screen kiosk window around :class:`~kiosk.ui.root.KioskRoot`.

``[ui] fullscreen = true``: no window decorations, full screen, no mouse cursor, and no key that
leaves the app (Escape is swallowed); the only way out is maintenance mode. With ``fullscreen =
false`` (development, tests) it is an ordinary 1280×800 window.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.core.window import Window

from kiosk.maintenance.access import MaintenanceAccess
from kiosk.maintenance.backend import MaintenanceBackend
from kiosk.maintenance.logbuffer import RingBufferHandler
from kiosk.ui.root import KioskRoot, UiRuntime
from kiosk.ui.settings import UiSettings

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 800)


def configure_window(fullscreen: bool) -> None:
    """Set the window up for kiosk or development use."""
    if fullscreen:
        Window.borderless = True
        Window.fullscreen = "auto"
        Window.show_cursor = False
    else:
        Window.fullscreen = False
        Window.size = WINDOW_SIZE
        # SDL placed the default-sized window before this resize; without a window manager (Xvfb, a
        # bare kiosk X session) it would stay off-centre and partly off screen.
        Window.left, Window.top = 0, 0


def _swallow_escape(_window: Any, key: int, *_args: Any) -> bool:
    # Key 27 is Escape (and Android's back): Kivy closes the app on it by default.
    return key == 27


class KioskApp(App):
    """The application object. ``runtime`` gives the view and takes events (see :class:`UiRuntime`)."""

    title = "Library kiosk"

    def __init__(
        self,
        runtime: UiRuntime,
        settings: UiSettings,
        *,
        access: MaintenanceAccess | None = None,
        backend: MaintenanceBackend | None = None,
        log_buffer: RingBufferHandler | None = None,
        speech: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.runtime, self.settings, self.speech = runtime, settings, speech
        self.access, self.backend, self.log_buffer = access, backend, log_buffer
        self.kiosk_root: KioskRoot | None = None

    def build(self) -> KioskRoot:
        """Create the window content."""
        configure_window(self.settings.fullscreen)
        if self.settings.fullscreen:
            Window.bind(on_keyboard=_swallow_escape)
        self.kiosk_root = KioskRoot(
            self.runtime,
            self.settings,
            access=self.access,
            backend=self.backend,
            log_buffer=self.log_buffer,
            speech=self.speech,
        )
        return self.kiosk_root

    def on_start(self) -> None:
        """The root is in the window now: the demo tray goes over it (added before the root, the screens
        were drawn over the tray and it was invisible)."""
        from kiosk.ui.rfid_tray import attach_demo_tray

        attach_demo_tray(Window)  # only when the RFID pad is simulated (docs/rfid.md, demo)
