"""The staffing axis of the service mode: staffed / unstaffed (Open+) / closed, and its policy.

Pure rules used by :func:`kiosk.core.machine.transition`:

* :func:`on_clock` — a :class:`~kiosk.core.events.WallClock` (or a technician's override) re-evaluates
  the service hours (:class:`~kiosk.core.service_hours.ServiceHours`, with the override kept in the
  state) into the service mode: staffing, the closing countdown, whether a session may start.
* :func:`refusal` — a member's event asks for a function the mode does not offer, or a new session in
  the last minute before closing or while closed: no effect, and the view says why.
* :func:`unsecured_note` — an item whose tag security could not be switched: the note the mode's policy
  (``unsecured_loan`` / ``unsecured_return``) puts on its line.
* :func:`close_safely` — closed while a session runs: let outstanding answers arrive (a payment on the
  terminal is never cut short), then print the receipt and say goodbye (attract screen, which shows the
  closed screen with the next opening time).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.common import Transition, end_session, receipt_lines
from kiosk.core.schedule import Override
from kiosk.core.service import Staffing
from kiosk.core.service_hours import ModePolicy
from kiosk.core.state import SessionSettings, SessionState
from kiosk.core.view import Message, Screen

log = logging.getLogger(__name__)

CLOCK_EVENTS = (ev.WallClock, ev.StaffingOverride, ev.StaffingOverrideCleared)
# The message shown when a function is off in this mode, or a session may not start (last minute).
NOT_OFFERED = "unstaffed.come_back"
PAYMENT_OFF = "payment.disabled"
LAST_MINUTE = "closing.one_minute"
# Which policy switch a member's event (on a screen; None = any screen) needs.
_NEEDS: dict[tuple[Screen | None, type[ev.Event]], str] = {
    (None, ev.StartBorrow): "borrow",
    (Screen.BORROW, ev.ItemPresented): "borrow",
    (None, ev.StartReturn): "returns",
    (Screen.ATTRACT, ev.ItemPresented): "returns",
    (Screen.RETURN, ev.ItemPresented): "returns",
    (None, ev.StartRenew): "renew",
    (None, ev.RenewItems): "renew",
    (Screen.RENEW, ev.ItemPresented): "renew",
    (None, ev.StartPay): "payments",
    (None, ev.PayFees): "payments",
}
# Effects a switched-off function must never produce (whatever a handler returns).
_EFFECT_NEEDS: dict[type[fx.Effect], str] = {
    fx.CheckOut: "borrow",
    fx.CheckIn: "returns",
    fx.Renew: "renew",
    fx.StartPayment: "payments",
}
# Events that start a session from the attract screen.
_STARTS = (ev.PassPresented, ev.ItemPresented, ev.StartReturn, ev.CardNotAPass)


def on_clock(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Apply a wall-clock time or an override change to the service mode."""
    mode = state.mode
    if isinstance(event, ev.StaffingOverride):
        try:
            override: Override | None = Override(event.staffing, event.start, event.until, event.reason)
        except ValueError as exc:
            log.warning("staffing override refused: %s", exc)
            return state, []
        log.warning("staffing override: %s until %s", event.staffing.value, event.until.isoformat())
        mode, moment = replace(mode, override=override), event.start
    elif isinstance(event, ev.StaffingOverrideCleared):
        log.warning("staffing override withdrawn")
        mode, moment = replace(mode, override=None), event.now
    else:
        assert isinstance(event, ev.WallClock)
        moment = event.now
        if mode.override is None and mode.hours is not None and mode.hours.next_change is None:
            return state, []  # nothing changes within the horizon (e.g. staffed around the clock)
    if mode.override is not None and moment >= mode.override.until:
        log.warning("staffing override (%s) expired", mode.override.mode.value)
        mode = replace(mode, override=None)
    if settings.hours is None:
        return state.with_(mode=mode), []
    hours = settings.hours
    hours = replace(hours, schedule=replace(hours.schedule, override=mode.override))
    status = hours.status(moment)
    if status.mode is not mode.staffing:
        log.warning("staffing: %s -> %s", mode.staffing.value, status.mode.value)
    return state.with_(mode=replace(mode, staffing=status.mode, hours=status)), []


def refusal(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition | None:
    """The outcome when ``event`` asks for something the staffing mode does not allow, else None."""
    mode = state.mode
    if mode.closed and not isinstance(event, ev.LanguageChosen):
        # Closed: no session starts; one still finishing (a payment in flight) takes no new requests.
        log.info("%s ignored: the library is closed", type(event).__name__)
        return state, []
    if state.screen is Screen.ATTRACT and isinstance(event, _STARTS) and not mode.may_start_session:
        return state.with_(message=Message(LAST_MINUTE)), []
    need = _NEEDS.get((state.screen, type(event))) or _NEEDS.get((None, type(event)))
    policy = mode.policy
    if need is not None and not getattr(policy, need):
        key = PAYMENT_OFF if need == "payments" and mode.staffing is Staffing.STAFFED else NOT_OFFERED
        return state.with_(message=Message(key, params=(("function", need),))), []
    if isinstance(event, ev.StartBorrow) and not state.ils_online and not policy.offline_loans:
        return state.with_(message=Message(NOT_OFFERED, params=(("function", "offline_loans"),))), []
    return None


def allowed(policy: ModePolicy, effects: list[fx.Effect]) -> list[fx.Effect]:
    """``effects`` without those of functions the policy switched off."""
    return [e for e in effects if type(e) not in _EFFECT_NEEDS or getattr(policy, _EFFECT_NEEDS[type(e)])]


# The notes for an item whose security could not be switched (pad.py puts them on the line).
UNSECURED_LOAN_NOTES = {"desk": "rfid.security_still_on", "keep": "rfid.security_gate_warning"}
UNSECURED_RETURN_NOTES: dict[str, str | None] = {
    "desk": "rfid.security_not_set",
    "drop_box": "unstaffed.drop_box",
    "accept": None,
}


def unsecured_note(policy: ModePolicy, loan: bool) -> str | None:
    """The note for a lent (``loan``) or returned item whose tag security could not be switched, as the
    mode's policy says (None: the line needs no note). ``unsecured_loan = "cancel"`` undoes the loan
    instead (:func:`kiosk.core.pad.cancel_loan`); it gets the ``desk`` note only when the ILS refuses
    the undo (the loan then stands)."""
    if loan:
        return UNSECURED_LOAN_NOTES.get(policy.unsecured_loan, UNSECURED_LOAN_NOTES["desk"])
    return UNSECURED_RETURN_NOTES.get(policy.unsecured_return, UNSECURED_RETURN_NOTES["desk"])


def close_safely(settings: SessionSettings, state: SessionState, effects: list[fx.Effect]) -> Transition:
    """Closed with a session on screen and nothing outstanding: receipt, then goodbye."""
    if not state.mode.closed or state.screen is Screen.ATTRACT or state.pending:
        return state, effects
    out = list(effects)
    lines = receipt_lines(state)
    if lines and settings.receipt != "never":
        out.append(fx.PrintReceipt(lines, state.language))
    log.info("closing: the session on %s is finished", state.screen.value)
    return end_session(settings, state, out)
