"""Item 1: paying unblocks in the same session (the patron's status is re-read after a Fee Paid)."""

from __future__ import annotations

from kiosk.core import Screen
from kiosk.core import events as ev
from tests.member.flows import do, log_in
from tests.ui.sim_runtime import SimRuntime

FEES_ABOVE_LIMIT = "20301000010080"


def test_paying_the_fees_lets_the_member_borrow_without_logging_out(runtime: SimRuntime) -> None:
    log_in(runtime, FEES_ABOVE_LIMIT)
    assert runtime.view.screen is Screen.MENU
    assert runtime.view.patron is not None and not runtime.view.patron.can_borrow
    do(runtime, ev.StartPay())
    assert runtime.view.screen is Screen.PAY and runtime.view.account is not None
    do(runtime, ev.PayFees(tuple(fee.fee_id for fee in runtime.view.account.fees)))
    assert runtime.view.patron is not None and runtime.view.patron.can_borrow
    do(runtime, ev.Back(), ev.StartBorrow())
    assert runtime.view.screen is Screen.BORROW
    do(runtime, ev.ItemPresented("30301000500013"))
    assert [line.status.value for line in runtime.view.items] == ["done"]
