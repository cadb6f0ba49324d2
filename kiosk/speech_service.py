"""Speech mode (issue 17, EN 301 549 §5.1.3, §5.2): the core's view changes, spoken.

:class:`SpeechService` subscribes to the runtime exactly like the UI (``runtime.subscribe``): every new
:class:`~kiosk.core.view.SessionView` is turned into a :class:`~kiosk.speech_script.ScreenSpeech`
(:func:`screen_speech`) and then into utterances by :func:`kiosk.speech_script.utterances`, which apply
the privacy rule; the output (:mod:`drivers.speech`) applies it again.

* Speech mode starts with the tactile speech key, a screen button (:meth:`SpeechService.start`) or a
  headset being plugged in (:meth:`SpeechService.headset`); it ends with the session (the attract
  screen comes back), and the volume and speed are reset for the next member.
* Personal data (name, titles, amounts, the ILS's texts) goes only to the headset; without one the
  loudspeaker says "plug in headphones to hear the details".
* PIN key presses are a neutral tick (:meth:`SpeechService.pin_key`), never the digit.
* The idle warning and the closing countdown are spoken when they appear / change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from drivers.speech import Channel, SpeechOutput, SpeechText
from kiosk import speech_script as script
from kiosk.core.view import ItemLine, LineKind, LineStatus, Message, Screen, SessionView

log = logging.getLogger(__name__)

TITLES = {
    Screen.ATTRACT: "attract.welcome",
    Screen.PIN: "pin.title",
    Screen.IDENTIFYING: "identifying.title",
    Screen.NOTICE: "notice.title",
    Screen.MENU: "menu.question",
    Screen.BORROW: "borrow.title",
    Screen.RETURN: "return.title",
    Screen.RENEW: "renew.title",
    Screen.ACCOUNT: "account.title",
    Screen.PAY: "pay.title",
    Screen.RECEIPT: "receipt.title",
    Screen.GOODBYE: "goodbye.title",
}
ITEM_PROMPTS = {Screen.BORROW: "borrow", Screen.RETURN: "return"}  # <key>.prompt / <key>.prompt_pad
LINE_KINDS = {
    Screen.BORROW: LineKind.LOAN,
    Screen.RETURN: LineKind.RETURN,
    Screen.RENEW: LineKind.RENEWAL,
}


def screen_speech(
    view: SessionView,
    lines: tuple[ItemLine, ...] | None = None,
    with_message: bool = True,
    zone: tzinfo = UTC,
    library: str = "",
    pad: bool = False,
) -> script.ScreenSpeech:
    """What the screen for ``view`` shows that matters (``lines``: only these result lines; ``pad``: an
    RFID pad is fitted, so the borrow and return screens' instruction names it, as on screen)."""
    service = view.service
    if view.screen is Screen.ATTRACT and service.closed:
        when = service.hours.next_opening if service.hours is not None else None
        opening = (script.Prompt("closed.next_opening", {"when": _when(when, zone)}),) if when else ()
        return script.ScreenSpeech("closed", "closed.title", prompts=opening)
    errors: tuple[script.Prompt, ...] = ()
    if with_message and view.message is not None:
        errors = (_prompt(view.message),)
    if lines is None:
        kind = LINE_KINDS.get(view.screen)
        lines = view.lines(kind) if kind is not None else ()
    amounts: tuple[script.AmountLine, ...] = ()
    if view.screen in (Screen.ACCOUNT, Screen.PAY) and view.account is not None and view.account.fees:
        amounts = (script.AmountLine("account.fee_total", view.account.fee_total),)
    prompts: tuple[script.Prompt, ...] = ()
    if view.screen is Screen.ATTRACT:
        prompts = (script.Prompt("attract.prompt"),)
    elif view.screen in ITEM_PROMPTS:  # what to do with the items: the screen's instruction, said too
        prompts = (script.Prompt(f"{ITEM_PROMPTS[view.screen]}.prompt{'_pad' if pad else ''}"),)
    name = view.patron.display_name if view.screen is Screen.MENU and view.patron is not None else ""
    title_params = {"library": library} if view.screen is Screen.ATTRACT else {}
    return script.ScreenSpeech(
        view.screen.value,
        TITLES[view.screen],
        title_params,
        name=name,
        errors=errors,
        lines=tuple(_line(line) for line in lines),
        amounts=amounts,
        prompts=prompts,
    )


def _prompt(message: Message) -> script.Prompt:
    return script.Prompt(message.key, dict(message.params), message.ils_text)


def _line(line: ItemLine) -> script.ResultLine:
    if line.status is LineStatus.PENDING:
        status = "line.pending"
    elif line.status is LineStatus.DONE:
        status = f"line.{line.kind.value}_done"
    else:
        status = "line.refused"
    notes = tuple(_prompt(m) for m in (line.message, *line.notes) if m is not None)
    return script.ResultLine(status, line.title, line.due if line.status is LineStatus.DONE else "", notes)


def _when(moment: datetime, zone: tzinfo) -> str:
    """The next opening as said, in the library's time zone: "dd-mm HH:MM" (the catalog frames it)."""
    return moment.astimezone(zone).strftime("%d-%m %H:%M")


class SpeechService:
    """Speaks the view in speech mode. Thread-safe: views arrive on the session thread, keys and the
    headset jack on their own."""

    def __init__(
        self,
        output: SpeechOutput,
        language: str = "nl",
        zone: tzinfo = UTC,
        library: str = "",
        pad: bool = False,
    ) -> None:
        """``language``: what the attract screen speaks before a member chose one; ``zone``: the
        library's time zone (the closed screen's next opening); ``pad``: an RFID pad is fitted."""
        self.output = output
        self.language = language
        self.zone = zone
        self.library = library
        self.pad = pad
        self.active = False
        self.headset_plugged = False
        self._view: SessionView | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[bool], None]] = []

    # -- state for the screen and the maintenance panel ------------------------------------------------
    def subscribe(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(active)`` whenever speech mode goes on or off (the screen's "Spraak" button
        shows it). Called on the thread that changed it: a Kivy UI hands it over with
        ``Clock.schedule_once``."""
        self._listeners.append(callback)

    def health(self) -> tuple[str, str]:
        """The speech output as a device state and detail for health and the maintenance panel:
        ``("ok", "")``; ``("error", "DeviceConnectionError")`` while the last utterance failed (e.g.
        espeak-ng without a sound device); ``("degraded", ...)`` when it failed before but works now."""
        output = self.output
        if not getattr(output, "errors", 0):
            return "ok", ""
        error = str(getattr(output, "last_error", "")).partition(":")[0]
        return ("error" if getattr(output, "failing", True) else "degraded"), error

    def _changed(self) -> None:
        for callback in tuple(self._listeners):
            try:
                callback(self.active)
            except Exception:  # a broken listener must not stop speech
                log.exception("speech mode listener failed")

    @property
    def channel(self) -> Channel:
        """The headset when one is plugged in, else the loudspeaker."""
        return Channel.HEADSET if self.headset_plugged else Channel.LOUDSPEAKER

    def attach(self, runtime: Any) -> None:
        """Listen to the runtime's views (as the UI does)."""
        self._view = runtime.view
        runtime.subscribe(self.on_view)

    # -- starting and ending ----------------------------------------------------------------------------
    def start(self, via: str = "button") -> None:
        """Speech mode on (speech key, screen button, headset): say so, then the screen as it is."""
        with self._lock:
            if self.active:
                return
            self.active = True
            view = self._view
            log.info("speech mode on (%s)", via)
            self._changed()
            language = view.language if view is not None else self.language
            self.output.say(script.speech_on(language), channel=self.channel, interrupt=True)
            if view is not None:
                screen = screen_speech(view, zone=self.zone, library=self.library, pad=self.pad)
                self._say(script.utterances(screen, view.language, self.channel, view.service.policy))

    def headset(self, plugged: bool) -> None:
        """The headset jack changed: plugging in starts speech mode; unplugging moves to the speaker."""
        with self._lock:
            self.headset_plugged = plugged
            if not plugged:
                self.output.stop()  # personal speech in flight must not continue on another channel
        if plugged:
            self.start("headset")

    def pin_key(self) -> None:
        """A PIN key was pressed: a neutral tick, never the digit."""
        with self._lock:
            if self.active and self._view is not None:
                self.output.say(script.pin_tick(self._view.language), channel=self.channel)

    # -- views ---------------------------------------------------------------------------------------
    def on_view(self, view: SessionView) -> None:
        """A new view from the core: speak what changed (in speech mode)."""
        with self._lock:
            before, self._view = self._view, view
            if before is not None and before.in_session and not view.in_session:
                self._end()  # the session ended: speech mode ends, volume and speed reset
                return
            if not self.active or before is None:
                return
            self._speak_change(before, view)

    def _end(self) -> None:
        was = self.active
        if was:
            log.info("speech mode off (session ended)")
        self.active = False
        self.output.reset()
        if was:
            self._changed()

    def _speak_change(self, before: SessionView, view: SessionView) -> None:
        language, policy = view.language, view.service.policy
        minutes = view.service.closing_in_minutes
        if minutes is not None and minutes != before.service.closing_in_minutes:
            self.output.say(script.closing_warning(minutes, language), channel=self.channel)
        if view.screen is not before.screen or view.service.closed != before.service.closed:
            screen = screen_speech(view, zone=self.zone, library=self.library, pad=self.pad)
            self._say(script.utterances(screen, language, self.channel, policy), interrupt=True)
            return
        if view.idle_warning and not before.idle_warning:
            self.output.say(script.idle_warning(int(view.seconds_left or 0), language), channel=self.channel)
        changed = tuple(
            line
            for line in view.items
            if line not in before.items and line.kind is LINE_KINDS.get(view.screen)
        )
        new_message = view.message is not None and view.message != before.message
        amounts_new = view.account != before.account
        if changed or new_message or amounts_new:
            screen = screen_speech(view, changed, new_message, self.zone, self.library, self.pad)
            said = script.utterances(screen, language, self.channel, policy)
            self._say(said[1:])  # not the title again

    def _say(self, texts: tuple[SpeechText, ...], interrupt: bool = False) -> None:
        if texts:
            self.output.say(texts, channel=self.channel, interrupt=interrupt)
