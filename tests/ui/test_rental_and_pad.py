"""Issue 13 item 12 and issue 16 on the widget tree: the rental offer's button on the borrow screen,
and the pad's picture on the borrow/return screens when a pad is configured."""

from __future__ import annotations

from typing import Any

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in


def test_a_rental_offers_pay_and_borrow_and_a_decline_offers_it_again(kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.RENTAL_DVD))
    screen = kiosk.screen("borrow")
    pay = kiosk.find(lambda w: getattr(w, "text", "") == "Betaal € 1,00 en leen", screen)
    assert "Je kunt hier betalen" in kiosk.texts()
    kiosk.runtime.desk.pay = lambda amount: False  # the terminal declines
    kiosk.tap(pay)
    kiosk.until(lambda: kiosk.runtime.view.lines(LineKind.LOAN)[0].status is LineStatus.REFUSED, "declined")
    (line,) = kiosk.runtime.view.lines(LineKind.LOAN)
    assert line.rental is not None and demo.RENTAL_DVD not in kiosk.runtime.library.loans
    again = kiosk.find(lambda w: getattr(w, "text", "") == "Betaal € 1,00 en leen", screen)  # try again
    kiosk.runtime.desk.pay = lambda amount: True
    kiosk.tap(again)
    kiosk.until(lambda: kiosk.runtime.view.lines(LineKind.LOAN)[0].status is LineStatus.DONE, "lent")
    assert kiosk.runtime.library.loans[demo.RENTAL_DVD].patron_id == demo.NORMAL
    assert "Huur betaald: € 1,00." in kiosk.texts() and "Betaal € 1,00 en leen" not in kiosk.texts()


def test_the_pad_picture_shows_only_when_a_pad_is_configured(kiosk_factory: Any) -> None:
    from kiosk.ui.settings import UiSettings

    for pad in (True, False):
        kiosk = kiosk_factory(
            settings=UiSettings(
                library_name="B",
                languages=("nl", "en"),
                tick_interval=0,
                touch_guard=0,
                pad=pad,
            )
        )
        log_in(kiosk)
        kiosk.tap(kiosk.button("menu", "borrow"))
        picture = kiosk.screen("borrow").ids.pad_picture
        assert (picture.height > 0 and picture.opacity == 1) is pad
        if pad:
            assert picture.source.endswith("pad.png")
