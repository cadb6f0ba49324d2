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
from kiosk.speech_service import SpeechService

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
    during = said[said.index(t("pin.title")) + 1:said.index(t("identifying.title"))]
    assert during == [t("speech.pin_tick")] * len(PIN)


def test_a_borrowing_session_on_the_loudspeaker(kiosk: Kiosk) -> None:
    runtime, speech, output = kiosk
    said = borrow_session(runtime, speech, output)
    t = Translator("nl")
    expected_order = [t("speech.on"), t("attract.welcome", library="Bibliotheek Wierden"), t("pin.title"),
                      t("speech.pin_tick"),
                      t("identifying.title"), t("menu.question"), t("menu.greeting_anonymous"),
                      t("borrow.title"), t("receipt.title")]
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


def test_with_a_headset_the_details_are_spoken(kiosk: Kiosk) -> None:
    runtime, speech, output = kiosk
    speech.headset(True)  # plugging in starts speech mode
    said = borrow_session(runtime, speech, output)
    joined = " ".join(said)
    assert NAME in joined and TITLE in joined
    assert_no_pin_digits(said)
    assert all(s.channel is Channel.HEADSET for s in output.spoken)
