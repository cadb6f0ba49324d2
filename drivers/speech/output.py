"""The speech output every backend shares: a queue, one worker thread, interruption, volume and reset.

``say()`` never blocks the caller (the UI thread): it puts the utterances on a queue and returns. One
worker thread, started on the first ``say()``, plays them in order. ``say(..., interrupt=True)`` — what a
new screen does — drops everything queued and cuts off the utterance being played (EN 301 549 §5.1.3.5,
"automatic interruption" when the member acts). ``reset()`` is called for each member: it stops speech and
restores the configured volume and speed (§5.1.3.13, volume reset after each user).

The privacy rule is enforced here, whatever the caller does: a personal text on the loudspeaker is
dropped (and counted in :attr:`SpeechOutput.dropped_private`), never played. Texts are never logged.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from drivers.errors import SpeechUnavailableError as SpeechUnavailableError  # re-export
from drivers.speech.text import Channel, SpeechText, allowed_on, parse_channel

log = logging.getLogger(__name__)

VOLUME_RANGE = (0, 100)  # percent of the backend's full scale
RATE_RANGE = (80, 450)  # words per minute (espeak-ng's -s)


@dataclass(frozen=True, slots=True)
class Job:
    """One queued utterance with the settings it is to be played with."""

    text: SpeechText
    channel: Channel
    volume: int
    rate: int
    generation: int
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


def check_volume(level: int) -> int:
    """Validate a volume in percent (0–100)."""
    low, high = VOLUME_RANGE
    if isinstance(level, bool) or not isinstance(level, int) or not low <= level <= high:
        raise ValueError(f"speech volume {level!r}; expected a whole number 0-100 (percent)")
    return level


def check_rate(rate: int) -> int:
    """Validate a speaking rate in words per minute (80–450)."""
    if isinstance(rate, bool) or not isinstance(rate, int) or not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise ValueError(f"speech rate {rate!r}; expected words per minute {RATE_RANGE[0]}-{RATE_RANGE[1]}")
    return rate


class SpeechOutput(ABC):
    """A non-blocking speech output; subclasses implement :meth:`_play` (and :meth:`_cut_off`)."""

    def __init__(self, *, volume: int = 50, rate: int = 160) -> None:
        self.default_volume = check_volume(volume)
        self.default_rate = check_rate(rate)
        self.volume = self.default_volume
        self.rate = self.default_rate
        self.errors = 0  # utterances the backend failed to play
        self.last_error = ""  # what went wrong last (never the text)
        self.played = 0  # utterances played to the end (or cut off) without an error
        self.failing = False  # the last utterance failed: the output is not working now
        self.dropped_private = 0  # personal texts refused on the loudspeaker
        self._cond = threading.Condition()
        self._queue: deque[Job] = deque()
        self._current: Job | None = None
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- the interface the kiosk uses -------------------------------------------------------------------

    def say(
        self,
        texts: SpeechText | Iterable[SpeechText],
        *,
        channel: Channel | str = Channel.HEADSET,
        interrupt: bool = False,
    ) -> int:
        """Queue ``texts`` for ``channel``; with ``interrupt``, first drop and cut off older speech.

        Returns how many utterances were queued (personal texts on the loudspeaker and blank ones are
        not). Never blocks on the audio.
        """
        where = parse_channel(channel)
        items = [texts] if isinstance(texts, SpeechText) else list(texts)
        for item in items:
            if not isinstance(item, SpeechText):
                raise TypeError("say() takes SpeechText (use SpeechText.public/personal/pin_tick)")
        cut: Job | None = None
        with self._cond:
            if self._closed:
                raise RuntimeError("speech output is closed")
            if interrupt:
                cut = self._drop_locked()
            queued = 0
            for item in items:
                if item.blank:
                    continue
                if not allowed_on(item, where):
                    self.dropped_private += 1
                    log.debug("personal utterance not played on the loudspeaker")
                    continue
                self._queue.append(Job(item, where, self.volume, self.rate, self._generation))
                queued += 1
            self._start_locked()
            self._cond.notify_all()
        if cut is not None:
            self._cut_off(cut)
        return queued

    def stop(self) -> None:
        """Drop queued speech and cut off the utterance being played."""
        with self._cond:
            cut = self._drop_locked()
            self._cond.notify_all()
        if cut is not None:
            self._cut_off(cut)

    def set_volume(self, level: int) -> None:
        """Set the volume (percent, 0–100) for utterances queued from now on."""
        level = check_volume(level)
        with self._cond:
            self.volume = level

    def set_rate(self, rate: int) -> None:
        """Set the speaking rate (words per minute) for utterances queued from now on."""
        rate = check_rate(rate)
        with self._cond:
            self.rate = rate

    def reset(self) -> None:
        """For each new member: stop speech, restore the configured volume and speed."""
        self.stop()
        with self._cond:
            self.volume, self.rate = self.default_volume, self.default_rate

    def busy(self) -> bool:
        """True while something is queued or being played."""
        with self._cond:
            return bool(self._queue) or self._current is not None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been played (or dropped); False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and self._current is None, timeout)

    def close(self) -> None:
        """Stop speech and end the worker thread (the output cannot be used afterwards)."""
        self.stop()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    # -- for backends ----------------------------------------------------------------------------------

    @abstractmethod
    def _play(self, job: Job) -> None:
        """Play one utterance; return when it has ended or ``job.cancel`` was set (raise on failure)."""

    @abstractmethod
    def _cut_off(self, job: Job) -> None:
        """Make a running :meth:`_play` of ``job`` return soon (``job.cancel`` is already set)."""

    # -- internals -------------------------------------------------------------------------------------

    def _drop_locked(self) -> Job | None:
        self._generation += 1
        self._queue.clear()
        current = self._current
        if current is not None:
            current.cancel.set()
        return current

    def _start_locked(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._work, name=f"speech-{type(self).__name__}", daemon=True
            )
            self._thread.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or bool(self._queue))
                if self._closed:
                    return
                job = self._queue.popleft()
                if job.generation != self._generation:
                    continue
                self._current = job
            try:
                self._play(job)
            except Exception as exc:  # a broken backend must not kill the worker or the kiosk
                with self._cond:
                    self.errors += 1
                    self.failing = True
                    self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("speech output failed: %s", type(exc).__name__)
            else:
                with self._cond:
                    self.played += 1
                    self.failing = False
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()
