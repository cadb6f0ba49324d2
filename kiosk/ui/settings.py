"""What the UI needs from the configuration, as one small frozen object (no Kivy import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

PICTURES = Path(__file__).resolve().parents[2] / "assets" / "pictures"


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
    tick_interval: float = 0.5  # how often the UI posts a Tick (0 = never: tests send their own)
    maintenance_idle: float = 300.0  # an untouched maintenance panel closes itself after this (seconds)
    # A touch this soon after the screen changed is dropped: a double tap on "Klaar" must not land on
    # whatever the next screen has at that spot (seconds; 0 = off, as in tests that tap without a clock).
    touch_guard: float = 0.4
    # Pictures a library can replace (PNG): logo, pass_reader, scanner, pad, terminal, staff.
    pictures_dir: str = str(PICTURES)
    # Opening hours Monday..Sunday as "09:00-17:30" ("" = closed); shown on the start screen.
    opening_hours: tuple[str, ...] = ()
    help_contact: str = ""  # how to reach staff, on the help screen ("Bel 0546 57 12 34")
    pad: bool = False  # an RFID pad is configured: the borrow/return screens show its picture

    def picture(self, name: str) -> str:
        """The path of picture ``name`` (the library's own if it put one in ``pictures_dir``)."""
        own = Path(self.pictures_dir) / f"{name}.png"
        return str(own if own.is_file() else PICTURES / f"{name}.png")

    def hours_on(self, day: date) -> str | None:
        """Opening hours on ``day`` ("09:00-17:30"), "" when closed, None when not configured."""
        if len(self.opening_hours) != 7:
            return None
        return self.opening_hours[day.weekday()].strip()

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
            pictures_dir=str(config.site.pictures_dir or PICTURES),
            opening_hours=tuple(config.site.opening_hours),
            help_contact=str(config.site.help_contact),
            pad=bool(getattr(config.devices, "rfid", "")),
        )
        values.update(overrides)
        return cls(**values)
