"""What the UI needs from the configuration, as one small frozen object (no Kivy import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from kiosk.core.schedule import Schedule

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
    # The service hours ([schedule]): the one definition of when the library is open; today's hours on
    # the start screen come from it, in its time zone. None when the configuration has no [schedule].
    schedule: Schedule | None = None
    # The library's time zone ([schedule] timezone, also without a schedule): times shown to staff.
    timezone: tzinfo | None = None
    # Deprecated fallback ([site] opening_hours), used only without a schedule: Monday..Sunday as
    # "09:00-17:30" ("" = closed).
    opening_hours: tuple[str, ...] = ()
    help_contact: str = ""  # how to reach staff, on the help screen ("Bel 0546 57 12 34")
    pad: bool = False  # an RFID pad is configured: the borrow/return screens show its picture

    def picture(self, name: str) -> str:
        """The path of picture ``name`` (the library's own if it put one in ``pictures_dir``)."""
        own = Path(self.pictures_dir) / f"{name}.png"
        return str(own if own.is_file() else PICTURES / f"{name}.png")

    def hours_on(self, day: date) -> str | None:
        """Opening hours on the local date ``day`` ("09:00-17:30", several joined by ", "), "" when
        closed, None when not configured. From the schedule when there is one (exceptions included),
        else from the deprecated ``[site] opening_hours``."""
        if self.schedule is not None:
            return open_hours(self.schedule, day)
        if len(self.opening_hours) != 7:
            return None
        return self.opening_hours[day.weekday()].strip()

    @property
    def zone(self) -> tzinfo | None:
        """The library's time zone (None: the kiosk's own local time)."""
        return self.schedule.timezone if self.schedule is not None else self.timezone

    def local_time(self, instant: str, now: datetime | None = None) -> str:
        """An instant (ISO 8601 with offset, as health reports it in UTC) as the library's wall time:
        "03:00" when it is today there, else "2026-12-08 03:00"; text that is no instant as it is."""
        try:
            moment = datetime.fromisoformat(instant)
        except ValueError:
            return instant
        if moment.tzinfo is None:
            return instant
        local = moment.astimezone(self.zone)
        today = (now or datetime.now(UTC)).astimezone(self.zone).date()
        return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")

    def today(self, moment: datetime | None = None) -> date:
        """The date at ``moment`` (default: now) where the library is: in the schedule's time zone;
        without a schedule, the kiosk's own local date."""
        moment = moment or datetime.now(UTC)
        return moment.astimezone(self.zone).date()

    def hours_today(self, moment: datetime | None = None) -> str | None:
        """:meth:`hours_on` for today where the library is (see :meth:`today`)."""
        return self.hours_on(self.today(moment))

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
            schedule=config.hours.schedule if getattr(config, "hours_configured", False) else None,
            timezone=config.hours.schedule.timezone,
            opening_hours=tuple(config.site.opening_hours),
            help_contact=str(config.site.help_contact),
            pad=bool(getattr(config.devices, "rfid", "")),
        )
        values.update(overrides)
        return cls(**values)


def open_hours(schedule: Schedule, day: date) -> str:
    """The open periods (staffed or unstaffed) of ``day`` in the schedule's wall time, adjoining ones
    merged: "08:00-17:30", "09:00-12:00, 13:00-17:00", or "" when closed all day. A technician's
    override is not opening hours and is left out."""
    spans: list[list[int]] = []
    for period in schedule.plan_for(day).periods:
        if not period.mode.open:
            continue
        if spans and spans[-1][1] == period.start:
            spans[-1][1] = period.end
        else:
            spans.append([period.start, period.end])
    return ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in spans)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
