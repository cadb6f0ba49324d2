"""The launcher: opens the touch UI (Kivy) on an assembled kiosk and runs until it closes.

The only way into :mod:`kiosk.ui` from the rest of the kiosk (``tests/foundation/test_boundaries.py``):
the CLI's ``run`` command calls :func:`launch_ui`. Kivy is imported here lazily, after
:func:`kiosk.ui.kivy_settings`, so the headless paths never load it. The keyboard-wedge scanner is fed
from the window's keys (:func:`_feed_keyboard`).
"""

from __future__ import annotations

from typing import Any

from kiosk.ui import kivy_settings


def launch_ui(kiosk: Any, config: Any, windowed: bool = False) -> None:
    """Open the touch UI on the kiosk and run until it closes."""
    kivy_settings()  # before kiosk.ui.app creates the window
    from kiosk.maintenance.access import MaintenanceAccess
    from kiosk.maintenance.backend import TechnicianBackend, technician_gate
    from kiosk.maintenance.logbuffer import attach_log_buffer
    from kiosk.ui.app import KioskApp
    from kiosk.ui.settings import UiSettings

    settings = UiSettings.from_config(config, **({"fullscreen": False} if windowed else {}))
    gate = technician_gate(config)
    access = MaintenanceAccess(gate, config.maintenance.technician_cards)
    app = KioskApp(
        kiosk.runtime,
        settings,
        access=access,
        backend=TechnicianBackend(kiosk),
        log_buffer=attach_log_buffer(),
        speech=kiosk.speech,
    )

    def route_technician_cards(*_: Any) -> None:
        if app.kiosk_root is not None:
            kiosk.reader_router.pass_filters.append(app.kiosk_root.offer_pass)
            if kiosk.speech is not None:  # tactile keypad navigation in speech mode (issue 17)
                from kiosk.core import events as ev
                from kiosk.ui.keypad import attach_keypad

                attach_keypad(app.kiosk_root, kiosk.speech, lambda: kiosk.runtime.send(ev.Back()))

    app.bind(on_start=route_technician_cards)
    if kiosk.keyboard is not None:
        _feed_keyboard(kiosk.keyboard)
    if kiosk.speech is not None and config.speech.key:
        _speech_key(kiosk.speech, int(config.speech.key))
    app.run()


def _speech_key(speech: Any, code: int) -> None:
    """The tactile speech key (a Kivy key code from [speech] key) starts speech mode."""
    from kivy.core.window import Window

    def on_key_down(_window: Any, key: int, *_args: Any) -> bool:
        if key == code:
            speech.start("key")
            return True
        return False

    Window.bind(on_key_down=on_key_down)


def _feed_keyboard(keyboard: Any) -> None:
    """Route the window's keys to the keyboard-wedge scanner (and hand-typed numbers)."""
    import time

    from kivy.clock import Clock
    from kivy.core.window import Window

    def on_textinput(_window: Any, text: str) -> None:
        for char in text:
            keyboard.key(char, time.monotonic())

    def on_key_down(_window: Any, key: int, *_args: Any) -> bool:
        if key in (13, 271, 9):  # Enter, keypad Enter, Tab: the scanner's suffix
            keyboard.key("\r", time.monotonic())
            return True
        return False

    Window.bind(on_textinput=on_textinput, on_key_down=on_key_down)
    Clock.schedule_interval(lambda _dt: keyboard.poll(time.monotonic()), 0.02)
