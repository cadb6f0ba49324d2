"""The patron session as a table-driven state machine: ``handle(event) -> effects``.

``TABLE`` maps (screen, event type) to a handler; ``ANY`` rows apply on every screen that has no row of
its own. An event without a row is ignored: a stray button press or a late reply can never break the
session. Result events are first checked against the running session's id (and a request being
outstanding), so an answer meant for the previous patron is dropped.

The machine has no clock and does no I/O; :class:`Session` is a small mutable holder for the UI thread.
"""

from __future__ import annotations

import logging

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core import identify as idn
from kiosk.core import pad, staffing
from kiosk.core import payment_prompt as pp
from kiosk.core import scanned as scn
from kiosk.core import transactions as tx
from kiosk.core.common import Handler, Transition, end_session, goodbye_over, is_current, request_key
from kiosk.core.effects import Effect
from kiosk.core.rental import on_pay_rental
from kiosk.core.service import ServiceMode
from kiosk.core.state import SessionSettings, SessionState
from kiosk.core.view import AT_REST, Screen, SessionView

log = logging.getLogger(__name__)

ANY = None
S = Screen

# Screens where a patron is identified (a second pass asks before switching).
PATRON_SCREENS = (S.MENU, S.BORROW, S.RETURN, S.RENEW, S.ACCOUNT, S.PAY, S.RECEIPT)


def _lookup_unavailable(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """In IDENTIFYING a ServiceUnavailable answers the lookup, unless it names an item (a return)."""
    assert isinstance(event, ev.ServiceUnavailable)
    if event.item_id:
        return tx.on_unavailable(settings, state, event)
    return idn.on_lookup_unavailable(settings, state, event)


TABLE: dict[tuple[Screen | None, type[ev.Event]], Handler] = {
    # everywhere
    (ANY, ev.Tick): idn.on_tick,
    (ANY, ev.IlsOffline): idn.on_ils_offline,
    (ANY, ev.IlsOnline): idn.on_ils_online,
    (ANY, ev.LanguageChosen): idn.on_language,
    (ANY, ev.ItemCheckedOut): tx.on_checked_out,
    (ANY, ev.ItemCheckedIn): tx.on_checked_in,
    (ANY, ev.ItemRenewed): tx.on_renewed,
    (ANY, ev.ItemRefused): tx.on_refused,
    (ANY, ev.AccountLoaded): tx.on_account,
    (ANY, ev.PaymentCompleted): tx.on_paid,
    (ANY, ev.PaymentFailed): tx.on_payment_failed,
    (ANY, ev.ServiceUnavailable): tx.on_unavailable,
    (ANY, ev.BarcodeRefused): idn.on_barcode_refused,
    (ANY, ev.PatronFound): idn.on_patron_refreshed,
    # attract screen
    (S.ATTRACT, ev.PassPresented): idn.on_pass_idle,
    (S.ATTRACT, ev.CardNotAPass): idn.on_not_a_pass_idle,
    (S.ATTRACT, ev.ItemPresented): idn.on_item_idle,
    (S.ATTRACT, ev.StartReturn): idn.on_return_idle,
    # refused session
    (S.NOTICE, ev.Acknowledge): idn.on_end,
    (S.NOTICE, ev.Back): idn.on_end,
    (S.NOTICE, ev.PassPresented): idn.on_pass_idle,
    (S.NOTICE, ev.MoreTime): idn.on_more_time,
    # PIN and lookup
    (S.PIN, ev.PinEntered): idn.on_pin,
    (S.PIN, ev.Back): idn.on_end,
    (S.PIN, ev.PassPresented): idn.on_other_pass_identifying,
    (S.PIN, ev.MoreTime): idn.on_more_time,
    (S.IDENTIFYING, ev.PatronFound): idn.on_patron_found,
    (S.IDENTIFYING, ev.PatronUnknown): idn.on_patron_unknown,
    (S.IDENTIFYING, ev.ServiceUnavailable): _lookup_unavailable,
    (S.IDENTIFYING, ev.PassPresented): idn.on_other_pass_identifying,
    (S.IDENTIFYING, ev.Back): idn.on_end,
    # menu
    (S.MENU, ev.StartBorrow): tx.on_start_borrow,
    (S.MENU, ev.StartReturn): tx.on_start_return,
    (S.MENU, ev.StartRenew): tx.on_start_renew,
    (S.MENU, ev.ShowAccount): tx.on_show_account,
    (S.MENU, ev.StartPay): tx.on_start_pay,
    # transactions
    (S.BORROW, ev.ItemPresented): tx.on_item_borrow,
    (S.BORROW, ev.PayRental): on_pay_rental,
    (S.RETURN, ev.ItemPresented): tx.on_item_return,
    (S.RENEW, ev.ItemPresented): tx.on_renew_items,
    (S.RENEW, ev.RenewItems): tx.on_renew_items,
    (S.ACCOUNT, ev.StartPay): tx.on_start_pay,
    (S.ACCOUNT, ev.StartRenew): tx.on_start_renew,
    (S.PAY, ev.PayFees): tx.on_pay_fees,
    (S.PAY, ev.TerminalPrompt): pp.on_terminal_prompt,
    # the end
    (S.RECEIPT, ev.ReceiptChoice): tx.on_receipt_choice,
    (S.GOODBYE, ev.Acknowledge): idn.on_goodbye_over,  # a tap; the Tick after goodbye_seconds too
}
for _screen in PATRON_SCREENS:
    TABLE[(_screen, ev.PassPresented)] = idn.on_other_pass_session
    TABLE[(_screen, ev.ConfirmSwitch)] = idn.on_confirm_switch
    TABLE[(_screen, ev.CancelSwitch)] = idn.on_cancel_switch
    TABLE[(_screen, ev.Back)] = tx.on_back
    TABLE[(_screen, ev.MoreTime)] = idn.on_more_time
    if _screen is not S.RECEIPT:
        TABLE[(_screen, ev.Finish)] = tx.on_finish
TABLE.update(pad.rows(TABLE))  # the RFID pad: stacks on the pad, tag security after the ILS answers
# The goodbye is the attract screen saying thank you: a member's action there is taken as on the attract
# screen, by the attract screen's handler (transition() ends the goodbye first, see _as_on_attract).
TABLE.update(
    {(S.GOODBYE, etype): handler for (screen, etype), handler in TABLE.items() if screen is S.ATTRACT},
)


# Events deliberately ignored on a screen: listed, so the diagram (docs/state-diagram.md) shows them and
# a (screen, event) pair in neither TABLE nor IGNORED is logged, once, as unexpected.
#: A screen's buttons pressed after the screen is gone (a late touch): ignored wherever they have no row.
LATE_BUTTONS: tuple[type[ev.Event], ...] = (
    ev.Acknowledge, ev.Back, ev.CancelSwitch, ev.ConfirmSwitch, ev.Finish, ev.MoreTime, ev.PayFees,
    ev.PinEntered, ev.ReceiptChoice, ev.RenewItems, ev.ShowAccount, ev.StartBorrow, ev.StartPay,
    ev.StartRenew, ev.StartReturn, ev.PayRental,
)  # fmt: skip
IGNORED: frozenset[tuple[Screen, type[ev.Event]]] = frozenset(
    [
        (screen, etype)
        for etype in LATE_BUTTONS
        for screen in Screen
        if (screen, etype) not in TABLE and (ANY, etype) not in TABLE
    ]
    # a bank card once the attract screen is left: the member is already past the pass reader
    + [(screen, ev.CardNotAPass) for screen in Screen if screen not in AT_REST]
    # an item on a screen that does not take items (PIN, lookup, menu, account, payment, notice, receipt)
    + [(s, ev.ItemPresented) for s in (S.NOTICE, S.PIN, S.IDENTIFYING, S.MENU, S.ACCOUNT, S.PAY, S.RECEIPT)]
    # a lookup's answer after the session left the lookup (Back, a timeout); a PatronFound there is a
    # re-read of the member's status (the ANY row: on_patron_refreshed)
    + [(s, ev.PatronUnknown) for s in Screen if s is not S.IDENTIFYING]
    # a terminal prompt that arrives after the payment screen was left: nothing to show it on
    + [(s, ev.TerminalPrompt) for s in Screen if s is not S.PAY]
)  # fmt: skip
_logged_unexpected: set[tuple[Screen, type[ev.Event]]] = set()


def _unexpected(screen: Screen, etype: type[ev.Event]) -> None:
    """An event without a row that is not listed in IGNORED either: logged once per pair (then ignored)."""
    if (screen, etype) in IGNORED or (screen, etype) in _logged_unexpected:
        return
    _logged_unexpected.add((screen, etype))
    log.warning("unexpected %s on the %s screen: no row in the table, ignored", etype.__name__, screen.value)


# Effects that act on the library's books or the member's money: none while the kiosk is not in service.
SERVICE_EFFECTS = (fx.LookUpPatron, fx.CheckOut, fx.CheckIn, fx.Renew, fx.LoadAccount, fx.StartPayment)


def transition(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Apply one event: the new state and the effects to carry out. Never raises for any event.

    The service mode is checked here, for every event, rather than in each handler: out of order or in
    maintenance, a member's event changes nothing, and whatever a handler returns (an answer still in
    flight, a tick), no circulation or payment effect leaves the core.
    """
    if isinstance(event, ev.ServiceModeChanged):
        return _change_mode(settings, state, state.mode.with_availability(event.availability))
    if isinstance(event, ev.MaintenanceEnded):
        return _change_mode(settings, state, state.mode.after_maintenance())
    if isinstance(event, staffing.CLOCK_EVENTS):
        new_state, effects = staffing.on_clock(settings, state, event)
        return _close_safely(settings, new_state, effects)
    if state.screen is S.GOODBYE and isinstance(event, ev.UserEvent):
        if type(event) in GOODBYE_OWN:  # a tap on the goodbye ends it, whatever the mode
            return _session_transition(settings, state, event)
        return _as_on_attract(settings, state, event)
    if isinstance(event, ev.BarcodeScanned):  # the core decides what was scanned
        event = scn.presented(settings, state.screen, event)
    if not state.mode.serving and isinstance(event, ev.UserEvent):
        log.info("%s ignored: the kiosk is %s", type(event).__name__, state.mode.availability.value)
        return state, []
    if isinstance(event, ev.UserEvent) and (refused := staffing.refusal(settings, state, event)):
        return refused
    new_state, effects = _session_transition(settings, state, event)
    if not new_state.mode.serving:
        effects = [e for e in effects if not isinstance(e, SERVICE_EFFECTS)]
    effects = staffing.allowed(new_state.mode.policy, effects)
    return _close_safely(settings, new_state, effects)


#: The goodbye's own events; any other member's event there is taken as on the attract screen.
GOODBYE_OWN: tuple[type[ev.Event], ...] = (ev.Acknowledge,)


def _as_on_attract(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A member's action on the goodbye: applied on the attract screen (with its rules: what a scanned
    barcode is, what the staffing mode allows). When it leaves the attract screen (a pass, an item) the
    goodbye is over; when it does not (the pad emptied as the member takes the books away, a late touch),
    the goodbye goes on."""
    new_state, effects = transition(settings, goodbye_over(settings, state), event)
    if new_state.screen is S.ATTRACT:
        new_state = new_state.with_(
            screen=S.GOODBYE, language=state.language, last_activity=state.last_activity
        )
    return new_state, effects


def _close_safely(settings: SessionSettings, state: SessionState, effects: list[Effect]) -> Transition:
    """Closed with a session running: finish it (:func:`staffing.close_safely`); the goodbye is no
    session, it ends by itself and then the closed screen shows."""
    if state.screen is S.GOODBYE:
        return state, effects
    return staffing.close_safely(settings, state, effects)


def _change_mode(settings: SessionSettings, state: SessionState, mode: ServiceMode) -> Transition:
    """Switch to ``mode``; leaving service ends a running session (the member's data is cleared) and a
    goodbye, and the technician's screens are in the site's language."""
    if mode == state.mode:
        return state, []
    log.warning("service mode: %s -> %s", state.mode.availability.value, mode.availability.value)
    effects: list[Effect] = []
    if not mode.serving and state.screen not in AT_REST:
        state, effects = end_session(settings, state, goodbye=False)
    if not mode.serving:
        state = goodbye_over(settings, state).with_(language=settings.default_language, last_activity=None)
    return state.with_(mode=mode), effects


def _session_transition(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The session's own rules: the table, for the screen the session is on."""
    if isinstance(event, ev.ResultEvent) and not is_current(state, event):
        return state, []  # an answer for an earlier session, or one nobody asked for
    if isinstance(event, ev.ResultEvent):
        state = state.with_(pending=state.answered(request_key(event)))
    handler = TABLE.get((state.screen, type(event))) or TABLE.get((ANY, type(event)))
    if handler is None:
        _unexpected(state.screen, type(event))
        return state, []
    if isinstance(event, ev.UserEvent) and state.screen is not Screen.ATTRACT:
        state = state.with_(last_activity=state.clock, warned=False)  # any touch is activity
    return handler(settings, state, event)


class Session:
    """The running session for one kiosk: holds the state, applies events, exposes the view.

    Not thread-safe by design: call :meth:`handle` from the UI thread only; services post their result
    events to that thread.
    """

    def __init__(self, settings: SessionSettings, state: SessionState | None = None) -> None:
        """Start on the attract screen (or from ``state``, for tests)."""
        self.settings = settings
        self.state = state or SessionState.initial(settings)

    def handle(self, event: ev.Event) -> list[Effect]:
        """Apply ``event``; return the effects to carry out, in order."""
        try:
            self.state, effects = transition(self.settings, self.state, event)
        except Exception:  # a bug must not leave a patron's data on screen: reset to the attract screen
            log.exception("session handler failed for %s; resetting the session", type(event).__name__)
            self.state, effects = end_session(self.settings, self.state)
        return effects

    @property
    def view(self) -> SessionView:
        """What the UI renders now."""
        return self.state.view(self.settings)
