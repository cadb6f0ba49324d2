"""Try-out polish: the selected language's ring could not be seen in high contrast, dialogs had no
edge, the renew/pay toggles showed ASCII "[x]" (and only renew said "selected"), and a loan line showed
the ILS's message when it only repeated the due date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kivy.graphics import Line

from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in

pytestmark = pytest.mark.ui


def ring(button: Any) -> Any:
    return next(i for i in button.canvas.before.children if isinstance(i, Line))


def test_the_selected_language_ring_lies_inside_the_buttons_colour(
    kiosk_factory: Callable[..., Kiosk],
) -> None:
    from kiosk.ui.settings import UiSettings

    kiosk = kiosk_factory(
        settings=UiSettings(
            library_name="B", languages=("nl", "en"), tick_interval=0, touch_guard=0, high_contrast=True
        )
    )
    chosen = kiosk.find(lambda w: getattr(w, "lang", None) == "nl" and w.selected)
    x, y, width, height = ring(chosen).rounded_rectangle[:4]
    inset = min(x - chosen.x, y - chosen.y, chosen.right - (x + width), chosen.top - (y + height))
    assert inset - ring(chosen).width >= 4  # a band of the button's own colour around the ring


def test_dialogs_have_a_border(kiosk: Kiosk) -> None:
    kiosk.tap(kiosk.root.help_button)
    dialog = kiosk.find(lambda w: getattr(w, "dialog_kind", "") == "help.title")
    line = next(i for i in dialog.canvas.after.children if isinstance(i, Line))
    assert line.rectangle[2] >= dialog.width - 8 and line.rectangle[3] >= dialog.height - 8


def test_renew_toggles_show_a_check_box_and_say_selected(kiosk: Kiosk) -> None:
    from kiosk.ui.fmt import CHECKED, UNCHECKED

    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "renew"))
    toggles = [w for w in kiosk.screen("renew").ids.lines.children if hasattr(w, "item_id")]
    assert toggles and all(UNCHECKED in t.text and t.markup for t in toggles)
    assert not any("[  ]" in t.text for t in toggles)
    kiosk.tap(toggles[-1])
    chosen = next(w for w in kiosk.screen("renew").ids.lines.children if getattr(w, "selected", False))
    assert CHECKED in chosen.text and "Geselecteerd" in chosen.text and "[x]" not in chosen.text


def test_pay_toggles_show_a_check_box_and_say_selected_as_renew_does(kiosk: Kiosk) -> None:
    from kiosk.ui.fmt import CHECKED, UNCHECKED

    log_in(kiosk, demo.FEES, demo.FEES_PIN)
    kiosk.tap(kiosk.button("menu", "pay"))
    fees = [w for w in kiosk.screen("pay").ids.lines.children if hasattr(w, "fee_id")]
    assert fees and all(f.selected for f in fees)  # all preselected
    assert all(CHECKED in f.text and "Geselecteerd" in f.text and "[x]" not in f.text for f in fees)
    kiosk.tap(fees[0])
    unchosen = [w for w in kiosk.screen("pay").ids.lines.children if hasattr(w, "fee_id") and not w.selected]
    assert len(unchosen) == 1 and UNCHECKED in unchosen[0].text and "Geselecteerd" not in unchosen[0].text


def test_an_ils_message_that_only_repeats_the_due_date_is_not_shown(kiosk: Kiosk) -> None:
    from kiosk.core.view import ItemLine, LineKind, LineStatus, Message
    from kiosk.ui.screens.base import item_row

    def shown(ils_text: str) -> str:
        line = ItemLine(
            kind=LineKind.LOAN,
            item_id=demo.AVAILABLE,
            status=LineStatus.DONE,
            title="Max Havelaar",
            due="2026-12-28",
            notes=(Message("item.ils_message", ils_text),),
        )
        return kiosk.texts_of(item_row(kiosk.root, line))

    repeat = shown("Uitgeleend tot 28-12-2026.")  # what the simulated Wise sends with every loan
    assert "Inleveren uiterlijk 28-12-2026" in repeat and "Bericht van de bibliotheek" not in repeat
    news = shown("Let op: dit boek is beschadigd.")  # something else: still shown
    assert "Bericht van de bibliotheek: Let op: dit boek is beschadigd." in news
