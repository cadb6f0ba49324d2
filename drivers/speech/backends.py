"""Speech backends: Debian's espeak-ng as a subprocess (to a sound device, a WAV file or a callback),
and a fake that records what was spoken.

espeak-ng gets the text on stdin, never on its command line (a command line is visible to every user of
the machine in ``ps``), and is started once per utterance: it starts in a few milliseconds, and killing
it is the simplest sure way to cut an utterance off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from drivers.errors import DeviceConnectionError, DeviceTimeoutError
from drivers.speech.output import Job, SpeechOutput, SpeechUnavailableError
from drivers.speech.text import Channel, Privacy

ESPEAK = "espeak-ng"
INSTALL_HINT = "install the Debian package espeak-ng (apt-get install espeak-ng)"

AudioSink = Callable[[Channel, bytes], None]


@dataclass(frozen=True, slots=True)
class Spoken:
    """What a :class:`FakeSpeech` played: the text, where, at which settings, and whether it was cut off."""

    text: str
    channel: Channel
    volume: int
    rate: int
    privacy: Privacy
    masked: bool
    interrupted: bool = False


class FakeSpeech(SpeechOutput):
    """Records utterances instead of playing them (``fake://``; tests and the demo).

    With ``hold=True`` each utterance "plays" until :meth:`release` lets it finish or it is cut off, so
    tests can see queueing and interruption happen without timing anything.
    """

    def __init__(self, *, hold: bool = False, volume: int = 50, rate: int = 160) -> None:
        super().__init__(volume=volume, rate=rate)
        self.hold = hold
        self.started: list[Spoken] = []
        self.spoken: list[Spoken] = []
        self._fake = threading.Condition()
        self._permits = 0

    def _play(self, job: Job) -> None:
        record = Spoken(job.text.text, job.channel, job.volume, job.rate, job.text.privacy, job.text.masked)
        with self._fake:
            self.started.append(record)
            self._fake.notify_all()
            if self.hold:
                self._fake.wait_for(lambda: self._permits > 0 or job.cancel.is_set())
                if not job.cancel.is_set():
                    self._permits -= 1
            cut = job.cancel.is_set()
            self.spoken.append(replace(record, interrupted=cut))
            self._fake.notify_all()

    def _cut_off(self, job: Job) -> None:
        with self._fake:
            self._fake.notify_all()

    def release(self, count: int = 1) -> None:
        """Let ``count`` held utterances finish."""
        with self._fake:
            self._permits += count
            self._fake.notify_all()

    def wait_started(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` utterances have started playing."""
        with self._fake:
            return self._fake.wait_for(lambda: len(self.started) >= count, timeout)

    def texts(self, *, include_interrupted: bool = False) -> list[str]:
        """The texts played to the end (and, if asked, those cut off), in order."""
        with self._fake:
            return [s.text for s in self.spoken if include_interrupted or not s.interrupted]


def find_espeak(binary: str = ESPEAK) -> str:
    """The path of the espeak-ng program, or :class:`SpeechUnavailableError` saying how to get it."""
    found = shutil.which(binary)
    if found is None:
        raise SpeechUnavailableError(f"speech output needs {binary!r}, which was not found: {INSTALL_HINT}")
    return found


class EspeakSpeech(SpeechOutput):
    """espeak-ng as one subprocess per utterance (``espeak-ng://?voice=nl&rate=160``).

    The audio goes to the device configured for the channel (``-d``: ``headset=``/``loudspeaker=`` ALSA
    or PulseAudio device names; the system's default device when not given), or, with ``audio_sink``,
    as WAV bytes to that callback (the benchmark and tests), or to a WAV file per utterance (``wav_dir``).
    """

    def __init__(
        self,
        *,
        voice: str = "nl",
        rate: int = 160,
        volume: int = 50,
        pitch: int = 50,
        devices: dict[Channel, str] | None = None,
        binary: str = ESPEAK,
        audio_sink: AudioSink | None = None,
        wav_dir: Path | None = None,
        personal_to_files: bool = False,
    ) -> None:
        super().__init__(volume=volume, rate=rate)
        self.program = find_espeak(binary)
        if not 0 <= pitch <= 99:
            raise ValueError(f"speech pitch {pitch}; expected 0-99")
        self.voice, self.pitch = voice, pitch
        self.devices = dict(devices or {})
        self.audio_sink = audio_sink
        self.wav_dir = wav_dir
        self.personal_to_files = personal_to_files
        self.files: list[Path] = []  # WAV files written (wav_dir only)
        self._proc_lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._sequence = 0
        self.min_time_limit = 20.0  # seconds; see time_limit()

    def command(self, job: Job, wav_path: Path | None = None) -> list[str]:
        """The espeak-ng command line for ``job`` (the text itself goes to stdin)."""
        argv = [
            self.program,
            "-v",
            self.voice,
            "-s",
            str(job.rate),
            "-a",
            str(job.volume * 2),
            "-p",
            str(self.pitch),
            "-b",
            "1",
            "--stdin",
        ]
        if wav_path is not None:
            argv += ["-w", str(wav_path)]
        elif self.audio_sink is not None:
            argv.append("--stdout")
        elif job.channel in self.devices:
            argv += ["-d", self.devices[job.channel]]
        return argv

    def _play(self, job: Job) -> None:
        wav_path = None
        if self.wav_dir is not None:
            if job.text.privacy is Privacy.PERSONAL and not self.personal_to_files:
                return  # privacy: personal data is not written to disk unless asked for (demo only)
            self._sequence += 1
            wav_path = self.wav_dir / f"{self._sequence:05d}-{job.channel.value}.wav"
        argv = self.command(job, wav_path)
        with self._proc_lock:
            if job.cancel.is_set():
                return
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    stdout=subprocess.PIPE if (self.audio_sink and wav_path is None) else subprocess.DEVNULL,
                )
            except OSError as exc:
                raise SpeechUnavailableError(f"cannot start {self.program}: {exc.strerror}") from exc
            self._proc = proc
        text = job.text.text.encode("utf-8")
        expired = threading.Event()
        watchdog = threading.Timer(self.time_limit(job), self._expire, args=(proc, expired))
        watchdog.daemon = True
        watchdog.start()
        try:
            if proc.stdout is not None and self.audio_sink is not None:
                assert proc.stdin is not None and proc.stderr is not None
                try:
                    proc.stdin.write(text)
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
                fd = proc.stdout.fileno()
                while chunk := os.read(fd, 4096):
                    if job.cancel.is_set():
                        break
                    self.audio_sink(job.channel, chunk)
                proc.stdout.close()
                err = proc.stderr.read()
                proc.wait()
            else:
                _, err = proc.communicate(text)
        finally:
            watchdog.cancel()
            with self._proc_lock:
                self._proc = None
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if job.cancel.is_set():
            return
        if expired.is_set():
            raise DeviceTimeoutError(f"{self.program} did not finish within {self.time_limit(job):.0f} s")
        problem = _problem(proc.returncode, err)
        if problem:
            raise DeviceConnectionError(f"{self.program} (voice {self.voice}): {problem}")
        if wav_path is not None:
            self.files.append(wav_path)

    def _cut_off(self, job: Job) -> None:
        with self._proc_lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()

    def time_limit(self, job: Job) -> float:
        """How long one utterance may take before espeak-ng counts as hung (a blocked sound device):
        generously twice its speaking time at the job's rate (≈ 6 characters a word), plus a margin."""
        seconds_per_char = 60 / (job.rate * 6)
        return self.min_time_limit + 2 * len(job.text.text) * seconds_per_char

    def _expire(self, proc: subprocess.Popen[bytes], expired: threading.Event) -> None:
        expired.set()
        if proc.poll() is None:
            proc.kill()


def _problem(returncode: int, stderr: bytes) -> str:
    """What went wrong, from espeak-ng's exit status and its messages (it exits 0 when the sound device
    or the WAV file cannot be opened, and says so on stderr)."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    complaints = [ln for ln in lines if ln.lower().startswith(("error", "can't", "cannot"))]
    if returncode != 0 or complaints:
        detail = "; ".join(complaints or lines[-1:]) or "no message"
        return f"exit status {returncode}: {detail}"
    return ""
