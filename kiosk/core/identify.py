"""Handlers for the start and end of a session: passes, PINs, the patron lookup, timers, language."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core import pin_lockout
from kiosk.core.common import (
    Transition,
    end_session,
    go,
    goodbye_over,
    stay,
    user_can_leave,
)
from kiosk.core.common import start_identification as _start_identification
from kiosk.core.effects import CheckIn, Effect, LoadAccount, LookUpPatron, PlaySound
from kiosk.core.state import ACCOUNT, LOOKUP, PAYMENT, SessionSettings, SessionState, language_for_sip2
from kiosk.core.view import ItemLine, LineKind, LineStatus, Message, PatronView, Screen, menu_actions

# Patron status flags (SIP2 "patron status", 14 positions) that end the session at once, and those that
# only take away borrowing or renewing: a blocked patron may still see the account and pay fees.
REFUSE_SESSION = {"card_reported_lost": "error.card_lost"}
NO_BORROW = {
    "charge_privileges_denied",
    "too_many_items_charged",
    "too_many_items_overdue",
    "too_many_items_lost",
    "excessive_outstanding_fines",
    "excessive_outstanding_fees",
    "too_many_items_billed",
    "recall_overdue",
    "too_many_claims_of_items_returned",
    "expired",
}
NO_RENEW = {"renewal_privileges_denied", "too_many_renewals", "expired"}


def _lockout_period(settings: SessionSettings) -> float:
    return settings.pin_lockout_minutes * 60.0


def start_identification(
    settings: SessionSettings, state: SessionState, pass_number: str, effects: list[Effect] | None = None
) -> Transition:
    """Identify a pass, unless it is locked by wrong PINs; its tries left carry over from earlier sessions."""
    period = _lockout_period(settings)
    table = pin_lockout.current(state.pin_failures, state.clock, period)
    state = state.with_(pin_failures=table)
    wrong = pin_lockout.failures(table, pass_number, state.clock, period)
    if wrong >= settings.pin_tries:
        out = list(effects or [])
        minutes = str(max(1, round(settings.pin_lockout_minutes)))
        state = state.with_(last_activity=state.clock, warned=False, pin_tries_left=0)
        notice_state, notice_effects = _notice(state, Message("error.pin_tries", "", (("minutes", minutes),)))
        return notice_state, out + notice_effects
    state, out = _start_identification(settings, state, pass_number, effects)
    return state.with_(pin_tries_left=settings.pin_tries - wrong), out


# --- system events ---------------------------------------------------------------------------------
def on_tick(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Advance the clock: warn before the idle timeout, end the session when it passes; end the goodbye
    after ``goodbye_seconds``."""
    assert isinstance(event, ev.Tick)
    now = event.now
    if state.clock is not None and now < state.clock:  # a monotonic clock never goes back; ignore
        return state, []
    if state.screen is Screen.GOODBYE:
        since = state.last_activity if state.last_activity is not None else now
        if now - since >= settings.goodbye_seconds:
            return goodbye_over(settings, state.with_(clock=now)), []
        return state.with_(clock=now, last_activity=since), []
    if state.screen is Screen.ATTRACT:
        # A language picked on the attract screen by someone who then walked away is reset too.
        chosen_at = state.last_activity
        lang = settings.default_language
        walked_away = chosen_at is not None and now - chosen_at >= settings.idle_timeout
        if (state.language != lang or state.language_chosen) and walked_away:
            reset = state.with_(clock=now, language=lang, language_chosen=False, last_activity=None)
            return reset, []
        return state.with_(clock=now), []
    last = state.last_activity if state.last_activity is not None else now
    if not user_can_leave(state):  # the terminal has its own timeout; do not cut a payment short
        last = now
    state = state.with_(clock=now, last_activity=last)
    idle = now - last
    if idle >= settings.idle_timeout:
        return end_session(settings, state)
    if state.screen is Screen.RECEIPT and idle >= settings.receipt_prompt_seconds:
        return end_session(settings, state)  # the receipt question unanswered: no receipt, goodbye
    if idle >= settings.idle_timeout - settings.idle_warning and not state.warned:
        return state.with_(warned=True), [PlaySound("attention")]
    return state, []


def on_more_time(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The idle warning's "more time": activity was already recorded by the machine; just confirm."""
    return state, []


def on_ils_offline(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Switch to offline: screens that need the ILS fall back to the menu and say why."""
    state = state.with_(ils_online=False)
    if state.screen in (Screen.RENEW, Screen.ACCOUNT) or (
        state.screen is Screen.PAY and PAYMENT not in state.pending
    ):
        return go(state, Screen.MENU, message=Message("offline.unavailable"))
    return state, []


def on_ils_online(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The ILS is back: everything is available again."""
    message = None if state.message and state.message.key.startswith("offline.") else state.message
    return state.with_(ils_online=True, message=message), []


def on_language(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The patron picked a language the site offers."""
    assert isinstance(event, ev.LanguageChosen)
    if event.language not in settings.languages:
        return state, []
    # Even the language already shown counts as chosen: the ILS's language does not override it.
    return state.with_(language=event.language, language_chosen=True, last_activity=state.clock), []


# --- idle / notice ---------------------------------------------------------------------------------
def on_pass_idle(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A pass on the attract (or notice) screen starts a session."""
    assert isinstance(event, ev.PassPresented)
    if state.screen is Screen.NOTICE:
        state, effects = end_session(settings, state, goodbye=False)
        return start_identification(settings, state, event.pass_number, effects)
    return start_identification(settings, state, event.pass_number)


def on_item_idle(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """An item on the attract screen: returning needs no pass."""
    assert isinstance(event, ev.ItemPresented)
    state = state.with_(last_activity=state.clock, pin_tries_left=settings.pin_tries)
    state = state.with_line(ItemLine(kind=LineKind.RETURN, item_id=event.item_id))
    effects: list[Effect] = [CheckIn(state.session_id, event.item_id)]
    return go(state, Screen.RETURN, effects, pending=state.asking(("return", event.item_id)))


def on_return_idle(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """ "Return items" on the attract screen."""
    return go(state, Screen.RETURN, last_activity=state.clock)


def on_end(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Leave the session without a receipt (notice acknowledged, PIN cancelled)."""
    return end_session(settings, state)


def on_goodbye_over(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A tap on the goodbye: the attract screen at once."""
    return goodbye_over(settings, state), []


# --- PIN and lookup --------------------------------------------------------------------------------
def on_pin(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """PIN entered: look the patron up with it."""
    assert isinstance(event, ev.PinEntered) and state.pass_number
    if not event.pin:
        return stay(state, Message("error.pin_empty"))
    effects: list[Effect] = [LookUpPatron(state.session_id, state.pass_number, event.pin)]
    return go(state, Screen.IDENTIFYING, effects, pin=event.pin, pending=state.asking(LOOKUP), message=None)


def on_other_pass_identifying(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Another pass while still identifying: nobody is logged in yet, so simply start over with it."""
    assert isinstance(event, ev.PassPresented)
    if event.pass_number == state.pass_number:
        return state, []
    # Returns made before the pass was presented stay; a lookup in flight is dropped via the new id.
    fresh = state.with_(session_id=state.session_id + 1, pending=(), items=(), patron=None)
    kept = tuple(
        line for line in state.items if line.kind is LineKind.RETURN and line.status is not LineStatus.PENDING
    )
    return start_identification(settings, fresh.with_(items=kept), event.pass_number)


def on_patron_found(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The ILS answered the lookup: PIN checks, blocks, language, then the menu."""
    assert isinstance(event, ev.PatronFound)
    if not event.valid:
        return _notice(state, Message("error.patron_unknown", event.screen_message))
    # The member's own language from here on, the PIN pad included (one language per member), unless the
    # member picked one on this session's screens: a choice made here beats the ILS's record.
    effects: list[Effect] = []
    language = language_for_sip2(event.language)
    if language and language in settings.languages and not state.language_chosen:
        state = state.with_(language=language)
    if settings.pin != "never":
        if state.pin is None and (event.pin_required or event.pin_valid is False):
            return go(state, Screen.PIN, effects, message=None)  # "patron" mode: this patron has a PIN
        pass_number = state.pass_number
        if state.pin is not None and event.pin_valid is False and pass_number:
            period = _lockout_period(settings)
            table = pin_lockout.record_failure(state.pin_failures, pass_number, state.clock, period)
            state = state.with_(pin_failures=table)
            tries = settings.pin_tries - pin_lockout.failures(table, pass_number, state.clock, period)
            if tries <= 0:
                minutes = str(max(1, round(settings.pin_lockout_minutes)))
                locked = Message("error.pin_tries", event.screen_message, (("minutes", minutes),))
                return _notice(state.with_(pin_tries_left=0), locked)
            return go(
                state,
                Screen.PIN,
                [*effects, PlaySound("error")],
                pin=None,
                pin_tries_left=tries,
                message=Message("error.pin_wrong", event.screen_message),
            )
    for flag, key in REFUSE_SESSION.items():
        if flag in event.flags:
            return _notice(state, Message(key, event.screen_message))
    if state.pass_number and state.pin is not None:  # a right PIN clears this pass's wrong ones
        state = state.with_(pin_failures=pin_lockout.forget(state.pin_failures, state.pass_number))
    patron = patron_view(event)
    message = patron_message(settings, state, event)
    if settings.list_loans and state.pass_number and not event.offline and state.account is None:
        # The receipt will list every current loan: fetch them now, while the member starts.
        effects.append(LoadAccount(state.session_id, state.pass_number, state.pin))
        state = state.with_(pending=state.asking(ACCOUNT))
    return go(state, Screen.MENU, effects, patron=patron, message=message, pin_tries_left=settings.pin_tries)


def patron_view(event: ev.PatronFound) -> PatronView:
    """What the patron may do, from the ILS's status flags (at login and after every re-read)."""
    can_borrow = not (event.flags & NO_BORROW) and (not event.offline or event.offline_loans_allowed)
    return PatronView(
        display_name=event.display_name,
        can_borrow=can_borrow,
        can_renew=not (event.flags & NO_RENEW),
        flags=event.flags,
        screen_message=event.screen_message,
        offline=event.offline,
        holds_ready=max(0, event.holds_ready),
        hold_items=event.hold_items,
    )


def patron_message(settings: SessionSettings, state: SessionState, event: ev.PatronFound) -> Message | None:
    """The menu's message for this patron status (why borrowing is off, the ILS's own text), or None."""
    borrow = menu_actions(patron_view(event), state.ils_online, settings.payment_enabled)["borrow"]
    if not borrow.enabled:
        return borrow.reason
    if event.screen_message:
        return Message("patron.ils_message", event.screen_message)
    return None


def refresh_patron(state: SessionState, effects: list[Effect]) -> SessionState:
    """Re-read the patron's status (SIP2 23/63) without logging out: after a payment or a return that
    may lift a block. The answer arrives as a PatronFound for :func:`on_patron_refreshed`."""
    if state.pass_number is None or state.patron is None or LOOKUP in state.pending:
        return state
    effects.append(LookUpPatron(state.session_id, state.pass_number, state.pin))
    return state.with_(pending=state.asking(LOOKUP))


def on_patron_refreshed(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The re-read status arrived mid-session: update what the member may do, keep the screen."""
    assert isinstance(event, ev.PatronFound)
    if state.patron is None or not event.valid:
        return state, []
    before = state.patron
    patron = patron_view(event)
    patron = PatronView(
        display_name=patron.display_name or before.display_name,
        can_borrow=patron.can_borrow,
        can_renew=patron.can_renew,
        flags=patron.flags,
        screen_message=patron.screen_message,
        offline=patron.offline,
        holds_ready=patron.holds_ready,
        hold_items=patron.hold_items,
    )
    message = state.message
    if patron.can_borrow and not before.can_borrow:
        message = Message("patron.unblocked")
    elif message is not None and message.key in ("error.blocked", "error.expired") and patron.can_borrow:
        message = None
    return state.with_(patron=patron, message=message), []


def on_patron_unknown(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """No such patron (or the pass failed the offline check)."""
    assert isinstance(event, ev.PatronUnknown)
    return _notice(state, Message(event.reason, event.screen_message))


def on_lookup_unavailable(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The lookup could not be done at all."""
    assert isinstance(event, ev.ServiceUnavailable)
    return _notice(state, Message(event.reason or "error.ils_unavailable"))


def on_not_a_pass_idle(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A bank card or phone on the reader: tell the member, so they try their library pass."""
    assert isinstance(event, ev.CardNotAPass)
    # Leaving the attract screen starts the idle timer (user events on ATTRACT do not count as activity).
    return _notice(state.with_(last_activity=state.clock, warned=False), Message("error.not_a_pass"))


def on_barcode_refused(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A barcode that is no pass and no item: a notice on the attract screen, a message elsewhere.

    Nothing is sent to the ILS: a mistyped pass is never taken for a returned item.
    """
    assert isinstance(event, ev.BarcodeRefused)
    message = Message(event.reason)
    if state.screen is Screen.ATTRACT:
        return _notice(state.with_(last_activity=state.clock, warned=False), message)
    return state.with_(message=message), [PlaySound("error")]


def _notice(state: SessionState, message: Message) -> Transition:
    """Refuse the session: forget the pass and PIN now, show why, wait for OK (or the idle timeout)."""
    state = state.with_(pass_number=None, pin=None, patron=None, account=None, switch_pass=None)
    # Returns already made without a pass stay visible until OK; they were real transactions.
    return go(state, Screen.NOTICE, [PlaySound("error")], message=message)


# --- a second pass mid-session ---------------------------------------------------------------------
def on_other_pass_session(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Another pass while a patron is logged in: ask before ending this patron's session."""
    assert isinstance(event, ev.PassPresented)
    if event.pass_number == state.pass_number:
        return state, []
    if state.patron is None:  # anonymous returns: identify, keep the returns for the receipt
        return start_identification(settings, state.with_(switch_pass=None), event.pass_number)
    if not user_can_leave(state):
        return state, []
    return state.with_(switch_pass=event.pass_number, message=Message("session.switch_pass")), []


def on_confirm_switch(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Yes: end this session (no receipt) and identify the new pass."""
    if state.switch_pass is None or not user_can_leave(state):
        return state, []
    new_pass = state.switch_pass
    fresh, effects = end_session(settings, state, goodbye=False)
    return start_identification(settings, fresh, new_pass, effects)


def on_cancel_switch(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """No: stay with the current patron."""
    if state.switch_pass is None:
        return state, []
    return state.with_(switch_pass=None, message=None), []
