"""Try-out defect: in unstaffed hours the kiosk contradicted itself, "there is no staff now" followed by
"ask a member of staff", and the help dialog still pointed at the desk with a picture of staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kiosk.core import SessionSettings
from kiosk.core import events as ev
from kiosk.core.service_hours import parse_service_hours
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.sim_runtime import SimRuntime
from tests.ui.test_flows import log_in

pytestmark = pytest.mark.ui

MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def kiosk_in(kiosk_factory: Callable[..., Kiosk], mode: str) -> Kiosk:
    hours = parse_service_hours({"schedule": {"timezone": "UTC", "monday": [f"00:00-24:00 {mode}"]}})
    runtime = SimRuntime(SessionSettings(languages=("nl", "en", "de", "tr"), hours=hours))
    kiosk = kiosk_factory(runtime=runtime)
    kiosk.send(ev.WallClock(MONDAY_NOON))
    return kiosk


def help_dialog(kiosk: Kiosk) -> object:
    kiosk.tap(kiosk.root.help_button)
    return kiosk.find(lambda w: getattr(w, "dialog_kind", "") == "help.title")


def test_a_blocked_pass_in_unstaffed_hours_is_not_sent_to_staff(kiosk_factory: Callable[..., Kiosk]) -> None:
    kiosk = kiosk_in(kiosk_factory, "unstaffed")
    log_in(kiosk, demo.BLOCKED, demo.BLOCKED_PIN)
    assert kiosk.root.current == "notice"
    shown = kiosk.texts()
    assert "Er is nu geen medewerker" in shown
    assert "medewerker om hulp" not in shown and "balie" not in shown
    assert shown.count("Kom terug tijdens de bemande uren") == 1


def test_the_help_dialog_in_unstaffed_hours_says_there_is_no_staff(
    kiosk_factory: Callable[..., Kiosk],
) -> None:
    from kivy.uix.image import Image

    kiosk = kiosk_in(kiosk_factory, "unstaffed")
    dialog = help_dialog(kiosk)
    text = kiosk.texts_of(dialog)
    assert "Er is nu geen medewerker" in text and "Vraag het een medewerker" not in text
    pictures = [w.source for w in dialog.walk() if isinstance(w, Image)]
    assert not any(p.endswith("staff.png") for p in pictures)


def test_staffed_hours_keep_the_desk(kiosk_factory: Callable[..., Kiosk]) -> None:
    from kivy.uix.image import Image

    kiosk = kiosk_in(kiosk_factory, "staffed")
    dialog = help_dialog(kiosk)
    assert "Vraag het een medewerker" in kiosk.texts_of(dialog)
    assert any(w.source.endswith("staff.png") for w in dialog.walk() if isinstance(w, Image))
