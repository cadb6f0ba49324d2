"""Touch-driven patron flows on the real core and the simulated ILS, rendered offscreen."""

from __future__ import annotations

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineStatus, Screen
from sip2.simulator import demo
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


def log_in(kiosk: Kiosk, pass_number: str = demo.NORMAL, pin: str = demo.NORMAL_PIN) -> None:
    kiosk.send(ev.PassPresented(pass_number))
    assert kiosk.root.current == "pin"
    pad = kiosk.screen("pin").ids.pad
    for digit in pin:
        kiosk.tap(next(b for b in pad.children if b.key == digit))
    assert pad.length == len(pin)
    kiosk.tap(next(b for b in pad.children if b.key == "ok"))
    assert pad.length == 0


def test_borrow_two_items_see_due_dates_and_finish(kiosk: Kiosk) -> None:
    assert kiosk.root.current == "attract"
    log_in(kiosk)
    assert kiosk.root.current == "menu"
    assert "Hallo" in kiosk.screen("menu").ids.greeting.text
    kiosk.tap(kiosk.button("menu", "borrow"))
    assert kiosk.root.current == "borrow"
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE_2))
    lines = kiosk.runtime.view.items
    assert [line.status for line in lines] == [LineStatus.DONE, LineStatus.DONE]
    shown = kiosk.texts()
    assert "Het diner" in shown and "De avond is ongemak" in shown
    assert shown.count("Inleveren uiterlijk") == 2
    due = lines[0].due  # ISO from the ILS, shown the Dutch way
    assert f"{due[8:10]}-{due[5:7]}-{due[0:4]}" in shown
    kiosk.tap(kiosk.button("borrow", "done"))
    assert kiosk.root.current == "receipt"
    kiosk.tap(kiosk.button("receipt", "no_receipt"))
    assert kiosk.runtime.view.screen is Screen.GOODBYE  # the core's goodbye, in the view
    assert kiosk.root.current == "goodbye"
    kiosk.tap(kiosk.screen("goodbye").ids.title)  # a tap: Acknowledge to the core
    assert kiosk.runtime.view.screen is Screen.ATTRACT
    assert kiosk.root.current == "attract"
    shown = kiosk.texts()
    assert "Het diner" not in shown and "Hallo" not in shown
    assert kiosk.screen("borrow").ids.lines.children == []


def test_return_without_a_pass_shows_where_items_go(kiosk: Kiosk) -> None:
    kiosk.tap(kiosk.button("attract", "return_button"))
    assert kiosk.root.current == "return"
    kiosk.send(ev.ItemPresented(demo.ON_LOAN))
    kiosk.send(ev.ItemPresented(demo.ON_HOLD_OTHER))  # reserved by another member: hold shelf
    kiosk.send(ev.ItemPresented("39999000000017"))  # not ours
    shown = kiosk.texts()
    assert "Tonio" in shown and "Ingeleverd" in shown
    assert "reserveringenbak" in shown and "RESERVERINGEN" not in shown  # the site's instruction
    assert "Niet gelukt" in shown
    # Sound cues next to the text: success, attention (put it aside), error (refused).
    assert kiosk.root.sounds.played == ["success", "attention", "error"]
    kiosk.tap(kiosk.button("return", "done"))
    assert kiosk.runtime.view.screen in (Screen.GOODBYE, Screen.RECEIPT)
    if kiosk.root.current == "receipt":
        kiosk.tap(kiosk.button("receipt", "no_receipt"))
    assert kiosk.root.current == "goodbye"
    assert "Tonio" not in kiosk.texts()


def test_idle_warning_more_time_then_timeout_clears_session(kiosk: Kiosk) -> None:
    kiosk.tick(0)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    assert "Het diner" in kiosk.texts()
    kiosk.tick(50)  # 60 s timeout, warning 15 s before
    dialog = kiosk.root.dialog
    assert dialog is not None and dialog.dialog_kind == "idle.title"
    assert "Ben je er nog?" in kiosk.texts()
    kiosk.tap(kiosk.find(lambda w: getattr(w, "text", "") == "Meer tijd"))
    assert kiosk.root.dialog is None
    assert kiosk.root.current == "borrow"
    kiosk.tick(50)
    assert kiosk.root.dialog is not None
    kiosk.tick(11)
    assert kiosk.runtime.view.screen is Screen.GOODBYE
    assert kiosk.root.dialog is None
    assert kiosk.root.current == "goodbye"
    assert "Het diner" not in kiosk.texts() and "Hallo" not in kiosk.texts()
    assert kiosk.screen("borrow").ids.lines.children == []
    kiosk.tick(3)  # the goodbye is the core's: its own timer, by Tick
    assert kiosk.root.current == "goodbye"
    kiosk.tick(1)  # goodbye_seconds (4) after the session ended
    assert kiosk.runtime.view.screen is Screen.ATTRACT and kiosk.root.current == "attract"


def test_language_switch_on_attract_and_by_patron_language(kiosk: Kiosk) -> None:
    assert "Welkom bij Bibliotheek Wierden" in kiosk.texts()
    english = kiosk.find(lambda w: getattr(w, "lang", None) == "en")
    kiosk.tap(english)
    assert kiosk.runtime.view.language == "en"
    assert "Welcome to Bibliotheek Wierden" in kiosk.texts()
    assert "Return items (no pass needed)" in kiosk.texts()
    kiosk.tap(kiosk.find(lambda w: getattr(w, "lang", None) == "tr"))
    assert "Hoş geldiniz" in kiosk.texts()
    kiosk.tick(1)
    kiosk.tap(kiosk.find(lambda w: getattr(w, "lang", None) == "nl"))
    kiosk.tick(61)  # nobody came: the choice made on the start screen is forgotten
    # The English-speaking demo patron (SIP2 language 001) gets English after logging in.
    log_in(kiosk, demo.ENGLISH, demo.ENGLISH_PIN)
    assert kiosk.runtime.view.language == "en"
    assert "What would you like to do?" in kiosk.texts()


def test_wrong_pin_shows_tries_and_plays_error(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.NORMAL, "9999")
    assert kiosk.root.current == "pin"
    assert "Verkeerde pincode" in kiosk.texts()
    assert "Nog 2 pogingen" in kiosk.texts()
    assert "error" in kiosk.root.sounds.played


def test_offline_banner_and_blocked_patron(kiosk: Kiosk) -> None:
    kiosk.send(ev.IlsOffline())
    assert kiosk.root.banner_shown
    assert "offline" in kiosk.texts()
    kiosk.send(ev.IlsOnline())
    assert not kiosk.root.banner_shown
    log_in(kiosk, demo.EXCESSIVE_FEES, demo.EXCESSIVE_FEES_PIN)
    assert kiosk.root.current == "menu"
    assert "Lenen is niet mogelijk" in kiosk.texts()
    borrow, pay = kiosk.screen("menu").ids.borrow, kiosk.screen("menu").ids.pay
    assert borrow.disabled  # not offered as if it could work; the message above says why
    assert not pay.disabled and pay.role == "primary"  # fees are the reason: paying is the way out


def test_another_pass_asks_before_switching(kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.send(ev.PassPresented(demo.FEES))
    assert kiosk.root.dialog is not None
    kiosk.tap(kiosk.find(lambda w: getattr(w, "text", "") == "Nee, doorgaan"))
    assert kiosk.root.dialog is None and kiosk.root.current == "menu"


def test_account_and_renew(kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "account"))
    assert kiosk.root.current == "account"
    shown = kiosk.texts()
    assert "Tonio" in shown and "Geleend (" in shown
    kiosk.tap(kiosk.button("account", "renew"))
    assert kiosk.root.current == "renew"
    toggle = kiosk.find(lambda w: getattr(w, "item_id", None) == demo.ON_LOAN)
    kiosk.tap(toggle)
    assert kiosk.screen("renew").selection == {demo.ON_LOAN}
    kiosk.tap(kiosk.button("renew", "renew"))
    renewed = [line for line in kiosk.runtime.view.items if line.item_id == demo.ON_LOAN]
    assert renewed and renewed[-1].status is LineStatus.DONE
    assert "Verlengd" in kiosk.texts()


def test_large_text_and_high_contrast_toggles(kiosk: Kiosk) -> None:
    look = kiosk.root.look
    body = look.sizes["body"]
    kiosk.tap(kiosk.button("attract", "large_text"))
    assert look.sizes["body"] > body and kiosk.screen("attract").ids.prompt.font_size > body
    kiosk.tap(kiosk.button("attract", "contrast"))
    assert look.high_contrast
    assert tuple(kiosk.screen("attract").children[0].bg_color[:3]) == (0.0, 0.0, 0.0)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "finish"))  # nothing borrowed: no receipt question
    assert kiosk.runtime.view.screen is Screen.GOODBYE
    assert not look.high_contrast and look.sizes["body"] == body  # the next patron gets the default


def test_ticks_do_not_rebuild_the_screen(kiosk: Kiosk) -> None:
    kiosk.tick(0)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    row = kiosk.screen("borrow").ids.lines.children[0]
    kiosk.tick(1)
    kiosk.tick(1)
    assert kiosk.screen("borrow").ids.lines.children[0] is row  # same widget: scroll position kept
    kiosk.tick(46)  # into the idle warning: the countdown updates, the list stays
    assert kiosk.root.dialog is not None and "12 seconden" in kiosk.texts()
    kiosk.tick(1)
    assert "11 seconden" in kiosk.texts()
    assert kiosk.screen("borrow").ids.lines.children[0] is row


def test_screens_are_built_on_first_use_and_all_cleared_after_the_patron(kiosk: Kiosk) -> None:
    """Only the attract screen exists at start (memory); every screen built since holds nothing of the
    patron after the session (a hidden screen is cleared too)."""
    assert set(kiosk.root.screens.built()) == {"attract"}
    log_in(kiosk)
    patron = kiosk.runtime.view.patron
    assert patron is not None and patron.display_name
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    assert "Het diner" in kiosk.texts()
    kiosk.tap(kiosk.button("borrow", "done"))
    kiosk.tap(kiosk.button("receipt", "no_receipt"))
    kiosk.tap(kiosk.screen("goodbye").ids.title)
    built = kiosk.root.screens.built()
    assert {"attract", "pin", "menu", "borrow", "receipt", "goodbye"} <= set(built)
    assert not any(name.startswith("maint") for name in built)  # never opened, never built
    for name, screen in built.items():
        for widget in screen.walk():
            text = str(getattr(widget, "text", ""))
            assert "Het diner" not in text and patron.display_name not in text, f"{name} still shows {text!r}"


def test_a_second_member_confirming_the_switch_finds_nothing_of_the_first(kiosk: Kiosk) -> None:
    """The core says the first session ended (view.ended) though no attract screen comes between: every
    screen built for the first member is reset, hidden ones too (privacy)."""
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    assert "Het diner" in kiosk.texts()
    kiosk.send(ev.PassPresented(demo.ENGLISH))
    dialog = kiosk.root.dialog
    assert dialog is not None and dialog.dialog_kind == "switch.title"
    kiosk.tap(kiosk.find(lambda w: getattr(w, "text", "") == kiosk.root.t("switch.yes")))
    assert kiosk.runtime.view.ended == 1 and kiosk.root.current == "pin"
    for name, screen in kiosk.root.screens.built().items():
        for widget in screen.walk():
            assert "Het diner" not in str(getattr(widget, "text", "")), f"{name} still shows the first loan"
