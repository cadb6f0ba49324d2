"""Issue 17 on the widget tree: the touch UI and speech mode (``fake://`` output) — the PIN pad ticks,
the closing countdown banner, the on-screen "Spraak" button."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from drivers.speech import FakeSpeech, open_speech
from kiosk.core import events as ev
from kiosk.speech_service import SpeechService
from sip2.simulator import demo
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


@pytest.fixture
def spoken() -> Iterator[FakeSpeech]:
    output = open_speech("fake://")
    assert isinstance(output, FakeSpeech)
    yield output
    output.close()


def speaking_kiosk(kiosk_factory: Callable[..., Kiosk], output: FakeSpeech) -> tuple[Kiosk, SpeechService]:
    from kiosk.core import SessionSettings
    from tests.ui.sim_runtime import SimRuntime

    session = SessionSettings(languages=("nl", "en", "de", "tr"), idle_timeout=60, idle_warning=15)
    runtime = SimRuntime(session)
    speech = SpeechService(output, "nl", library="Bibliotheek Wierden")
    speech.attach(runtime)
    return kiosk_factory(runtime=runtime, speech=speech), speech


def test_pin_digits_in_speech_mode_are_ticks_only(
    kiosk_factory: Callable[..., Kiosk], spoken: FakeSpeech
) -> None:
    kiosk, speech = speaking_kiosk(kiosk_factory, spoken)
    speech.start("key")
    kiosk.send(ev.PassPresented(demo.NORMAL))
    assert kiosk.root.current == "pin"
    assert spoken.wait_idle(30)
    before = len(spoken.texts())
    pad = kiosk.screen("pin").ids.pad
    for digit in demo.NORMAL_PIN:
        kiosk.tap(next(b for b in pad.children if b.key == digit))
    assert pad.length == len(demo.NORMAL_PIN)
    assert spoken.wait_idle(30)
    assert spoken.texts()[before:] == ["cijfer"] * len(demo.NORMAL_PIN)
    assert not any(demo.NORMAL_PIN in text for text in spoken.texts(include_interrupted=True))


def test_pin_digits_without_speech_mode_say_nothing(
    kiosk_factory: Callable[..., Kiosk], spoken: FakeSpeech
) -> None:
    kiosk, _speech = speaking_kiosk(kiosk_factory, spoken)
    kiosk.send(ev.PassPresented(demo.NORMAL))
    pad = kiosk.screen("pin").ids.pad
    for digit in demo.NORMAL_PIN:
        kiosk.tap(next(b for b in pad.children if b.key == digit))
    assert pad.length == len(demo.NORMAL_PIN)
    assert spoken.wait_idle(30)
    assert spoken.texts(include_interrupted=True) == []


def test_the_closing_countdown_banner_in_the_members_language(kiosk_factory: Callable[..., Kiosk]) -> None:
    from datetime import UTC, datetime, timedelta

    from kiosk.core import SessionSettings
    from kiosk.core.service_hours import parse_service_hours
    from tests.ui.sim_runtime import SimRuntime

    hours = parse_service_hours(
        {
            "schedule": {
                "timezone": "UTC",
                "closing_warning_minutes": 10,
                "last_session_minutes": 1,
                "monday": ["08:00-17:00 staffed", "17:00-22:00 unstaffed"],
            }
        }
    )  # 2026-03-02 is a Monday
    runtime = SimRuntime(
        SessionSettings(languages=("nl", "en", "de", "tr"), idle_timeout=60, idle_warning=15, hours=hours)
    )
    kiosk = kiosk_factory(runtime=runtime)
    evening = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
    kiosk.send(ev.WallClock(evening))
    assert not kiosk.root.banner_shown  # an hour before closing: no countdown
    header_height, help_pos = kiosk.root.header.height, tuple(kiosk.root.help_button.pos)
    kiosk.send(ev.WallClock(evening + timedelta(minutes=53)))
    assert kiosk.root.banner_shown
    assert kiosk.texts_of(kiosk.root.banner) == "De bibliotheek sluit over 7 minuten."
    kiosk.frames(3)
    assert kiosk.root.header.height == header_height and tuple(kiosk.root.help_button.pos) == help_pos
    kiosk.tap(next(b for b in kiosk.screen("attract").ids.languages.children if b.lang == "en"))
    assert kiosk.runtime.view.language == "en"
    assert kiosk.texts_of(kiosk.root.banner) == "The library closes in 7 minutes."
    kiosk.send(ev.WallClock(evening + timedelta(hours=1, seconds=1)))  # closed: the closed screen instead
    assert not kiosk.root.banner_shown


def test_the_spraak_button_starts_speech_mode(
    kiosk_factory: Callable[..., Kiosk], spoken: FakeSpeech
) -> None:
    from kiosk.ui.look import look

    kiosk, speech = speaking_kiosk(kiosk_factory, spoken)
    assert kiosk.root.current == "attract"
    button = kiosk.find(lambda w: getattr(w, "text", "") == "Spraak", kiosk.screen("attract"))
    assert button is kiosk.screen("attract")._speech
    bar = button.parent
    assert bar.children[-1] is button and kiosk.button("attract", "large_text").parent is bar  # first, fixed
    assert button.height >= look.sizes["button_height"] and button.width >= look.sizes["button_height"]
    assert not speech.active
    kiosk.tap(button)
    assert speech.active
    assert spoken.wait_idle(30)
    assert spoken.texts()[0].startswith("Spraak staat aan")
    kiosk.tap(next(b for b in kiosk.screen("attract").ids.languages.children if b.lang == "de"))
    assert kiosk.button("attract", "speech").text == "Vorlesen"


def test_no_spraak_button_without_speech_output(kiosk: Kiosk) -> None:
    assert kiosk.screen("attract")._speech.parent is None
    assert "Spraak" not in kiosk.texts()
