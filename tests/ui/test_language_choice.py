"""Try-out defect: the member's own language choice was overridden by the ILS's record of the patron's
language, and the menu offered no way to change the language."""

from __future__ import annotations

import pytest

from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in

pytestmark = pytest.mark.ui


def lang_button(kiosk: Kiosk, screen: str, lang: str) -> object:
    return kiosk.find(lambda w: getattr(w, "lang", None) == lang, kiosk.screen(screen))


def test_english_chosen_on_the_start_screen_beats_the_ils_dutch(kiosk: Kiosk) -> None:
    kiosk.tap(lang_button(kiosk, "attract", "en"))
    log_in(kiosk, demo.NORMAL, demo.NORMAL_PIN)  # the ILS has Dutch for this member
    assert kiosk.root.current == "menu"
    assert kiosk.runtime.view.language == "en"
    assert "What would you like to do?" in kiosk.texts()


def test_a_choice_on_the_pin_screen_beats_the_ils_english(kiosk: Kiosk) -> None:
    kiosk.tap(lang_button(kiosk, "attract", "de"))
    log_in(kiosk, demo.ENGLISH, demo.ENGLISH_PIN)  # the ILS has English for this member
    assert kiosk.runtime.view.language == "de"


def test_without_a_choice_the_ils_language_still_wins(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.ENGLISH, demo.ENGLISH_PIN)
    assert kiosk.runtime.view.language == "en"


def test_the_menu_offers_a_compact_language_switch(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.NORMAL, demo.NORMAL_PIN)
    assert "Wat wil je doen?" in kiosk.texts()
    dutch = lang_button(kiosk, "menu", "nl")
    assert dutch.selected  # the language shown is marked
    finish = kiosk.button("menu", "finish")
    german = lang_button(kiosk, "menu", "de")
    assert german.top <= finish.top and german.right <= finish.x  # in the bottom bar, beside "Klaar"
    kiosk.tap(german)
    assert kiosk.runtime.view.language == "de"
    assert kiosk.root.current == "menu"
    assert lang_button(kiosk, "menu", "de").selected
    assert "Dutch" not in kiosk.texts() and "Wat wil je doen?" not in kiosk.texts()
