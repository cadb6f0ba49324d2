"""Try-out defect: the closed screen showed the next opening on the machine's clock (UTC on the kiosk)
instead of the library's (the schedule's time zone), as a bare date."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from kiosk.core import SessionSettings
from kiosk.core import events as ev
from kiosk.core.service_hours import parse_service_hours
from tests.ui.conftest import Kiosk
from tests.ui.sim_runtime import SimRuntime

pytestmark = pytest.mark.ui


@pytest.fixture
def machine_on_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The kiosk machine's own clock runs on UTC (as on the try-out kiosk)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_closed_screen_says_the_weekday_and_the_librarys_time(
    kiosk_factory: Callable[..., Kiosk], machine_on_utc: None
) -> None:
    hours = parse_service_hours(
        {"schedule": {"timezone": "Europe/Amsterdam", "monday": ["09:00-17:00 staffed"]}}
    )
    runtime = SimRuntime(SessionSettings(languages=("nl", "en", "de", "tr"), hours=hours))
    kiosk = kiosk_factory(runtime=runtime)
    kiosk.send(ev.WallClock(datetime(2026, 12, 6, 20, 0, tzinfo=UTC)))  # Sunday evening: closed
    assert kiosk.runtime.view.service.closed
    body = kiosk.screen("out_of_order").ids.body.text
    assert body == "We zijn weer open maandag 09:00."  # 08:00 UTC is 09:00 in Wierden
