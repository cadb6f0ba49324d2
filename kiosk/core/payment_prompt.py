"""The payment terminal's instructions to the member ("insert your card", "enter your PIN") reach the
pay screen through the session view, like everything else the core tells the UI.

The payment worker reports each status as :class:`~kiosk.core.events.TerminalPrompt`; while a payment
is under way the view carries it (``SessionView.terminal_prompt``), and once the payment is answered
the view drops it.
"""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.common import Transition
from kiosk.core.state import PAYMENT, SessionSettings, SessionState

PREFIX = "terminal."


def catalog_key(key: str | None) -> str | None:
    """The message key for a terminal status (``insert_card`` → ``terminal.insert_card``)."""
    if not key:
        return None
    return key if key.startswith(PREFIX) else PREFIX + key


def on_terminal_prompt(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Keep the terminal's latest instruction while a payment is under way (a late one is dropped)."""
    assert isinstance(event, ev.TerminalPrompt)
    if PAYMENT not in state.pending:
        return state, []
    return state.with_(terminal_prompt=catalog_key(event.key)), []
