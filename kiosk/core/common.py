"""Helpers shared by the transition handlers: changing screen, starting and ending a session."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.core.effects import Effect, LookUpPatron, PrintReceipt, ReceiptLine
from kiosk.core.events import (
    AccountLoaded,
    Event,
    ItemCheckedIn,
    ItemCheckedOut,
    ItemRefused,
    ItemRenewed,
    PatronFound,
    PatronUnknown,
    PaymentCompleted,
    PaymentFailed,
    ResultEvent,
    ServiceUnavailable,
)
from kiosk.core.state import ACCOUNT, LOOKUP, PAYMENT, Request, SessionSettings, SessionState
from kiosk.core.view import LineKind, LineStatus, Message, Screen

#: What a handler returns: the new state and the effects for the services to carry out.
Transition = tuple[SessionState, list[Effect]]
Handler = Callable[[SessionSettings, SessionState, Event], Transition]


def go(
    state: SessionState, screen: Screen, effects: list[Effect] | None = None, **changes: object
) -> Transition:
    """Move to ``screen`` and apply changes (the UI follows the view: no effect announces the screen)."""
    return state.with_(screen=screen, **changes), list(effects or [])


def stay(state: SessionState, message: Message | None = None) -> Transition:
    """Stay on this screen, optionally showing a message."""
    return state.with_(message=message), []


def end_session(
    settings: SessionSettings,
    state: SessionState,
    effects: list[Effect] | None = None,
    goodbye: bool = True,
) -> Transition:
    """Forget the patron and everything shown: a member who did something (identified, or returned
    items) gets the goodbye in their language, then the attract screen in the site's language.

    The session id moves on, so answers still in flight for this session are ignored when they arrive;
    ``ended`` counts up, so the view tells the UI to reset every widget (privacy). ``goodbye=False``:
    straight to the attract screen (another session starts at once, or the kiosk leaves service).
    """
    fresh = SessionState.initial(settings).with_(
        session_id=state.session_id + 1,
        clock=state.clock,
        ils_online=state.ils_online,
        mode=state.mode,
        pin_failures=state.pin_failures,
        ended=state.ended + 1,
    )
    if goodbye and (state.patron is not None or state.items):
        # The goodbye holds nothing of the member but the language; its timer runs from now (on_tick).
        fresh = fresh.with_(
            screen=Screen.GOODBYE,
            language=state.language,
            last_activity=state.clock,
            goodbye_pass=state.patron is not None,
        )
    return fresh, list(effects or [])


def goodbye_over(settings: SessionSettings, state: SessionState) -> SessionState:
    """From the goodbye to the attract screen, in the site's language (anything else stays)."""
    if state.screen is not Screen.GOODBYE:
        return state
    return state.with_(screen=Screen.ATTRACT, language=settings.default_language, last_activity=None)


def start_identification(
    settings: SessionSettings, state: SessionState, pass_number: str, effects: list[Effect] | None = None
) -> Transition:
    """A pass was presented: ask for the PIN first (site requires it) or look the patron up right away.

    ``state`` must already belong to the new session (fresh id); item lines it holds (returns made
    before the pass was presented) are kept for the receipt.
    """
    out = list(effects or [])
    state = state.with_(
        pass_number=pass_number,
        pin=None,
        pin_tries_left=settings.pin_tries,
        message=None,
        last_activity=state.clock,
        warned=False,
        switch_pass=None,
    )
    if settings.pin == "always":
        return go(state, Screen.PIN, out)
    out.append(LookUpPatron(state.session_id, pass_number, None))
    return go(state, Screen.IDENTIFYING, out, pending=state.asking(LOOKUP))


def receipt_lines(state: SessionState, list_loans: bool = False) -> tuple[ReceiptLine, ...]:
    """The session's successful transactions, for the receipt (with ``list_loans``: then every current
    loan with its due date, the account as the ILS gave it plus this session's loans and returns)."""
    lines = [
        ReceiptLine(
            kind=LineKind.RENEWAL if line.renewal else line.kind,
            item_id=line.item_id,
            title=line.title,
            due=line.due,
            offline=line.offline,
            amount=line.fine if line.kind is LineKind.RETURN else None,  # a fine charged by the return
        )
        for line in state.items
        if line.status is LineStatus.DONE
    ]
    lines += [  # what was paid in words (the fees' descriptions), with the terminal's card receipt
        ReceiptLine(
            kind=LineKind.PAYMENT,
            item_id=",".join(p.fee_ids),
            title="; ".join(p.descriptions),
            amount=p.amount,
            terminal_lines=p.terminal_lines,
        )
        for p in state.paid
    ]
    if list_loans and state.account is not None:
        lines += current_loans(state)
    return tuple(lines)


def current_loans(state: SessionState) -> list[ReceiptLine]:
    """The member's loans now: the account's, with this session's loans and renewals in, returns out."""
    assert state.account is not None
    loans = {loan.item_id: (loan.title, loan.due) for loan in state.account.loans}
    for line in state.items:
        if line.status is not LineStatus.DONE or line.offline:
            continue
        if line.kind is LineKind.RETURN:
            loans.pop(line.item_id, None)
        elif line.kind in (LineKind.LOAN, LineKind.RENEWAL):
            title = line.title or loans.get(line.item_id, ("", ""))[0]
            loans[line.item_id] = (title, line.due)
    return [
        ReceiptLine(kind=LineKind.LOAN, item_id=item_id, title=title, due=due, current=True)
        for item_id, (title, due) in sorted(loans.items(), key=lambda kv: (kv[1][1], kv[0]))
    ]


def finish(settings: SessionSettings, state: SessionState) -> Transition:
    """ "Done": print per the receipt mode (or ask), then end the session."""
    if not receipt_lines(state) or settings.receipt == "never":  # nothing done: no receipt to offer
        return end_session(settings, state)
    lines = receipt_lines(state, settings.list_loans)
    if settings.receipt == "always":
        return end_session(settings, state, [PrintReceipt(lines, state.language)])
    return go(state, Screen.RECEIPT, message=None, switch_pass=None)


def user_can_leave(state: SessionState) -> bool:
    """A payment on the terminal cannot be walked away from from the kiosk side; everything else can."""
    return not (state.screen in (Screen.PAY, Screen.BORROW) and PAYMENT in state.pending)


def request_key(event: ResultEvent) -> Request:
    """Which outstanding request a result event answers."""
    if isinstance(event, PatronFound | PatronUnknown):
        return LOOKUP
    if isinstance(event, ItemCheckedOut):
        return ("loan", event.item_id)
    if isinstance(event, ItemCheckedIn):
        return ("return", event.item_id)
    if isinstance(event, ItemRenewed):
        return ("renewal", event.item_id)
    if isinstance(event, ItemRefused):
        return (event.kind, event.item_id)
    if isinstance(event, AccountLoaded):
        return ACCOUNT
    if isinstance(event, PaymentCompleted | PaymentFailed):
        return PAYMENT
    if isinstance(event, ServiceUnavailable):
        return (event.request, event.item_id)
    return ("?", "")


def is_current(state: SessionState, event: ResultEvent) -> bool:
    """Whether a result event answers a request still outstanding in the session now running."""
    return event.session_id == state.session_id and request_key(event) in state.pending
