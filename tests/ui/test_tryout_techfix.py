"""Technician-facing defects from the try-out, on the real Kivy screens (tests/techfix for the rest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.schedule import DayPlan, Period, Schedule, ServiceMode
from kiosk.ui.settings import UiSettings
from tests.ui.conftest import Kiosk


def test_start_screen_shows_todays_hours_from_the_schedule(kiosk_factory: Callable[..., Kiosk]) -> None:
    """The closing banner and the start screen's hours have one source: [schedule]."""
    day = DayPlan((Period(600, 720, ServiceMode.STAFFED), Period(720, 840, ServiceMode.UNSTAFFED)))
    schedule = Schedule(ZoneInfo("Europe/Amsterdam"), (day,) * 7)
    kiosk = kiosk_factory(
        settings=UiSettings(
            library_name="B",
            languages=("nl",),
            tick_interval=0,
            schedule=schedule,
            opening_hours=("09:00-17:30",) * 7,  # deprecated, ignored beside a schedule
        )
    )
    texts: Any = kiosk.texts()
    assert "Vandaag open 10:00–14:00" in texts and "17:30" not in texts
