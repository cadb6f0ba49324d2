"""Issue 13 on the widget tree: what a member sees (holds, renewals, offline loans, layout stability)."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.i18n import Translator
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in


def test_ready_hold_shows_ready_with_place_and_date_and_menu_notice(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.HOLD_READY, demo.HOLD_READY_PIN)
    assert kiosk.root.current == "menu"
    assert "Er ligt 1 reservering voor je klaar." in kiosk.texts()
    kiosk.tap(kiosk.button("menu", "account"))
    texts = kiosk.texts()
    assert "Ligt voor je klaar" in texts and "Afhaalkast" in texts and "Ophalen uiterlijk" in texts
    assert demo.HOLD_SHELF not in texts  # a title, not a barcode


def test_renewal_results_stay_in_place_of_the_loan_with_title_and_reason(kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "renew"))
    screen = kiosk.screen("renew")
    before = [getattr(w, "item_id", "") for w in reversed(screen.ids.lines.children)]
    for item_id in (demo.ON_LOAN, demo.RENEWAL_LIMIT):
        kiosk.tap(kiosk.find(lambda w, i=item_id: getattr(w, "item_id", None) == i, screen))
    kiosk.tap(screen.ids.renew)
    rows = list(reversed(screen.ids.lines.children))  # top to bottom
    renewed, refused = (kiosk.texts_of(rows[before.index(i)]) for i in (demo.ON_LOAN, demo.RENEWAL_LIMIT))
    assert "Tonio" in renewed and "Verlengd" in renewed  # in the place of the loan that was tapped
    assert "Dit zijn de namen" in refused and "niet meer verlengd" in refused  # why, in the ILS's words


def test_english_member_gets_an_english_pin_pad_and_goodbye(kiosk: Kiosk) -> None:
    kiosk.send(ev.PassPresented(demo.ENGLISH))
    assert kiosk.root.current == "pin"
    pad = kiosk.screen("pin").ids.pad
    assert kiosk.screen("pin").ids.title.text == Translator("en")("pin.title")
    assert pad.clear_text == Translator("en")("common.clear")
    for digit in demo.ENGLISH_PIN + "k":
        kiosk.tap(next(b for b in pad.children if b.key == ("ok" if digit == "k" else digit)))
    assert kiosk.root.current == "menu"
    kiosk.tap(kiosk.button("menu", "finish"))
    assert kiosk.root.current == "goodbye"
    assert kiosk.screen("goodbye").ids.title.text == Translator("en")("goodbye.title")
