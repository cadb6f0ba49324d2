"""The kiosk's behaviour: the patron session as a pure, table-driven state machine.

Feed :class:`Session` events (:mod:`kiosk.core.events`), carry out the effects it returns
(:mod:`kiosk.core.effects`) and render its :attr:`Session.view` (:mod:`kiosk.core.view`).
"""

from kiosk.core.machine import TABLE, Session, transition
from kiosk.core.state import SessionSettings, SessionState
from kiosk.core.view import Screen, SessionView

__all__ = ["TABLE", "Screen", "Session", "SessionSettings", "SessionState", "SessionView", "transition"]
