"""The application shell: windowed for development/tests, and the Escape key never leaves the kiosk."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.core.view import Screen, SessionView
from kiosk.ui.app import KioskApp, _swallow_escape
from kiosk.ui.root import KioskRoot
from kiosk.ui.screenshots import StaticRuntime
from kiosk.ui.settings import UiSettings

pytestmark = pytest.mark.ui


def test_escape_is_swallowed_other_keys_pass() -> None:
    assert _swallow_escape(None, 27) is True
    assert _swallow_escape(None, 13) is False


def test_windowed_app_builds_the_kiosk_root(window: Any) -> None:
    runtime = StaticRuntime(SessionView(screen=Screen.ATTRACT, language="en"))
    app = KioskApp(runtime, UiSettings(fullscreen=False, tick_interval=0, languages=("nl", "en")))
    root = app.build()
    assert isinstance(root, KioskRoot) and app.kiosk_root is root
    assert window.size == (1280, 800) and not window.fullscreen
    assert root.current == "attract"
    assert root.screens["attract"].ids.prompt.text.startswith("Hold your library pass")
