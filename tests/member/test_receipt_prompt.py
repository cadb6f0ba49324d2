"""Item 9: the receipt question does not linger with the member's titles: no answer, no receipt."""

from __future__ import annotations

from kiosk.core import Screen
from kiosk.core import events as ev
from tests.member.flows import do, log_in
from tests.ui.sim_runtime import SimRuntime


def test_unanswered_receipt_question_ends_the_session_after_15_seconds(runtime: SimRuntime) -> None:
    do(runtime, ev.Tick(10.0))
    log_in(runtime, "20301000010015")
    do(runtime, ev.StartBorrow(), ev.ItemPresented("30301000500013"), ev.Finish())
    assert runtime.view.screen is Screen.RECEIPT and runtime.view.items
    do(runtime, ev.Tick(20.0))
    assert runtime.view.screen is Screen.RECEIPT  # still time to answer
    do(runtime, ev.Tick(10.0 + 15.5))
    assert runtime.view.screen is Screen.GOODBYE and not runtime.view.items  # the titles are gone
    assert runtime.printed == []  # no answer is no receipt
