"""Speech output (EN 301 549 §5.1.3): text-to-speech for the headset and the loudspeaker, by URL.

URLs (``[speech] url``, wired by the kiosk):

* ``espeak-ng://?voice=nl&rate=160&volume=50&pitch=50&headset=DEV&loudspeaker=DEV`` — Debian's espeak-ng
  as a subprocess per utterance. ``headset``/``loudspeaker`` name the sound device of each channel
  (espeak-ng's ``-d``); without them the system's default device is used for both (on a PC whose jack
  detection mutes the speaker when a headset is plugged in, that is the headset).
* ``wav://DIR?voice=nl&personal=no`` — DEMO/TEST ONLY: writes each utterance to a WAV file in DIR.
  Personal texts (names, titles, amounts owed) are skipped unless ``personal=yes``.
* ``fake://?hold=no`` — records what was spoken (tests).

Headset jack detection (``[speech] jack``): ``evdev:///dev/input/...?switch=headphone`` or ``fake://``,
see :mod:`drivers.speech.jack` (:func:`open_jack`).

Every backend has the same non-blocking interface (:class:`SpeechOutput`): ``say(texts, channel=...,
interrupt=...)``, ``stop()``, ``set_volume()``, ``set_rate()``, ``reset()``. It accepts only
:class:`SpeechText`, which keeps PIN digits and personal data where they belong (see :mod:`.text`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.errors import DeviceConfigurationError
from drivers.speech.backends import AudioSink, EspeakSpeech, FakeSpeech, Spoken, find_espeak
from drivers.speech.jack import EvdevJack, FakeJack, open_jack
from drivers.speech.output import RATE_RANGE, VOLUME_RANGE, SpeechOutput, SpeechUnavailableError
from drivers.speech.text import Channel, Privacy, SpeechText, allowed_on, redact_digits
from drivers.url import DeviceURL, parse_device_url

__all__ = [
    "SCHEMES",
    "AudioSink",
    "Channel",
    "EspeakSpeech",
    "EvdevJack",
    "FakeJack",
    "FakeSpeech",
    "Privacy",
    "SpeechOutput",
    "SpeechText",
    "SpeechUnavailableError",
    "Spoken",
    "allowed_on",
    "find_espeak",
    "open_jack",
    "open_speech",
    "redact_digits",
]

SCHEMES = ("espeak-ng", "wav", "fake")
_VOICE_OPTIONS = ("voice", "rate", "volume", "pitch", "binary")


def _ranged(url: DeviceURL, name: str, default: int, low: int, high: int) -> int:
    value = url.option_int(name, default, minimum=low)
    if value > high:
        raise DeviceConfigurationError(f"{url.url}: option {name}={value} must be at most {high}")
    return value


def _espeak(url: DeviceURL, **extra: Any) -> EspeakSpeech:
    voice = url.option("voice", "nl")
    if not voice or not all(c.isalnum() or c in "-_+/" for c in voice):
        raise DeviceConfigurationError(f"{url.url}: option voice={voice!r}; expected e.g. nl, en-gb, de, tr")
    return EspeakSpeech(
        voice=voice,
        rate=_ranged(url, "rate", 160, *RATE_RANGE),
        volume=_ranged(url, "volume", 50, *VOLUME_RANGE),
        pitch=_ranged(url, "pitch", 50, 0, 99),
        binary=url.option("binary", "espeak-ng"),
        **extra,
    )


def open_speech(url: str, *, audio_sink: AudioSink | None = None) -> SpeechOutput:
    """Open the speech output named by ``url``.

    Raises :class:`~drivers.errors.DeviceConfigurationError` for a bad URL, and its subclass
    :class:`SpeechUnavailableError` when espeak-ng is not installed (the message says how to install it).
    Nothing is started until the first ``say()``.
    """
    parsed = parse_device_url(url, SCHEMES)
    if parsed.scheme == "fake":
        parsed.check_options(("hold", "volume", "rate"))
        return FakeSpeech(
            hold=parsed.option_bool("hold", False),
            volume=_ranged(parsed, "volume", 50, *VOLUME_RANGE),
            rate=_ranged(parsed, "rate", 160, *RATE_RANGE),
        )
    if parsed.scheme == "wav":
        parsed.check_options((*_VOICE_OPTIONS, "personal"))
        if not parsed.target:
            raise DeviceConfigurationError(f"{url}: expected a directory, e.g. wav://var/speech")
        directory = Path(parsed.target)
        if not directory.is_dir():
            raise DeviceConfigurationError(f"{url}: {directory} is not a directory")
        return _espeak(parsed, wav_dir=directory, personal_to_files=parsed.option_bool("personal", False))
    parsed.check_options((*_VOICE_OPTIONS, "headset", "loudspeaker"))
    if parsed.target:
        raise DeviceConfigurationError(f"{url}: espeak-ng:// takes only options, e.g. espeak-ng://?voice=nl")
    devices = {ch: parsed.options[ch.value] for ch in Channel if parsed.options.get(ch.value)}
    return _espeak(parsed, devices=devices, audio_sink=audio_sink)
