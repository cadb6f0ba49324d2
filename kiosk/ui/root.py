"""The root widget: routes the core's view to a screen, shows the offline banner and the dialogs
(idle warning, another pass), and hosts maintenance mode and the out-of-order switch.

Which screen shows, in which language, and when a session ended all come from the core's view
(``view.shown``, ``view.language``, ``view.ended``); the UI keeps only the technician's overlay
(maintenance mode) and what is purely its own (the help pictures, the theme toggles).

It talks to the runtime only through ``view``, ``send(event)`` and ``subscribe(callback)``; the
callback arrives on a worker thread and is marshalled to the Kivy thread with ``Clock.schedule_once``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from kiosk.core import events as ev
from kiosk.core.view import Screen, SessionView
from kiosk.i18n import Translator
from kiosk.maintenance.access import MaintenanceAccess
from kiosk.maintenance.backend import MaintenanceBackend
from kiosk.maintenance.logbuffer import RingBufferHandler
from kiosk.ui import kit
from kiosk.ui.dialogs import Backdrop, DialogHost
from kiosk.ui.kit import KioskButton, Row, Surface
from kiosk.ui.look import look
from kiosk.ui.maintenance_mode import MaintenanceHost
from kiosk.ui.screens.account import AccountScreen, PayScreen, ReceiptScreen
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.circulation import ItemsScreen, MenuScreen, RenewScreen, ReturnScreen
from kiosk.ui.screens.entry import (
    AttractScreen,
    GoodbyeScreen,
    IdentifyingScreen,
    NoticeScreen,
    OutOfOrderScreen,
    PinScreen,
)
from kiosk.ui.screens.maintenance import MaintenanceScreen, MaintPinScreen
from kiosk.ui.settings import UiSettings
from kiosk.ui.sounds import SoundBank
from kiosk.ui.theme import make_theme

log = logging.getLogger(__name__)

assert kit  # the kit's kv rules must be loaded before the screens' rules
Builder.load_file(str(Path(__file__).with_name("screens.kv")))
Builder.load_file(str(Path(__file__).with_name("maintenance.kv")))

SCREENS: dict[str, type[KioskScreen]] = {
    "attract": AttractScreen,
    "pin": PinScreen,
    "identifying": IdentifyingScreen,
    "notice": NoticeScreen,
    "menu": MenuScreen,
    "borrow": ItemsScreen,
    "return": ReturnScreen,
    "renew": RenewScreen,
    "account": AccountScreen,
    "pay": PayScreen,
    "receipt": ReceiptScreen,
    "goodbye": GoodbyeScreen,
    "out_of_order": OutOfOrderScreen,
    "maint_pin": MaintPinScreen,
    "maintenance": MaintenanceScreen,
}


class ScreenSet(Mapping[str, KioskScreen]):
    """The screens by name; each is built, and added to the screen manager, the first time it is asked
    for. At start-up only the attract screen exists: the other fourteen (their widgets and the label
    textures Kivy renders for them even while hidden) cost memory a kiosk that waits for a pass does not
    need. Iterating names every screen; :meth:`built` gives only those that exist."""

    def __init__(self, manager: ScreenManager, classes: Mapping[str, type[KioskScreen]] = SCREENS) -> None:
        self._manager = manager
        self._classes = dict(classes)
        self._built: dict[str, KioskScreen] = {}

    def __getitem__(self, name: str) -> KioskScreen:
        screen = self._built.get(name)
        if screen is None:
            screen = self._classes[name](name=name)  # an unknown name raises KeyError, as a dict does
            self._built[name] = screen
            self._manager.add_widget(screen)
        return screen

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def built(self) -> dict[str, KioskScreen]:
        """The screens built so far (a screen never built holds no patron data to clear)."""
        return dict(self._built)


class UiRuntime(Protocol):
    """What the UI needs from the runtime (``kiosk.runtime``, or a small one in tests)."""

    @property
    def view(self) -> SessionView:
        """The current view."""

    def send(self, event: ev.Event) -> None:
        """Hand an event to the core; never blocks."""

    def subscribe(self, callback: Callable[[SessionView], None]) -> None:
        """Call ``callback(view)`` (from any thread) whenever the view changes."""


def _same_screen(a: SessionView, b: SessionView) -> bool:
    """True when ``a`` and ``b`` draw the same screen (they may differ in the idle countdown)."""
    quiet: dict[str, Any] = {"seconds_left": None, "idle_warning": False}
    return replace(a, **quiet) == replace(b, **quiet)


class KioskRoot(DialogHost, MaintenanceHost, FloatLayout):
    """Everything on the kiosk's window."""

    def __init__(
        self,
        runtime: UiRuntime,
        settings: UiSettings,
        *,
        access: MaintenanceAccess | None = None,
        backend: MaintenanceBackend | None = None,
        log_buffer: RingBufferHandler | None = None,
        sounds: SoundBank | None = None,
        clock: Callable[[], float] = time.monotonic,
        speech: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.speech = speech  # the SpeechService (issue 17), or None when [speech] is not configured
        self.runtime, self.settings = runtime, settings
        self.access, self.backend, self.log_buffer = access, backend, log_buffer
        self.sounds = sounds or SoundBank(settings.sound_volume)
        self.clock = clock
        self.look = look
        look.apply(make_theme(settings.high_contrast, settings.large_text))
        self.t = Translator(settings.default_language)
        self.maintenance: str | None = None  # None, "maint_pin" or "maintenance"
        self.view: SessionView = runtime.view
        self._screen_shown = float("-inf")  # when the screen on display was put there (touch guard)
        self._drawn = False
        self._column = BoxLayout(orientation="vertical")
        # The banner's place is reserved at the top of every screen: showing it never moves a button.
        self.header = Surface(role="screen", size_hint_y=None, height=look.sizes["button_height"])
        self.banner = Row(role="warning", opacity=0, size_hint_y=1)
        self.header.add_widget(self.banner)
        # "Hulp" on every screen, always in the same corner: pictures of where things are and how to
        # reach staff (site-replaceable images).
        self.help_button = KioskButton(
            role="button", size_hint=(None, 1), width=look.sizes["button_height"] * 2.2, action=self.open_help
        )
        self.header.add_widget(self.help_button)
        self.help_open = False
        self.manager = ScreenManager(transition=NoTransition())
        self.screens = ScreenSet(self.manager)  # built on first use
        self._column.add_widget(self.header)
        self._column.add_widget(self.manager)
        self.add_widget(self._column)
        self._dialog: Widget | None = None
        self._touched = clock()  # the last touch (the maintenance panel's idle timeout)
        self._backdrop = Backdrop()
        runtime.subscribe(self._view_from_worker)
        if hasattr(runtime, "subscribe_effects"):
            runtime.subscribe_effects(self._effect_from_worker)
        if settings.tick_interval > 0:
            Clock.schedule_interval(lambda _dt: self.tick(), settings.tick_interval)
        self.render(self.view)

    # --- from the runtime --------------------------------------------------------------------------
    def _view_from_worker(self, view: SessionView) -> None:
        Clock.schedule_once(lambda _dt: self.render(view), 0)

    def _effect_from_worker(self, effect: Any) -> None:
        sound = getattr(effect, "sound", None)
        if sound:
            Clock.schedule_once(lambda _dt: self.play_sound(sound), 0)

    def send(self, event: ev.Event) -> None:
        """Hand a patron's action to the runtime."""
        self.runtime.send(event)

    @property
    def terminal_prompt(self) -> str | None:
        """The payment terminal's latest instruction (a catalog key), shown large on the pay screen: it
        comes with the core's view (``TerminalPrompt`` events), like everything the core tells the UI."""
        return self.view.terminal_prompt

    def play_sound(self, name: str) -> None:
        """Play a sound cue (``success``, ``error``, ``attention``)."""
        self.sounds.play(name)

    # --- rendering ---------------------------------------------------------------------------------
    @property
    def current(self) -> str:
        """The name of the screen on display."""
        return str(self.manager.current)

    def rerender(self) -> None:
        """Draw the last view again (after a theme switch or a selection change)."""
        self.render(self.view, again=True)

    def render(self, view: SessionView, again: bool = False) -> None:
        """Show ``view``: pick the screen, fill it, banner and dialogs.

        A view that differs from the last one only in the idle countdown (a Tick every half second)
        updates just the dialog: rebuilding the screen would reset a scrolled list under the patron's
        finger twice a second.
        """
        previous, self.view = self.view, view
        if not again and self._drawn and _same_screen(previous, view):
            self._show_dialog(view)
            return
        self._drawn = True
        self.t = Translator(view.language)
        if not again and view.ended != previous.ended:  # the core ended a session
            self._session_ended(view)
        name = self.maintenance or view.shown
        screen = self.screens[name]
        screen.render(view, self)
        if self.manager.current != name:
            self.manager.current = name
            self._screen_shown = self.clock()
        self._show_banner(view)
        self._show_dialog(view)

    def _session_ended(self, blank: SessionView) -> None:
        self.help_open = False
        # Every screen is redrawn from the view after the session (it holds nobody's data), so no title
        # or name of this patron stays in a widget that is merely hidden (privacy: the screen is reset
        # between patrons).
        for name, screen in self.screens.built().items():
            screen.reset()
            if not name.startswith("maint"):
                screen.render(blank, self)
        if blank.in_session:
            return  # another member's session started at once (a second pass): the theme is theirs
        default = make_theme(self.settings.high_contrast, self.settings.large_text)
        if look.theme != default:
            look.apply(default)

    def end_goodbye(self) -> None:
        """A tap on the goodbye: the core ends it (the attract screen follows with its view)."""
        if self.view.screen is Screen.GOODBYE:
            self.send(ev.Acknowledge())

    def tick(self) -> None:
        """The UI's interval timer: time for the session (a Tick), and for maintenance mode: a PIN
        prompt nobody answers closes after the access's ``pin_timeout``, and a maintenance panel nobody
        touches after ``maintenance_idle`` seconds, so a technician who walks away never leaves the
        kiosk stuck on the prompt or, worse, open to the next member."""
        now = self.clock()
        self.runtime.send(ev.Tick(now))
        self._tick_maintenance(now)

    # --- touches: the hidden maintenance gesture and skipping the goodbye ----------------------------
    def on_touch_down(self, touch: Any) -> bool:
        """Watch for the five-tap corner gesture; a tap on the goodbye screen goes to the attract screen."""
        self._touched = self.clock()
        if (
            self.access is not None
            and self.maintenance is None
            and self.access.tap(touch.x, touch.y, self.height, self.clock())
        ):
            self.open_maintenance_pin()
            return True
        if self.current == "goodbye":
            self.end_goodbye()
            return True
        if self._dialog is None and self.clock() - self._screen_shown < self.settings.touch_guard:
            return True  # the second tap of a double tap that changed the screen: not carried over
        return bool(super().on_touch_down(touch))

    # --- accessibility ------------------------------------------------------------------------------
    def start_speech(self) -> None:
        """The on-screen "Spraak" button: speech mode on (issue 17)."""
        if self.speech is not None:
            self.speech.start("button")

    def pin_key(self) -> None:
        """A PIN digit was typed: speech mode says a neutral tick (never the digit)."""
        if self.speech is not None:
            self.speech.pin_key()

    def toggle_large_text(self) -> None:
        """Larger text for this session (back to the configured size when it ends)."""
        look.apply(make_theme(look.high_contrast, not look.large_text))
        self.rerender()

    def toggle_high_contrast(self) -> None:
        """High contrast for this session (back to the configured theme when it ends)."""
        look.apply(make_theme(not look.high_contrast, look.large_text))
        self.rerender()
