"""Try-out defects in what the screens say: the goodbye mentioned a pass nobody used, the borrow/return
prompt ignored the pad, and the receipt question after paying said "0 items"."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.core import events as ev
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in
from tests.ui.test_items_layout import pad_kiosk

pytestmark = pytest.mark.ui


def finish_without_receipt(kiosk: Kiosk, screen: str) -> str:
    kiosk.tap(kiosk.button(screen, "done"))
    assert kiosk.root.current == "receipt"
    kiosk.tap(kiosk.button("receipt", "no_receipt"))
    assert kiosk.root.current == "goodbye"
    return str(kiosk.screen("goodbye").ids.body.text)


def test_the_goodbye_after_a_return_without_a_pass_does_not_mention_a_pass(kiosk: Kiosk) -> None:
    kiosk.tap(kiosk.button("attract", "return_button"))
    kiosk.send(ev.ItemPresented(demo.ON_LOAN))
    body = finish_without_receipt(kiosk, "return")
    assert "pas" not in body and body == "Vergeet je spullen niet."
    kiosk.tap(kiosk.screen("goodbye").ids.title)
    log_in(kiosk)  # the next member uses a pass: reminded of it
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    assert finish_without_receipt(kiosk, "borrow") == "Vergeet je pas en je materialen niet."


def test_with_a_pad_the_prompt_says_put_items_on_the_pad(kiosk_factory: Any, kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    assert kiosk.screen("borrow").ids.prompt.text.startswith("Scan de streepjescode")  # no pad: scanner only
    padded = pad_kiosk(kiosk_factory)
    log_in(padded)
    padded.tap(padded.button("menu", "borrow"))
    assert (
        padded.screen("borrow").ids.prompt.text == "Leg je materialen op de plaat of scan de streepjescode."
    )
    padded.tap(padded.button("borrow", "back"))
    padded.tap(padded.button("menu", "give_back"))
    assert padded.screen("return").ids.prompt.text.startswith("Leg de materialen die je inlevert op de plaat")


def test_the_receipt_question_after_paying_says_what_was_paid(kiosk: Kiosk) -> None:
    kiosk.runtime.desk.pay = lambda amount: True
    log_in(kiosk, demo.FEES, demo.FEES_PIN)
    kiosk.tap(kiosk.button("menu", "pay"))
    total = sum(f.amount for f in kiosk.runtime.view.account.fees)  # type: ignore[union-attr]
    kiosk.tap(kiosk.button("pay", "pay"))
    assert "Betaling gelukt" in kiosk.texts()
    kiosk.tap(kiosk.button("pay", "done"))
    assert kiosk.root.current == "receipt"
    summary = kiosk.screen("receipt").ids.summary.text
    assert "0 materialen" not in summary
    assert summary == f"Betaald: € {total:.2f}".replace(".", ",")
