"""What the UI needs from the configuration, as one small frozen object (no Kivy import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UiSettings:
    """UI settings from config sections [site], [ui] and [payment]."""

    library_name: str = "Bibliotheek"
    languages: tuple[str, ...] = ("nl", "en")
    default_language: str = "nl"
    fullscreen: bool = False
    large_text: bool = False
    high_contrast: bool = False
    sound_volume: float = 0.6
    payment_enabled: bool = True
    goodbye_seconds: float = 4.0
    tick_interval: float = 0.5  # how often the UI posts a Tick (0 = never: tests send their own)
    maintenance_idle: float = 300.0  # an untouched maintenance panel closes itself after this (seconds)
    # A touch this soon after the screen changed is dropped: a double tap on "Klaar" must not land on
    # whatever the next screen has at that spot (seconds; 0 = off, as in tests that tap without a clock).
    touch_guard: float = 0.4

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> UiSettings:
        """Build from a loaded ``KioskConfig``."""
        values = dict(
            library_name=config.site.library_name,
            languages=tuple(config.site.languages),
            default_language=config.site.default_language,
            fullscreen=bool(config.ui.fullscreen),
            large_text=bool(config.ui.large_text),
            high_contrast=bool(config.ui.high_contrast),
            sound_volume=float(config.ui.sound_volume),
            payment_enabled=bool(config.payment.enabled),
        )
        values.update(overrides)
        return cls(**values)
