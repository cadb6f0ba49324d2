"""Issue 14 item 1: the terminal's instructions reach the pay screen through the view, not a side door."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core import events as ev
from kiosk.core.view import Screen
from tests.core.helpers import reach, sid


def test_the_terminal_prompt_is_in_the_view_while_paying_and_gone_after() -> None:
    session = reach(Screen.PAY)
    i = sid(session)
    session.handle(ev.TerminalPrompt("insert_card"))
    assert session.view.terminal_prompt is None  # no payment under way: a stray prompt is dropped
    session.handle(ev.PayFees(("FEE-1",)))
    session.handle(ev.TerminalPrompt("insert_card"))
    assert session.view.terminal_prompt == "terminal.insert_card"
    session.handle(ev.TerminalPrompt("terminal.enter_pin"))
    assert session.view.terminal_prompt == "terminal.enter_pin"
    session.handle(ev.PaymentCompleted(i, ("FEE-1",), Decimal("1.50")))
    assert session.view.terminal_prompt is None
    session.handle(ev.PayFees(("FEE-2",)))  # the next payment starts without the last one's prompt
    assert session.view.busy and session.view.terminal_prompt is None
