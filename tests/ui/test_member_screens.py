"""Issue 13 on the widget tree: what a member sees (holds, renewals, offline loans, layout stability)."""

from __future__ import annotations

from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in


def test_ready_hold_shows_ready_with_place_and_date_and_menu_notice(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.HOLD_READY, demo.HOLD_READY_PIN)
    assert kiosk.root.current == "menu"
    assert "Er ligt 1 reservering voor je klaar." in kiosk.texts()
    kiosk.tap(kiosk.button("menu", "account"))
    texts = kiosk.texts()
    assert "Ligt voor je klaar" in texts and "Reserveringenkast" in texts and "Ophalen uiterlijk" in texts
    assert demo.HOLD_SHELF not in texts  # a title, not a barcode
