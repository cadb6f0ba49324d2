"""Speech output in device health and on the maintenance panel (the try-out's espeak-ng had no sound
device: one WARNING in the log, nothing on the panel), and speech mode's on/off state for the screen."""

from __future__ import annotations

from pathlib import Path

from drivers.errors import DeviceConnectionError
from drivers.speech import open_speech
from drivers.speech.backends import FakeSpeech
from drivers.speech.output import Job
from kiosk.assembly import build_kiosk
from kiosk.config import parse_config
from kiosk.core.view import Screen, SessionView
from kiosk.health import KioskHealth
from kiosk.i18n import Translator
from kiosk.speech_service import SpeechService
from kiosk.ui.screens.maintenance import device_name, state_name
from tests.foundation.waiting import wait_until

NO_DEVICE = "espeak-ng://?voice=nl&loudspeaker=no-such-sound-device"  # as on a kiosk without sound


class FlakySpeech(FakeSpeech):
    """Fails while ``broken`` (like a sound device that is unplugged), then plays again."""

    broken = True

    def _play(self, job: Job) -> None:
        if self.broken:
            raise DeviceConnectionError("sound device unplugged")
        super()._play(job)


def test_speech_that_cannot_play_is_an_error_in_health_and_on_the_panel(tmp_path: Path) -> None:
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\n[sip2]\npassword = "demo"\n[speech]\nurl = "{NO_DEVICE}"\n',
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config, readers=False)
    try:
        assert kiosk.speech is not None
        assert KioskHealth(kiosk).snapshot().device("speech") is not None  # listed before any word
        kiosk.speech.start("button")
        wait_until(lambda: kiosk.speech.output.errors > 0, what="espeak-ng failed on the missing device")
        speech = KioskHealth(kiosk).snapshot().device("speech")
    finally:
        kiosk.stop()
    assert speech is not None and speech.state == "error" and speech.detail == "DeviceConnectionError"
    t = Translator("nl")
    line = t(
        "maint.device",
        name=device_name(t, speech.name),
        state=state_name(t, speech.state),
        detail=f"({speech.detail})",
    )
    assert line == "Spraak: storing (DeviceConnectionError)"


def test_speech_that_failed_and_works_again_is_degraded() -> None:
    output = FlakySpeech()
    service = SpeechService(output)
    assert service.health() == ("ok", "")
    service.start("button")
    wait_until(lambda: output.errors > 0, what="the first utterance failed")
    assert service.health() == ("error", "DeviceConnectionError")
    output.broken = False  # the sound device is back
    service.on_view(SessionView(screen=Screen.MENU, language="nl"))
    service.on_view(SessionView(screen=Screen.ATTRACT, language="nl"))  # that session ended: speech off
    service.start("button")  # the next member
    wait_until(lambda: output.played > 0, what="spoken again")
    assert service.health() == ("degraded", "DeviceConnectionError")
    assert state_name(Translator("nl"), "degraded") == "met storingen"
    output.close()


def test_speech_mode_tells_listeners_when_it_goes_on_and_off() -> None:
    """What the screen's "Spraak" button needs to show its state."""
    output = open_speech("fake://")
    service = SpeechService(output)
    seen: list[bool] = []
    service.subscribe(seen.append)
    service.on_view(SessionView(screen=Screen.MENU, language="nl"))
    service.start("button")
    service.start("button")  # already on: no second notice
    assert service.active and seen == [True]
    service.on_view(SessionView(screen=Screen.ATTRACT, language="nl"))  # the session ended
    assert not service.active and seen == [True, False]
    output.close()
