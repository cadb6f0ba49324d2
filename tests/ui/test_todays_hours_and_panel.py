"""Technician-facing defects from the try-out, on the real Kivy screens (tests/techfix for the rest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.schedule import DayPlan, Period, Schedule, Staffing
from kiosk.ui.settings import UiSettings
from tests.ui.conftest import Kiosk


def test_start_screen_shows_todays_hours_from_the_schedule(kiosk_factory: Callable[..., Kiosk]) -> None:
    """The closing banner and the start screen's hours have one source: [schedule]."""
    day = DayPlan((Period(600, 720, Staffing.STAFFED), Period(720, 840, Staffing.UNSTAFFED)))
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


class _Backend:
    """Health with many device lines and a technician's override, like the try-out's kiosk."""

    def health(self) -> Any:
        from kiosk.monitoring.health import DeviceHealth, HealthSnapshot

        return HealthSnapshot(
            ils_online=True,
            ils_latency_s=0.001,
            printer_paper="ok",
            devices=(
                *(DeviceHealth(f"pass_reader_{n}", "ok") for n in range(3)),
                DeviceHealth("printer", "ok", "demo printer writing to var/receipts"),
                DeviceHealth("terminal", "ok", "terminal_ready"),
                DeviceHealth("rfid", "ok"),
            ),
            service_mode="staffed",
            service_hours={"mode": "staffed", "override_until": "2026-12-07T02:00:00+00:00"},
        )

    def __getattr__(self, name: str) -> Any:
        from kiosk.maintenance.backend import ActionResult

        return lambda *_a: ActionResult(True, "maint.result.ok")


def test_maintenance_panel_keeps_a_full_log_inside_its_area(kiosk_factory: Callable[..., Kiosk]) -> None:
    import logging

    from kiosk.maintenance.logbuffer import attach_log_buffer

    logger = logging.getLogger("tests.ui.techfix")
    logger.setLevel(logging.INFO)
    buffer = attach_log_buffer(logger=logger)
    try:
        for n in range(60):
            logger.info("line %d of a busy day at the kiosk, long enough to fill the panel's width", n)
        zone = ZoneInfo("Europe/Amsterdam")
        kiosk = kiosk_factory(
            backend=_Backend(),
            log_buffer=buffer,
            settings=UiSettings(library_name="B", languages=("nl",), tick_interval=0, timezone=zone),
        )
        kiosk.root.show_maintenance_panel()
        kiosk.settle()
        kiosk.until(lambda: "Bemensing" in kiosk.texts(), "health shown")
        kiosk.frames(3)
    finally:
        logger.removeHandler(buffer)
    ids = kiosk.screen("maintenance").ids
    panel = ids.log_title.parent
    assert ids.title.y >= panel.top - 1  # the heading is never under the panel's contents
    for child in panel.children:  # everything the panel draws stays inside it
        assert panel.y - 1 <= child.y and child.top <= panel.top + 1, child
    assert ids.status_lines.parent.top <= panel.top + 1
    assert ids.log_scroll.top <= ids.log_title.y + 1  # the log stays below the status lines
    assert ids.log.parent == ids.log_scroll and "line 59" in ids.log.text  # clipped, newest shown
    texts = kiosk.texts()
    # The mode line in words, its end in the library's time (03:00 in Amsterdam), never the raw key or UTC.
    assert "Bemensing: bemand" in texts and "03:00" in texts
    assert "maint.dev" not in texts and "+00:00" not in texts and "T02:00" not in texts
