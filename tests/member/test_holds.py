"""Item 2: holds that are ready show as ready (title, where, until when); a notice on the menu."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.core import Screen
from kiosk.core import events as ev
from sip2.simulator import demo
from tests.core.harness import Kiosk


def test_a_hold_on_the_shelf_shows_title_place_and_last_day_over_sip2(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.HOLD_READY, demo.HOLD_READY_PIN)
    view = kiosk.session.view
    assert view.screen is Screen.MENU and view.patron is not None and view.patron.holds_ready == 1
    kiosk.do(ev.ShowAccount())
    account = kiosk.session.view.account
    assert account is not None
    (hold,) = [h for h in account.holds if h.item_id == demo.HOLD_SHELF]
    assert hold.available and hold.title and hold.title != demo.HOLD_SHELF
    assert hold.pickup_location and hold.pickup_until
    assert date.fromisoformat(hold.pickup_until) > date.today() - timedelta(days=1)


def test_a_hold_not_yet_in_shows_its_title_and_not_in_yet(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.ENGLISH, demo.ENGLISH_PIN)
    kiosk.do(ev.ShowAccount())
    account = kiosk.session.view.account
    assert account is not None and account.holds
    waiting = [h for h in account.holds if not h.available]
    assert waiting and all(h.title and not h.title.isdigit() for h in waiting)
