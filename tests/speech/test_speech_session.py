"""A whole borrowing session spoken through ``fake://`` (issue 17): the core's views, through the
runtime, become the spoken sequence — screen by screen, no PIN digit ever, and on the loudspeaker no
name and no title (only "plug in headphones"); with a headset the details are spoken too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.speech import Channel, FakeSpeech, open_speech
from kiosk.core import Session
from kiosk.core import events as ev
from kiosk.core.state import SessionSettings
from kiosk.i18n import Translator
from kiosk.runtime import KioskRuntime
from kiosk.speech_service import SpeechService, screen_speech

PASS = "20105000012345"
PIN = "4711"
NAME = "Jan Jansen"
TITLE = "De avonden"
ITEM = "30301000500013"


Kiosk = tuple[KioskRuntime, SpeechService, FakeSpeech]


@pytest.fixture
def kiosk() -> Iterator[Kiosk]:
    settings = SessionSettings(pin="always", receipt="ask", languages=("nl", "en"), default_language="nl")
    runtime = KioskRuntime(Session(settings))
    output = open_speech("fake://")
    assert isinstance(output, FakeSpeech)
    speech = SpeechService(output, "nl", library="Bibliotheek Wierden")
    speech.attach(runtime)
    runtime.start()
    yield runtime, speech, output
    runtime.stop()
    output.close()


def borrow_session(runtime: KioskRuntime, speech: SpeechService, output: FakeSpeech) -> list[str]:
    def act(event: ev.Event) -> None:
        runtime.send(event)
        runtime.settle(timeout=30)
        assert output.wait_idle(30)  # the member listens to the end before acting (no interruption)

    runtime.send(ev.Tick(0.0))
    runtime.settle(timeout=30)
    speech.start("key")  # the tactile speech key on the attract screen
    assert output.wait_idle(30)  # the member hears the welcome out (else the next screen cuts it off)
    act(ev.PassPresented(PASS))
    for _ in PIN:
        speech.pin_key()
    assert output.wait_idle(30)
    act(ev.PinEntered(PIN))
    sid = runtime.session.state.session_id
    act(ev.PatronFound(sid, display_name=NAME, pin_valid=True))
    act(ev.StartBorrow())
    act(ev.ItemPresented(ITEM))
    act(ev.ItemCheckedOut(sid, ITEM, title=TITLE, due="20260323"))
    act(ev.Finish())
    act(ev.ReceiptChoice(False))
    assert output.wait_idle(30)
    return output.texts()


def assert_no_pin_digits(said: list[str]) -> None:
    """The PIN never, and between the PIN prompt and the check nothing but ticks and no digit at all."""
    t = Translator("nl")
    assert PIN not in " ".join(said)
    during = said[said.index(t("pin.title")) + 1 : said.index(t("identifying.title"))]
    assert during == [t("speech.pin_tick")] * len(PIN)


def test_a_borrowing_session_on_the_loudspeaker(kiosk: Kiosk) -> None:
    runtime, speech, output = kiosk
    said = borrow_session(runtime, speech, output)
    t = Translator("nl")
    expected_order = [
        t("speech.on"),
        t("attract.welcome", library="Bibliotheek Wierden"),
        t("pin.title"),
        t("speech.pin_tick"),
        t("identifying.title"),
        t("menu.question"),
        t("menu.greeting_anonymous"),
        t("borrow.title"),
        t("borrow.prompt"),  # the screen's instruction: no pad here, so the scanner's
        t("receipt.title"),
    ]
    positions = [said.index(text) for text in expected_order]
    assert positions == sorted(positions), said
    assert said.count(t("speech.pin_tick")) == len(PIN)
    joined = " ".join(said)
    assert NAME not in joined and TITLE not in joined  # personal data never on the loudspeaker
    assert_no_pin_digits(said)
    assert t("speech.headset_for_details") in said
    assert all(s.channel is Channel.LOUDSPEAKER for s in output.spoken)
    # the session ended: speech mode is off and the volume is back to the configured level
    assert not speech.active and output.volume == output.default_volume


@pytest.mark.parametrize("pad", [True, False])
def test_the_borrow_and_return_instruction_is_spoken_as_on_screen(pad: bool) -> None:
    from kiosk.core.view import Screen, SessionView
    from kiosk.speech_script import utterances

    t = Translator("nl")
    suffix = "_pad" if pad else ""
    for screen, key in ((Screen.BORROW, "borrow"), (Screen.RETURN, "return")):
        view = SessionView(screen=screen, language="nl")
        said = [u.text for u in utterances(screen_speech(view, pad=pad), "nl", Channel.LOUDSPEAKER)]
        assert said[:2] == [t(f"{key}.title"), t(f"{key}.prompt{suffix}")], said


def test_with_a_headset_the_details_are_spoken(kiosk: Kiosk) -> None:
    runtime, speech, output = kiosk
    speech.headset(True)  # plugging in starts speech mode
    said = borrow_session(runtime, speech, output)
    joined = " ".join(said)
    assert NAME in joined and TITLE in joined
    assert_no_pin_digits(said)
    assert all(s.channel is Channel.HEADSET for s in output.spoken)


def test_idle_warning_and_closing_countdown_are_spoken() -> None:
    from datetime import UTC, datetime

    from kiosk.core.service_hours import parse_service_hours

    hours = parse_service_hours({"schedule": {"timezone": "UTC", "monday": ["08:00-22:00 unstaffed"]}})
    settings = SessionSettings(pin="never", idle_timeout=60.0, idle_warning=20.0, hours=hours)
    runtime = KioskRuntime(Session(settings))
    output = open_speech("fake://")
    assert isinstance(output, FakeSpeech)
    speech = SpeechService(output, "nl")
    speech.attach(runtime)
    runtime.start()
    t = Translator("nl")
    try:
        for event in (
            ev.Tick(0.0),
            ev.WallClock(datetime(2026, 3, 2, 21, 40, tzinfo=UTC)),
            ev.PassPresented(PASS),
        ):
            runtime.send(event)
        runtime.settle(timeout=30)
        speech.start("button")
        runtime.send(ev.PatronFound(runtime.session.state.session_id, display_name=NAME))
        runtime.send(ev.WallClock(datetime(2026, 3, 2, 21, 51, tzinfo=UTC)))  # 9 minutes to closing
        runtime.send(ev.Tick(41.0))  # 19 s before the idle timeout: the warning
        runtime.settle(timeout=30)
        assert output.wait_idle(30)
        said = output.texts(include_interrupted=True)
        assert t("closing.countdown", minutes="9") in said
        assert t("idle.title") in said and t("speech.more_time") in said
    finally:
        runtime.stop()
        output.close()


def test_the_assembled_kiosk_wires_speech_from_config(tmp_path: object) -> None:
    from pathlib import Path

    from kiosk.assembly import build_kiosk
    from kiosk.config import parse_config

    base = Path(str(tmp_path))
    config = parse_config(
        f'[store]\npath = "{base}/kiosk.db"\nkey_file = "{base}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={base}/terminal.json"\n'
        '[speech]\nurl = "fake://"\njack = "fake://"\n',
        base_dir=base,
    )
    kiosk = build_kiosk(config, readers=False)
    try:
        speech = kiosk.speech
        assert isinstance(speech, SpeechService) and isinstance(speech.output, FakeSpeech)
        speech.headset(True)  # the (fake) jack reports a headset: speech mode starts
        assert speech.active and speech.channel is Channel.HEADSET
        assert speech.output.wait_idle(30)
        assert Translator("nl")("speech.on") in speech.output.texts()
    finally:
        kiosk.stop()
