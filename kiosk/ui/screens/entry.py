"""Screens before and around a session: attract, PIN, checking the pass, notice, goodbye, out of order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.core import events as ev
from kiosk.core.view import SessionView
from kiosk.i18n import LANGUAGE_NAMES
from kiosk.ui.fmt import format_weekday_time
from kiosk.ui.kit import KioskButton
from kiosk.ui.screens.base import KioskScreen, message_text

if TYPE_CHECKING:
    from kiosk.ui.root import KioskRoot

PIN_MAX = 12
# Messages whose text already tells the member to ask at the desk.
SENDS_TO_DESK = frozenset(
    {
        "error.blocked",
        "error.card_lost",
        "error.expired",
        "error.pin_tries",
        "offline.loan_limit",
        "payment.unknown",
        "payment.not_recorded",
    }
)


def language_buttons(bar: Any, view: SessionView, ui: KioskRoot, size_name: str = "body") -> None:
    """Fill ``bar`` with one button per language the site offers (start screen, menu); the shown one is
    marked by colour *and* a thick outline. The core takes a language change on any screen."""
    bar.clear_widgets()
    for lang in ui.settings.languages:
        chosen = lang == view.language
        button = KioskButton(
            text=LANGUAGE_NAMES.get(lang, lang),
            selected=chosen,
            role="primary" if chosen else "button",
            size_name=size_name,
        )
        button.lang = lang
        button.action = lambda chosen=lang: ui.send(ev.LanguageChosen(chosen))
        bar.add_widget(button)


class AttractScreen(KioskScreen):
    """Tap or scan your pass; return items without a pass; language and accessibility buttons."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Fill in texts in the view's language and build the language buttons."""
        ids = self.ids
        ids.welcome.text = ui.t("attract.welcome", library=ui.settings.library_name)
        ids.prompt.text = ui.t("attract.prompt")
        ids.logo.source = ui.settings.picture("logo")
        ids.action_picture.source = ui.settings.picture("pass_reader")
        hours = ui.settings.hours_today()  # from [schedule], in its time zone
        ids.hours.text = (
            ""
            if hours is None
            else ui.t("attract.closed_today")
            if not hours
            else ui.t("attract.open_today", hours=hours.replace("-", "–"))
        )
        ids.return_button.text = ui.t("attract.return_no_pass")
        ids.return_button.action = lambda: ui.send(ev.StartReturn())
        ids.language_label.text = ui.t("attract.language")
        language_buttons(ids.languages, view, ui)
        self._speech_button(ui)
        ids.large_text.text = ui.t("a11y.normal_text" if ui.look.large_text else "a11y.large_text")
        ids.large_text.action = ui.toggle_large_text
        ids.contrast.text = ui.t("a11y.normal_contrast" if ui.look.high_contrast else "a11y.high_contrast")
        ids.contrast.action = ui.toggle_high_contrast

    def _speech_button(self, ui: KioskRoot) -> None:
        """The "Spraak" button, first in the accessibility bar, when speech output is configured."""
        if not hasattr(self, "_speech"):  # kv ids are weak: hold the button while it is off screen
            self._speech = self.ids.speech.__self__
        button, bar = self._speech, self.ids.large_text.parent
        if ui.speech is None:
            if button.parent is not None:
                button.parent.remove_widget(button)
            return
        if button.parent is None:
            bar.add_widget(button, index=len(bar.children))  # Kivy's index counts from the end: first
        button.text = ui.t("a11y.speech")
        button.action = ui.start_speech


class PinPad(GridLayout):
    """A 3×4 digit pad. Digits stay in this widget until OK (then handed over and forgotten)."""

    display = ObjectProperty(None, allownone=True)
    on_pin: Callable[[str], None] | None = None
    on_digit: Callable[[], None] | None = None  # a digit was typed (speech mode's neutral tick)
    clear_text = StringProperty("")
    ok_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._digits = ""
        for label in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"):
            button = KioskButton(
                role="primary" if label == "ok" else "button",
                size_name="title" if label.isdigit() else "body",
            )
            button.key = label
            button.action = lambda key=label: self.press(key)
            self.add_widget(button)
        self.bind(clear_text=self._relabel, ok_text=self._relabel)
        self._relabel()

    def _relabel(self, *_: Any) -> None:
        for button in self.children:
            button.text = {"clear": self.clear_text, "ok": self.ok_text}.get(button.key, button.key)

    def press(self, key: str) -> None:
        """A key was tapped."""
        if key == "clear":
            self._digits = ""
        elif key == "ok":
            pin, self._digits = self._digits, ""
            if self.on_pin is not None:
                self.on_pin(pin)
        elif len(self._digits) < PIN_MAX:
            self._digits += key
            if self.on_digit is not None:
                self.on_digit()  # never told which digit
        self._show()

    def reset(self) -> None:
        """Forget the digits typed so far."""
        self._digits = ""
        self._show()

    def _show(self) -> None:
        if self.display is not None:
            self.display.text = "\u25cf " * len(self._digits) if self._digits else "_ _ _ _"

    @property
    def length(self) -> int:
        """How many digits are typed (for tests: the digits themselves are not exposed)."""
        return len(self._digits)


class PinScreen(KioskScreen):
    """Enter your PIN (digits masked), tries left, back."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Texts, the error message and the pad's callback."""
        ids = self.ids
        ids.title.text = ui.t("pin.title")
        ids.hint.text = ui.t("pin.hint")
        pad: PinPad = ids.pad
        pad.clear_text, pad.ok_text = ui.t("common.clear"), ui.t("common.ok")
        pad.on_pin = lambda pin: ui.send(ev.PinEntered(pin))
        pad.on_digit = ui.pin_key
        self.show_message(ui, view)
        tries = ui.t.n("pin.tries_left", view.pin_tries_left) if view.message else ""
        ids.tries.text = tries
        ids.back.text = ui.t("common.cancel")
        ids.back.action = lambda: ui.send(ev.Back())
        pad._show()

    def reset(self) -> None:
        """Drop typed digits."""
        self.ids.pad.reset()


class IdentifyingScreen(KioskScreen):
    """Checking your pass (waiting for the ILS)."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """A big 'checking' text and cancel."""
        self.ids.title.text = ui.t("identifying.title")
        self.ids.back.text = ui.t("common.cancel")
        self.ids.back.action = lambda: ui.send(ev.Back())


class NoticeScreen(KioskScreen):
    """The session was refused: what happened, ask the desk, OK."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Title, the reason (with the ILS's own text) and OK."""
        self.ids.title.text = ui.t("notice.title")
        self.ids.body.text = message_text(ui, view.message) if view.message else ""
        # Say "ask staff" once: not again under a message that already sends the member to the desk, or
        # that already is the staffing mode's instruction instead. The mode's policy picks the text.
        policy = view.service.policy
        key = view.message.key if view.message else ""
        says_it = key in SENDS_TO_DESK or key in set(policy.desk_texts.values())
        self.ids.desk.text = "" if says_it else ui.t(policy.text_key("notice.desk"))
        self.ids.ok.text = ui.t("common.ok")
        self.ids.ok.action = lambda: ui.send(ev.Acknowledge())


class GoodbyeScreen(KioskScreen):
    """Thank you, goodbye: shown for a few seconds after a session; a tap skips it."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Texts in the language the session ended in."""
        self.ids.title.text = ui.t("goodbye.title")
        # "Don't forget your pass" only to a member who used one (not after returning without a pass).
        self.ids.body.text = ui.t("goodbye.body" if view.goodbye_pass else "goodbye.body_no_pass")


class OutOfOrderScreen(KioskScreen):
    """Out of order (switched on in maintenance mode)."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Texts in the default language (no patron is being served)."""
        self.ids.title.text = ui.t("out_of_order.title")
        self.ids.body.text = ui.t("out_of_order.body")
        hours = view.service.hours
        if view.service.closed and not view.service.out_of_order:  # the library is closed (issue 17)
            self.ids.title.text = ui.t("closed.title")
            opening = hours.next_opening if hours is not None else None
            self.ids.body.text = (
                ui.t("closed.next_opening", when=format_weekday_time(opening, hours.timezone, ui.t.language))
                if opening is not None and hours is not None
                else ""
            )
