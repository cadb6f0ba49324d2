"""Item 7: buttons that cannot work are not offered as if they could; fees point to paying them."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.view import menu_actions
from tests.member.conftest import SETTINGS
from tests.member.flows import do, log_in
from tests.ui.sim_runtime import SimRuntime


def test_fees_block_borrowing_and_point_to_paying(runtime: SimRuntime) -> None:
    log_in(runtime, "20301000010080")
    view = runtime.view
    borrow = menu_actions(view.patron, view.ils_online, True)["borrow"]
    assert not borrow.enabled and borrow.points_to == "pay"
    assert view.message is not None and view.message.key == "error.blocked_fees"
    do(runtime, ev.StartBorrow())  # the session refuses exactly what the menu shows as disabled
    assert runtime.view.screen is Screen.MENU and runtime.view.message == borrow.reason


def test_expired_member_sees_why_and_is_not_sent_to_pay(runtime: SimRuntime) -> None:
    log_in(runtime, "20301000010031")
    view = runtime.view
    borrow = menu_actions(view.patron, view.ils_online, True)["borrow"]
    assert not borrow.enabled and borrow.points_to == "" and borrow.reason is not None
    assert borrow.reason.key == "error.expired"


def test_without_a_terminal_fees_send_the_member_to_the_desk() -> None:
    rt = SimRuntime(replace(SETTINGS, payment_enabled=False))
    try:
        log_in(rt, "20301000010080")
        actions = menu_actions(rt.view.patron, rt.view.ils_online, False)
        assert actions["borrow"].reason is not None and actions["borrow"].reason.key == "error.blocked"
        assert not actions["pay"].shown
        assert rt.view.message is not None and rt.view.message.key == "error.blocked"
    finally:
        rt.close()


def test_offline_only_returns_and_the_account_is_not_offered() -> None:
    actions = menu_actions(None, False, True)
    assert actions["return"].enabled and not actions["account"].enabled and not actions["renew"].enabled
