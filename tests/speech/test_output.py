"""The speech output's queue, interruption, privacy rule, volume reset and URL parsing, on the fake backend
(the same worker and queue code the espeak-ng backend runs)."""

from __future__ import annotations

import pytest

from drivers.errors import DeviceConfigurationError, DriverError
from drivers.speech import (
    Channel,
    EspeakSpeech,
    FakeSpeech,
    Privacy,
    SpeechText,
    SpeechUnavailableError,
    open_speech,
    redact_digits,
)

LIMIT = 30.0  # seconds: a hang guard, never a speed goal


@pytest.fixture
def held() -> FakeSpeech:
    out = open_speech("fake://?hold=yes")
    assert isinstance(out, FakeSpeech)
    yield out
    out.close()


def P(text: str) -> SpeechText:
    return SpeechText.public(text)


def test_say_does_not_wait_for_the_audio_and_plays_in_order(held: FakeSpeech) -> None:
    assert held.say([P("Lenen"), P("Scan de barcode")]) == 2  # returns although nothing can finish yet
    assert held.wait_started(1, LIMIT)
    assert held.busy()
    held.release(2)
    assert held.wait_idle(LIMIT)
    assert held.texts() == ["Lenen", "Scan de barcode"]
    assert not held.busy()


def test_a_new_screen_interrupts_older_speech(held: FakeSpeech) -> None:
    held.say([P("oud 1"), P("oud 2"), P("oud 3")])
    assert held.wait_started(1, LIMIT)
    held.say(P("nieuw scherm"), interrupt=True)
    held.release(5)
    assert held.wait_idle(LIMIT)
    assert held.texts() == ["nieuw scherm"]  # "oud 1" cut off, "oud 2/3" never played
    assert [s.text for s in held.spoken if s.interrupted] == ["oud 1"]
    assert [s.text for s in held.started] == ["oud 1", "nieuw scherm"]


def test_without_interrupt_new_speech_waits_its_turn(held: FakeSpeech) -> None:
    held.say(P("eerst"))
    assert held.wait_started(1, LIMIT)
    held.say(P("daarna"))
    held.release(2)
    assert held.wait_idle(LIMIT)
    assert held.texts() == ["eerst", "daarna"]


def test_stop_silences_everything(held: FakeSpeech) -> None:
    held.say([P("a"), P("b")])
    assert held.wait_started(1, LIMIT)
    held.stop()
    assert held.wait_idle(LIMIT)
    assert held.texts() == [] and len(held.started) == 1


def test_personal_data_never_reaches_the_loudspeaker() -> None:
    out = FakeSpeech()
    try:
        queued = out.say([P("Lenen"), SpeechText.personal("De avonden"), P("Geleend")], channel="loudspeaker")
        assert queued == 2 and out.dropped_private == 1
        out.say(SpeechText.personal("De avonden"), channel=Channel.HEADSET)
        assert out.wait_idle(LIMIT)
        assert [(s.text, s.channel) for s in out.spoken] == [
            ("Lenen", Channel.LOUDSPEAKER),
            ("Geleend", Channel.LOUDSPEAKER),
            ("De avonden", Channel.HEADSET),
        ]
    finally:
        out.close()


def test_volume_and_rate_apply_to_new_speech_and_reset_restores_them() -> None:
    out = open_speech("fake://?volume=40&rate=150")
    assert isinstance(out, FakeSpeech)
    try:
        out.set_volume(90)
        out.set_rate(220)
        out.say(P("hard en snel"))
        assert out.wait_idle(LIMIT)
        out.reset()  # next member
        out.say(P("normaal"))
        assert out.wait_idle(LIMIT)
        assert [(s.volume, s.rate) for s in out.spoken] == [(90, 220), (40, 150)]
        with pytest.raises(ValueError, match="0-100"):
            out.set_volume(101)
        with pytest.raises(ValueError, match="words per minute"):
            out.set_rate(10)
    finally:
        out.close()


def test_reset_cuts_off_the_previous_members_speech(held: FakeSpeech) -> None:
    held.say(SpeechText.personal("Titel van de vorige lener"))
    assert held.wait_started(1, LIMIT)
    held.reset()
    assert held.wait_idle(LIMIT)
    assert held.texts() == []


def test_pin_digits_are_spoken_as_ticks_only() -> None:
    tick = SpeechText.pin_tick("cijfer")
    assert tick.masked and tick.text == "cijfer"
    with pytest.raises(ValueError, match="digit"):
        SpeechText.pin_tick("7")
    masked = redact_digits("4711", "cijfer")
    assert masked.text == "cijfer cijfer cijfer cijfer" and masked.masked
    assert not any(ch.isdigit() for ch in masked.text)
    assert "4711" not in repr(redact_digits("4711", "cijfer"))


def test_texts_are_not_in_repr() -> None:
    text = SpeechText.personal("Jansen")
    assert "Jansen" not in repr(text) and "personal" in repr(text)
    assert text.privacy is Privacy.PERSONAL


def test_say_takes_only_speech_text() -> None:
    out = FakeSpeech()
    try:
        with pytest.raises(TypeError, match="SpeechText"):
            out.say(["plain str"])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="headset"):
            out.say(P("x"), channel="kitchen")
        assert out.say(P("   ")) == 0  # nothing to say
    finally:
        out.close()


def test_a_failing_backend_is_counted_and_the_worker_survives() -> None:
    class Broken(FakeSpeech):
        def _play(self, job):  # type: ignore[no-untyped-def]
            if job.text.text == "boom":
                raise OSError("sound card gone")
            super()._play(job)

    out = Broken()
    try:
        out.say([P("boom"), P("daarna")])
        assert out.wait_idle(LIMIT)
        assert out.errors == 1 and "sound card gone" in out.last_error
        assert out.texts() == ["daarna"]
    finally:
        out.close()


def test_closed_output_refuses_speech() -> None:
    out = FakeSpeech()
    out.say(P("x"))
    out.close()
    with pytest.raises(RuntimeError, match="closed"):
        out.say(P("y"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("speaker://", "unsupported scheme"),
        ("fake://?colour=red", "unknown option"),
        ("espeak-ng://?rate=9000", "at most 450"),
        ("espeak-ng://?volume=-1", "at least 0"),
        ("espeak-ng://?voice=nl;rm", "voice="),
        ("espeak-ng://somewhere", "only options"),
        ("wav://", "expected a directory"),
        ("wav:///no/such/dir", "not a directory"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(DeviceConfigurationError, match=message):
        open_speech(url)


def test_missing_espeak_is_a_clear_driver_error() -> None:
    with pytest.raises(SpeechUnavailableError, match="apt-get install espeak-ng") as caught:
        open_speech("espeak-ng://?voice=nl&binary=espeak-ng-not-installed")
    assert isinstance(caught.value, DriverError)


def test_espeak_command_sends_the_text_on_stdin_and_routes_channels() -> None:
    out = open_speech("espeak-ng://?voice=nl&rate=170&volume=60&headset=hw:1&loudspeaker=default")
    assert isinstance(out, EspeakSpeech)
    from drivers.speech.output import Job

    job = Job(SpeechText.personal("Geheime titel"), Channel.HEADSET, 60, 170, 0)
    argv = out.command(job)
    assert argv[1:] == ["-v", "nl", "-s", "170", "-a", "120", "-p", "50", "-b", "1", "--stdin", "-d", "hw:1"]
    assert "Geheime titel" not in " ".join(argv)
    loud = Job(SpeechText.public("Lenen"), Channel.LOUDSPEAKER, 60, 170, 0)
    assert out.command(loud)[-2:] == ["-d", "default"]
    out.close()
