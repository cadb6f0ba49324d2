"""The real espeak-ng (installed by scripts/setup.sh): Dutch speech rendered to WAV is audible and of
plausible length; audio reaches a sink; an utterance is cut off by killing its process; failures are
reported, not swallowed."""

from __future__ import annotations

import array
import io
import math
import threading
import wave
from pathlib import Path

import pytest

from drivers.speech import Channel, EspeakSpeech, SpeechText, find_espeak, open_speech

LIMIT = 60.0  # hang guard only

SENTENCE = "Welkom bij Bibliotheek Wierden. Scan de barcode van elk item, één voor één."


def rms_and_seconds(data: bytes) -> tuple[float, float, int]:
    """Root mean square of the 16-bit mono samples, duration in seconds, and the sample rate."""
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        rate, frames = wav.getframerate(), wav.getnframes()
        samples = array.array("h", wav.readframes(frames))
    assert len(samples) == frames
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
    return rms, frames / rate, rate


def test_dutch_speech_renders_to_an_audible_wav_of_plausible_length(tmp_path: Path) -> None:
    out = open_speech(f"wav://{tmp_path}?voice=nl&rate=160")
    try:
        out.say(SpeechText.public(SENTENCE), channel="loudspeaker")
        assert out.wait_idle(LIMIT)
        assert out.errors == 0, out.last_error
    finally:
        out.close()
    files = sorted(tmp_path.glob("*.wav"))
    assert [f.name for f in files] == ["00001-loudspeaker.wav"]
    rms, seconds, rate = rms_and_seconds(files[0].read_bytes())
    words = len(SENTENCE.split())  # 13 words at 160 words a minute ≈ 5 s; allow a wide margin
    assert 0.4 * words * 60 / 160 < seconds < 3 * words * 60 / 160, seconds
    assert rate >= 16000
    assert rms > 300, f"speech is (nearly) silent: RMS {rms:.0f}"


def test_wav_backend_keeps_personal_data_off_disk_unless_asked(tmp_path: Path) -> None:
    out = open_speech(f"wav://{tmp_path}")
    try:
        out.say([SpeechText.personal("De avonden"), SpeechText.public("Geleend")])
        assert out.wait_idle(LIMIT)
    finally:
        out.close()
    assert [f.name for f in sorted(tmp_path.glob("*.wav"))] == ["00001-headset.wav"]


def test_volume_reaches_espeak(tmp_path: Path) -> None:
    out = open_speech(f"wav://{tmp_path}?volume=50")
    try:
        out.say(SpeechText.public("Lenen"))
        assert out.wait_idle(LIMIT)
        out.set_volume(10)
        out.say(SpeechText.public("Lenen"))
        assert out.wait_idle(LIMIT)
    finally:
        out.close()
    loud, quiet = (rms_and_seconds(f.read_bytes())[0] for f in sorted(tmp_path.glob("*.wav")))
    assert quiet < loud / 2


def test_audio_sink_gets_wav_bytes_per_channel() -> None:
    got: list[tuple[Channel, bytes]] = []
    out = open_speech("espeak-ng://?voice=nl", audio_sink=lambda ch, b: got.append((ch, b)))
    try:
        out.say(SpeechText.public("Bedankt en tot ziens"), channel=Channel.HEADSET)
        assert out.wait_idle(LIMIT)
        assert out.errors == 0, out.last_error
    finally:
        out.close()
    assert got and {ch for ch, _ in got} == {Channel.HEADSET}
    data = b"".join(b for _, b in got)
    assert data[:4] == b"RIFF" and len(data) > 10_000


def test_interrupt_kills_the_running_espeak() -> None:
    first_audio = threading.Event()
    interrupted = threading.Event()
    chunks: list[bytes] = []

    def sink(channel: Channel, chunk: bytes) -> None:
        chunks.append(chunk)
        first_audio.set()
        interrupted.wait(LIMIT)  # hold the old utterance here until the new screen has been said

    out = open_speech("espeak-ng://?voice=nl&rate=80", audio_sink=sink)
    assert isinstance(out, EspeakSpeech)
    try:
        long_text = " ".join(["Dit is een hele lange zin die niemand tot het einde hoeft te horen."] * 40)
        out.say(SpeechText.public(long_text))
        assert first_audio.wait(LIMIT)
        old = out._proc
        assert old is not None
        out.say(SpeechText.public("Nieuw scherm"), interrupt=True)
        assert old.poll() is not None or old.wait(LIMIT) is not None  # killed, not left to finish
        assert old.returncode != 0
        cut_at = len(chunks)
        interrupted.set()
        assert out.wait_idle(LIMIT)
        assert out.errors == 0, out.last_error
    finally:
        interrupted.set()
        out.close()
    # 40 slow sentences are minutes of audio (≈ 15 MB); the old one delivered one chunk, the new one its own.
    assert cut_at == 1
    assert sum(len(c) for c in chunks) < 2_000_000


def test_a_sound_device_that_does_not_exist_is_reported() -> None:
    out = open_speech("espeak-ng://?voice=nl&headset=no-such-sound-device")
    try:
        out.say(SpeechText.public("test"), channel="headset")
        assert out.wait_idle(LIMIT)
        assert out.errors == 1
        assert "error" in out.last_error.lower()
        assert "test" not in out.last_error.split(":", 1)[-1].replace("no-such", "")
    finally:
        out.close()


def test_an_unknown_voice_is_reported(tmp_path: Path) -> None:
    out = open_speech(f"wav://{tmp_path}?voice=xx-nonexistent")
    try:
        out.say(SpeechText.public("test"))
        assert out.wait_idle(LIMIT)
    finally:
        out.close()
    assert out.errors == 1 and "voice" in out.last_error.lower()


@pytest.mark.parametrize("voice", ["nl", "en", "de", "tr"])
def test_every_catalog_language_has_a_voice(tmp_path: Path, voice: str) -> None:
    out = open_speech(f"wav://{tmp_path}?voice={voice}")
    try:
        out.say(SpeechText.public("OK"))
        assert out.wait_idle(LIMIT)
        assert out.errors == 0, out.last_error
    finally:
        out.close()


def test_a_hung_espeak_is_killed_and_reported_and_speech_goes_on(tmp_path: Path) -> None:
    hung = tmp_path / "espeak-ng-hung"
    hung.write_text("#!/bin/sh\nexec sleep 600\n")
    hung.chmod(0o755)
    out = open_speech(f"espeak-ng://?voice=nl&binary={hung}")
    assert isinstance(out, EspeakSpeech)
    out.min_time_limit = 0.2  # this test's stand-in hangs for ten minutes
    try:
        out.say([SpeechText.public("Lenen"), SpeechText.public("Inleveren")])
        assert out.wait_idle(LIMIT)
        assert out.errors == 2 and "did not finish" in out.last_error
        out.program, out.wav_dir = find_espeak(), tmp_path  # the worker survived: the next one plays
        out.say(SpeechText.public("Verlengen"))
        assert out.wait_idle(LIMIT)
        assert out.errors == 2 and len(out.files) == 1
    finally:
        out.close()
