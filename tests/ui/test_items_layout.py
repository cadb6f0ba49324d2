"""Try-out defects on the borrow/return screens (widget tree, 1280×800 window): with a pad configured
the pad's picture must not squeeze the item list, and the rental's pay button must never be below the
fold."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in

pytestmark = pytest.mark.ui


def pad_kiosk(kiosk_factory: Any) -> Kiosk:
    from kiosk.ui.settings import UiSettings

    return kiosk_factory(
        settings=UiSettings(
            library_name="Bibliotheek Wierden",
            languages=("nl", "en"),
            tick_interval=0,
            touch_guard=0,
            pad=True,
        )
    )


def window_box(widget: Any) -> tuple[float, float]:
    """(bottom, top) of ``widget`` in window coordinates."""
    _x, y = widget.to_window(widget.x, widget.y)
    return y, y + widget.height


def fully_visible(widget: Any, viewport: Any) -> bool:
    """``widget`` lies wholly inside ``viewport`` (a ScrollView or the window), as a member sees it."""
    bottom, top = window_box(widget)
    v_bottom, v_top = window_box(viewport)
    return bottom >= v_bottom - 1 and top <= v_top + 1


def test_three_borrowed_books_are_all_visible_under_the_pad_picture(kiosk_factory: Any) -> None:
    kiosk = pad_kiosk(kiosk_factory)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    screen = kiosk.screen("borrow")
    assert screen.ids.pad_picture.height > 0  # before the first item: the picture says what to do
    for item in (demo.AVAILABLE, demo.AVAILABLE_2, demo.AVAILABLE_3):
        kiosk.send(ev.ItemPresented(item))
    kiosk.frames(5)
    rows = list(screen.ids.lines.children)
    assert len(rows) == 3
    scroll = screen.ids.lines.parent
    assert all(fully_visible(row, scroll) for row in rows), "a borrowed book is below the fold"


def test_a_return_instruction_is_visible_without_scrolling(kiosk_factory: Any) -> None:
    kiosk = pad_kiosk(kiosk_factory)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "give_back"))
    kiosk.send(ev.ItemPresented(demo.ON_LOAN))
    kiosk.send(ev.ItemPresented(demo.ON_HOLD_OTHER))  # reserved by someone else: an instruction
    kiosk.frames(5)
    screen = kiosk.screen("return")
    scroll = screen.ids.lines.parent
    instruction = kiosk.find(lambda w: "reserveringen" in getattr(w, "text", "").lower(), screen.ids.lines)
    assert fully_visible(instruction, scroll)


def test_the_rental_pay_button_and_the_paid_line_stay_on_screen(kiosk_factory: Any) -> None:
    kiosk = pad_kiosk(kiosk_factory)
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.RENTAL_DVD))
    kiosk.frames(5)
    screen = kiosk.screen("borrow")
    pay = kiosk.find(lambda w: getattr(w, "text", "") == "Betaal € 1,00 en leen", screen)
    assert fully_visible(pay, screen.ids.lines.parent.parent)  # not scrolled away
    assert not any(pay is w for w in screen.ids.lines.walk())  # outside the scrolled list
    assert fully_visible(pay, screen) and window_box(pay)[0] > window_box(screen.ids.back)[1]
    kiosk.runtime.desk.pay = lambda amount: True
    kiosk.tap(pay)
    kiosk.until(lambda: kiosk.runtime.view.lines(LineKind.LOAN)[0].status is LineStatus.DONE, "lent")
    kiosk.frames(5)
    (row,) = screen.ids.lines.children
    assert row.height > 0 and fully_visible(row, screen.ids.lines.parent)
