"""A keypad-only walk through a borrow and a payment (issue 17, EN 301 549 §5.1.6.1, §5.1.3): the real
widget tree on the simulators, speech mode through ``fake://``, and nothing but key events — the tactile
speech key (``[speech] key``, wired as the launcher wires it), 8/2/4/6 and the arrows, 5/Enter, Back, the
digit keys for the PIN. The pass and the items arrive as device events (the pass reader, the scanner).

On every screen the keypad's focus must visit every button a finger could press there (visible,
enabled, including "Hulp"), and speech must have said the screen's purpose and each focused button —
and never a PIN digit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from drivers.speech import FakeSpeech, open_speech
from kiosk.core import SessionSettings
from kiosk.core import events as ev
from kiosk.i18n import Translator
from kiosk.speech_service import SpeechService
from kiosk.ui.fmt import CHECKED, UNCHECKED
from kiosk.ui.keypad import KeypadNavigator, attach_keypad, spoken_label
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.sim_runtime import SimRuntime, SimTerminal

pytestmark = pytest.mark.ui

SPEECH_KEY = 282  # F1 as a Kivy key code: the site's tactile speech key ([speech] key)
KP = {d: 256 + d for d in range(10)}  # keypad digits
NEXT, PREVIOUS, PRESS, BACK, ENTER = KP[6], KP[8], KP[5], 8, 271
DOWN, UP = 274, 273  # the arrow keys: the moves on the PIN screen, where the digit keys type
NL = Translator("nl")


@dataclass
class Walk:
    """The kiosk, its speech output and its keypad, driven by key events only."""

    kiosk: Kiosk
    spoken: FakeSpeech
    speech: SpeechService
    navigator: KeypadNavigator
    terminal: SimTerminal
    undo: list[Callable[[], None]] = field(default_factory=list)

    def key(self, code: int) -> None:
        """One key press on the window, then wait for its consequences (core, screen, speech)."""
        self.kiosk.window.dispatch("on_key_down", code, 0, "", [])
        self.kiosk.settle()
        assert self.spoken.wait_idle(30)

    def said(self) -> list[str]:
        return self.spoken.texts(include_interrupted=True)

    def reachable(self) -> list[Any]:
        """Every button a finger could press now (the test's own definition, not the keypad's)."""
        root = self.kiosk.root
        top = root.dialog if root.dialog is not None else root.manager.current_screen
        found = [w for w in top.walk(restrict=True) if hasattr(w, "on_release") and getattr(w, "text", "")]
        if root.dialog is None:
            found.append(root.help_button)

        def visible(w: Any) -> bool:
            node = w
            while node is not None and node is not node.parent:
                if node.opacity <= 0:
                    return False
                node = node.parent
            return w.get_root_window() is not None and not w.disabled

        pad = root.manager.current_screen.ids.get("pad") if root.dialog is None else None
        digits = [b for b in pad.children if b.key.isdigit()] if pad is not None else []
        return [w for w in found if visible(w) and not any(w is d for d in digits)]

    def visit_all(self, forward: int = NEXT, backward: int = PREVIOUS) -> list[str]:
        """Move through the whole focus order once (keypad 6), then once back (keypad 8); returns the
        labels announced. Asserts it visits every reachable button, each announced by speech."""
        expected = self.reachable()
        assert expected, f"nothing to press on {self.kiosk.root.current}"
        before = len(self.said())
        for _ in expected:
            self.key(forward)
        announced = self.said()[before:]
        labels = [spoken_label(w.text, NL) for w in self.navigator.order()]
        assert sorted(labels) == sorted(spoken_label(w.text, NL) for w in expected), self.kiosk.root.current
        count = len(expected)
        assert announced == [f"{label}. {i} / {count}" for i, label in enumerate(labels, 1)]
        for _ in expected:  # and back round to where the walk started: nothing focused
            self.key(backward)
        self.navigator.index = -1  # as if the screen were new
        return labels

    def press(self, label: str) -> None:
        """Move the focus to the button labelled ``label`` (announced) and press it with 5."""
        labels = [spoken_label(w.text, NL) for w in self.navigator.sync()]
        assert label in labels, f"{label!r} not reachable on {self.kiosk.root.current}: {labels}"
        target = labels.index(label)
        while self.navigator.index != target:
            self.key(NEXT)
        assert self.said()[-1].startswith(f"{label}. ")
        self.key(PRESS)


@pytest.fixture
def walk(kiosk_factory: Callable[..., Kiosk]) -> Iterator[Walk]:
    from kiosk.ui import launch

    spoken = open_speech("fake://")
    assert isinstance(spoken, FakeSpeech)
    terminal = SimTerminal()
    runtime = SimRuntime(
        SessionSettings(languages=("nl", "en", "de", "tr"), idle_timeout=600, idle_warning=60), pay=terminal
    )
    terminal.on_prompt = lambda key: runtime.send(ev.TerminalPrompt(key))
    speech = SpeechService(spoken, "nl", library="Bibliotheek Wierden")
    speech.attach(runtime)
    kiosk = kiosk_factory(runtime=runtime, speech=speech)
    window = kiosk.window
    before = list(window.get_property_observers("on_key_down"))
    launch._speech_key(speech, SPEECH_KEY)  # the launcher's own wiring of [speech] key
    added = [o for o in window.get_property_observers("on_key_down") if o not in before]
    navigator = attach_keypad(kiosk.root, speech, lambda: runtime.send(ev.Back()))
    walk = Walk(kiosk, spoken, speech, navigator, terminal)
    yield walk
    navigator.detach()
    for observer in added:
        window.unbind(on_key_down=observer() if callable(observer) else observer)
    terminal.close()
    spoken.close()


def start_speech(walk: Walk) -> None:
    assert not walk.speech.active
    walk.key(SPEECH_KEY)
    assert walk.speech.active
    assert any(text.startswith("Spraak staat aan") for text in walk.said())


def identify(walk: Walk, pass_number: str, pin: str) -> None:
    """The pass on the reader, the PIN on the keypad's digit keys, Enter."""
    walk.kiosk.send(ev.PassPresented(pass_number))
    assert walk.kiosk.root.current == "pin"
    assert walk.spoken.wait_idle(30)
    assert NL("pin.title") in walk.said()
    assert set(walk.visit_all(DOWN, UP)) == {
        NL("common.clear"),
        NL("common.ok"),
        NL("common.cancel"),
        NL("help.button"),
    }
    assert walk.kiosk.screen("pin").ids.pad.length == 0  # the arrows typed nothing
    before = len(walk.said())
    for digit in pin:
        walk.key(KP[int(digit)])
    assert walk.kiosk.screen("pin").ids.pad.length == len(pin)
    assert walk.said()[before:] == ["cijfer"] * len(pin)  # a neutral tick per digit
    walk.key(ENTER)
    walk.kiosk.until(lambda: walk.kiosk.root.current == "menu", "the menu")
    assert walk.spoken.wait_idle(30)
    assert NL("menu.question") in walk.said()


def test_keypad_only_borrow_then_pay(walk: Walk) -> None:
    kiosk = walk.kiosk
    # --- session 1: borrow two items, receipt --------------------------------------------------------
    assert kiosk.root.current == "attract"
    kiosk.tick(0)  # the kiosk's clock starts (the idle warning below counts from it)
    start_speech(walk)
    assert NL("attract.welcome", library="Bibliotheek Wierden") in walk.said()
    attract = walk.visit_all()
    assert {"Spraak", "Nederlands", "English", "Deutsch", "Türkçe", NL("help.button")} <= set(attract)
    identify(walk, demo.NORMAL, demo.NORMAL_PIN)
    menu = walk.visit_all()
    assert NL("menu.pay") in menu
    walk.press(NL("menu.borrow"))
    assert kiosk.root.current == "borrow"
    assert NL("borrow.title") in walk.said()
    for item in (demo.AVAILABLE, demo.AVAILABLE_2):
        kiosk.send(ev.ItemPresented(item))
    assert [line.status.value for line in kiosk.runtime.view.items] == ["done", "done"]
    walk.visit_all()
    kiosk.tick(600 - 60 + 1)  # the idle warning: its dialog is all the keypad reaches, "more time" first
    assert kiosk.root.dialog is not None and walk.spoken.wait_idle(30)
    assert walk.visit_all() == [NL("idle.more_time")]
    walk.press(NL("idle.more_time"))
    assert kiosk.root.dialog is None and not kiosk.runtime.view.idle_warning
    walk.press(NL("common.done"))
    assert kiosk.root.current == "receipt"
    assert NL("receipt.title") in walk.said()
    walk.visit_all()
    walk.press(NL("receipt.print"))
    assert (
        kiosk.runtime.view.screen.value == "goodbye" and not walk.speech.active
    )  # speech ends with the session
    assert {line.item_id for line in kiosk.runtime.printed[-1].lines} == {demo.AVAILABLE, demo.AVAILABLE_2}
    assert {loan.item_id for loan in kiosk.runtime.library.loans_of(demo.NORMAL)} >= {
        demo.AVAILABLE,
        demo.AVAILABLE_2,
    }
    # --- session 2: account → pay a fee on the terminal → done, no receipt -------------------------
    start_speech(walk)  # on the goodbye screen: the key also goes on to the attract screen
    assert kiosk.root.current == "attract"
    identify(walk, demo.FEES, demo.FEES_PIN)
    walk.press(NL("menu.account"))
    kiosk.until(lambda: kiosk.runtime.view.account is not None, "the account")
    assert kiosk.root.current == "account" and NL("account.title") in walk.said()
    walk.visit_all()
    walk.press(NL("menu.pay"))
    assert kiosk.root.current == "pay" and NL("pay.title") in walk.said()
    fees = kiosk.runtime.view.account.fees  # type: ignore[union-attr]
    pay_labels = walk.visit_all()
    assert sum(1 for label in pay_labels if label.endswith(NL("renew.selected"))) == len(fees)
    total = sum(f.amount for f in fees)
    pay_button = next(label for label in pay_labels if label.startswith("Betaal "))
    walk.press(pay_button)
    kiosk.until(lambda: not kiosk.runtime.view.busy, "the payment")
    assert walk.terminal.terminal.simulator.played == ["approve"]
    assert kiosk.runtime.library.open_fees_of(demo.FEES) == []
    assert kiosk.runtime.view.payments[-1][1] == total
    assert walk.spoken.wait_idle(30)
    assert NL("payment.done") in " ".join(walk.said())
    walk.press(NL("common.done"))
    assert kiosk.root.current == "receipt"
    walk.press(NL("receipt.none"))
    assert kiosk.runtime.view.screen.value == "goodbye"
    # --- never a PIN digit, anywhere ---------------------------------------------------------------
    for pin in (demo.NORMAL_PIN, demo.FEES_PIN):
        assert not any(pin in text for text in walk.said())


# --- the keypad's rules without a window ----------------------------------------------------------
@dataclass(eq=False)
class Button:
    text: str
    x: float
    top: float
    disabled: bool = False
    pressed: list[str] = field(default_factory=list)

    def dispatch(self, name: str) -> None:
        self.pressed.append(name)


class Pad:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def press(self, key: str) -> None:
        self.keys.append(key)


def test_the_focus_follows_its_button_keeps_its_place_on_a_redraw_and_resets_when_it_is_gone() -> None:
    a, b, c = Button("A", 0, 300), Button("B", 0, 200), Button("C", 0, 100)
    shown = [a, b, c]
    said: list[str] = []
    nav = KeypadNavigator(lambda: shown, lambda label, *_: said.append(label), lambda: None, lambda: True,
                          context=lambda: "screen")  # fmt: skip
    nav.key(NEXT), nav.key(NEXT)  # B focused
    shown = [b, c]  # A went away: the focus stays on B
    nav.key(NEXT)
    assert said[-1] == "C"
    shown = [b, Button("C", 0, 100)]  # C redrawn in place (a toggle): the focus stays on its place
    nav.key(PREVIOUS)
    assert said[-1] == "B"
    shown = [c]  # B gone for good: nothing focused, the next move starts at the first
    assert not nav.key(PRESS)
    nav.key(NEXT)
    assert said[-1] == "C"


def test_with_a_pin_pad_the_digit_keys_type_and_enter_confirms() -> None:
    pad, ok = Pad(), Button("OK", 0, 100)
    nav = KeypadNavigator(lambda: [ok], lambda *_: None, lambda: None, lambda: True, lambda: pad)
    for code in (KP[1], 50, KP[8], KP[6]):  # keypad 1, the number row's 2, keypad 8 and 6 (not moves)
        assert nav.key(code)
    nav.key(ENTER)
    assert pad.keys == ["1", "2", "8", "6", "ok"] and ok.pressed == []
    nav.key(DOWN), nav.key(ENTER)  # the arrows reach the other buttons; Enter presses the focused one
    assert ok.pressed == ["on_press", "on_release"]


def test_a_toggles_drawn_box_is_said_in_words() -> None:
    checked = choice_text_markup(CHECKED, "Boete [dagen]", "€ 0,50 · Geselecteerd")
    assert spoken_label(checked, NL) == "Boete [dagen], € 0,50 · Geselecteerd"  # the row says it already
    unchecked = choice_text_markup(UNCHECKED, "Boete", "€ 0,50")
    assert spoken_label(unchecked, Translator("en")) == "Boete, € 0,50, not selected"
    assert spoken_label("Lenen", NL) == "Lenen"


def choice_text_markup(box: str, title: str, detail: str) -> str:
    """A toggle row's label as kit.choice_text draws it (the box in the icon font, markup escaped)."""
    from kivy.utils import escape_markup

    return f"[font=Icons]{box}[/font]  {escape_markup(title)}\n{escape_markup(detail)}"
