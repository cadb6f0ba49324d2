"""Handlers for what a patron does once identified: borrow, return, renew, account, pay, finish."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core import events as ev
from kiosk.core.common import Transition, end_session, finish, go, receipt_lines, stay, user_can_leave
from kiosk.core.effects import (
    CheckIn,
    CheckOut,
    Effect,
    LoadAccount,
    PlaySound,
    PrintReceipt,
    Renew,
    StartPayment,
)
from kiosk.core.identify import refresh_patron
from kiosk.core.rental import rental_failed, rental_item, rented_lines
from kiosk.core.service import Staffing
from kiosk.core.state import ACCOUNT, PAYMENT, SessionSettings, SessionState
from kiosk.core.view import (
    AccountView,
    ItemLine,
    LineKind,
    LineStatus,
    LoanLine,
    MenuAction,
    Message,
    PaidFees,
    Screen,
    menu_actions,
)

HOLD_AT_DESK = "item.hold_pickup_desk"  # hold_pickup = false, staffed: "collect it at the desk"
HOLD_LATER = "item.hold_pickup_later"  # hold_pickup = false, unstaffed: "come back in staffed hours"
KINDS = {"loan": LineKind.LOAN, "return": LineKind.RETURN, "renewal": LineKind.RENEWAL}


# --- menu ------------------------------------------------------------------------------------------
def on_start_borrow(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Borrowing needs charge privileges (or the offline policy's consent)."""
    assert state.patron is not None
    borrow = _actions(settings, state)["borrow"]
    if not borrow.enabled:
        return stay(state, borrow.reason)
    return go(state, Screen.BORROW, message=None)


def _actions(settings: SessionSettings, state: SessionState) -> dict[str, MenuAction]:
    """The menu's actions for this patron now (the same rule the menu screen draws)."""
    return menu_actions(state.patron, state.ils_online, settings.payment_enabled)


def on_start_return(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Returning is always possible, online or off."""
    return go(state, Screen.RETURN, message=None)


def _needs_ils(settings: SessionSettings, state: SessionState) -> Message | None:
    """Why an online-only function is unavailable now, or None."""
    if not state.ils_online or (state.patron is not None and state.patron.offline):
        return Message("offline.unavailable")
    return None


def _with_account(state: SessionState, screen: Screen, refresh: bool) -> Transition:
    """Go to ``screen``, fetching the account when it is not loaded yet (or ``refresh``)."""
    assert state.pass_number is not None
    effects: list[Effect] = []
    pending = state.pending
    if refresh or state.account is None:
        effects.append(LoadAccount(state.session_id, state.pass_number, state.pin))
        pending = state.asking(ACCOUNT)
    return go(state, screen, effects, pending=pending, message=None)


def on_start_renew(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Renewing: online only, and only with renewal privileges."""
    assert state.patron is not None
    if (why := _needs_ils(settings, state)) is not None:
        return stay(state, why)
    if not state.patron.can_renew:
        return stay(state, Message("error.renew_blocked", state.patron.screen_message))
    return _with_account(state, Screen.RENEW, refresh=False)


def on_show_account(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The account (always freshly loaded: it may have changed during this session)."""
    if (why := _needs_ils(settings, state)) is not None:
        return stay(state, why)
    return _with_account(state, Screen.ACCOUNT, refresh=True)


def on_start_pay(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Paying fees: only where the site has a terminal, and online."""
    if not settings.payment_enabled:
        return stay(state, Message("payment.disabled"))
    if (why := _needs_ils(settings, state)) is not None:
        return stay(state, why)
    return _with_account(state, Screen.PAY, refresh=False)


def on_back(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Back: to the menu for a patron; anonymous returns and the menu itself finish the session."""
    if not user_can_leave(state):
        return state, []
    if state.screen is Screen.MENU or state.patron is None:
        if state.screen is Screen.RECEIPT:
            return go(state, Screen.RETURN)
        return finish(settings, state)
    return go(state, Screen.MENU, message=None)


def on_finish(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """ "Done"."""
    if not user_can_leave(state):
        return state, []
    return finish(settings, state)


def on_receipt_choice(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Print or not, then end the session."""
    assert isinstance(event, ev.ReceiptChoice)
    effects: list[Effect] = []
    if event.print_receipt:
        effects.append(PrintReceipt(receipt_lines(state, settings.list_loans), state.language))
    return end_session(settings, state, effects)


# --- items -----------------------------------------------------------------------------------------
def _already(state: SessionState, kind: LineKind, item_id: str) -> bool:
    """An RFID pad reports a tag again and again: an item done or in progress is not sent twice."""
    line = state.line(kind, item_id)
    return line is not None and line.status is not LineStatus.REFUSED


def hold_refusal(state: SessionState, item_id: str) -> Message | None:
    """Why ``item_id`` may not be lent now because it is this member's hold waiting on the hold shelf and
    the mode's policy says ``hold_pickup = false``; None when it may. The member's available holds come
    from the patron lookup (64 hold items) and, once loaded, the account. Decided before any checkout."""
    if state.mode.policy.hold_pickup or state.patron is None:
        return None
    holds = set(state.patron.hold_items)
    if state.account is not None:
        holds |= {hold.item_id for hold in state.account.holds if hold.available and hold.item_id}
    if item_id not in holds:
        return None
    # Staffed, the desk hands it out; unstaffed (or closing) nobody is there: come back in staffed hours.
    return Message(HOLD_AT_DESK if state.mode.staffing is Staffing.STAFFED else HOLD_LATER)


def on_item_borrow(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Lend the item presented on the borrowing screen (not a hold the mode does not hand out)."""
    pass_number = state.pass_number
    assert isinstance(event, ev.ItemPresented) and pass_number
    if _already(state, LineKind.LOAN, event.item_id):
        return state, []
    if (why := hold_refusal(state, event.item_id)) is not None:
        line = ItemLine(kind=LineKind.LOAN, item_id=event.item_id, status=LineStatus.REFUSED, message=why)
        return state.with_line(line).with_(message=None), [PlaySound("error")]
    state = state.with_line(ItemLine(kind=LineKind.LOAN, item_id=event.item_id))
    effects: list[Effect] = [CheckOut(state.session_id, pass_number, event.item_id, state.pin)]
    return state.with_(pending=state.asking(("loan", event.item_id)), message=None), effects


def on_item_return(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Return the item presented on the return screen."""
    assert isinstance(event, ev.ItemPresented)
    if _already(state, LineKind.RETURN, event.item_id):
        return state, []
    state = state.with_line(ItemLine(kind=LineKind.RETURN, item_id=event.item_id))
    pending = state.asking(("return", event.item_id))
    return state.with_(pending=pending, message=None), [CheckIn(state.session_id, event.item_id)]


def on_renew_items(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Renew the selected loans (or the item presented on the renew screen)."""
    pass_number = state.pass_number
    assert pass_number is not None
    if isinstance(event, ev.ItemPresented):
        wanted: tuple[str, ...] = (event.item_id,)
    else:
        assert isinstance(event, ev.RenewItems)
        wanted = event.item_ids
    if (why := _needs_ils(settings, state)) is not None:
        return stay(state, why)
    item_ids = tuple(dict.fromkeys(i for i in wanted if i and not _already(state, LineKind.RENEWAL, i)))
    if not item_ids:
        return state, []
    titles = {loan.item_id: loan.title for loan in state.account.loans} if state.account else {}
    for item_id in item_ids:  # the title from the account: a result names the book, not its barcode
        line = ItemLine(kind=LineKind.RENEWAL, item_id=item_id, title=titles.get(item_id, ""))
        state = state.with_line(line)
    effects: list[Effect] = [Renew(state.session_id, pass_number, item_ids, state.pin)]
    pending = state.asking(*(("renewal", i) for i in item_ids))
    return state.with_(pending=pending, message=None), effects


def on_pay_fees(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Start paying the selected fees; the amount comes from the account, never from the UI."""
    assert isinstance(event, ev.PayFees) and state.pass_number is not None
    if PAYMENT in state.pending or state.account is None:
        return state, []
    if (why := _needs_ils(settings, state)) is not None:
        return stay(state, why)
    chosen = [fee for fee in state.account.fees if fee.fee_id in set(event.fee_ids)]
    if not chosen:
        return stay(state, Message("payment.nothing_selected"))
    # Once each: lines of an ILS without fee ids share the balance's stand-in id (sip2.fees).
    fee_ids = tuple(dict.fromkeys(fee.fee_id for fee in chosen))
    amount = sum((fee.amount for fee in chosen), Decimal("0"))
    effects: list[Effect] = [StartPayment(state.session_id, state.pass_number, fee_ids, amount)]
    return state.with_(pending=state.asking(PAYMENT), message=None, terminal_prompt=None), effects


# --- results ---------------------------------------------------------------------------------------
def on_checked_out(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A loan went through (online, or queued under the offline policy)."""
    assert isinstance(event, ev.ItemCheckedOut)
    notes = [Message("item.magnetic_media")] if event.magnetic_media else []
    if event.offline:
        notes.append(Message("offline.queued"))
    if event.screen_message:
        notes.append(Message("item.ils_message", event.screen_message))
    line = ItemLine(
        kind=LineKind.LOAN,
        item_id=event.item_id,
        status=LineStatus.DONE,
        title=event.title,
        due=event.due,
        notes=tuple(notes),
        offline=event.offline,
        renewal=event.renewed,
    )
    return state.with_line(line), [PlaySound("success")]


def on_checked_in(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A return went through; tell the patron where an item on hold for someone else goes."""
    assert isinstance(event, ev.ItemCheckedIn)
    notes: list[Message] = []
    if event.hold_for_other:
        # One instruction the site chose (holds bin / trolley / leave it on the shelf), never the ILS's
        # bin code ("TRANSPORT ENTER"); the code stays in the params for staff tools, not on screen.
        where = (("sort_bin", event.sort_bin), ("where", settings.hold_returns))
        notes.append(Message("return.hold_shelf", event.screen_message, where))
    elif event.fine is not None:  # our words for the fine (the ILS's text stays the fallback)
        notes.append(Message("return.fine", event.screen_message, (("amount", str(event.fine)),)))
    elif event.screen_message:
        notes.append(Message("item.ils_message", event.screen_message))
    if event.magnetic_media:
        notes.append(Message("item.magnetic_media"))
    if event.offline:
        notes.append(Message("offline.queued"))
    line = ItemLine(
        kind=LineKind.RETURN,
        item_id=event.item_id,
        status=LineStatus.DONE,
        title=event.title,
        notes=tuple(notes),
        offline=event.offline,
        fine=event.fine,
    )
    sound = "attention" if event.hold_for_other else "success"
    effects: list[Effect] = [PlaySound(sound)]
    state = state.with_line(line)
    if state.patron is not None and not (state.patron.can_borrow and state.patron.can_renew):
        state = refresh_patron(state, effects)  # returning an overdue item may lift a block
    return state, effects


def on_renewed(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A renewal went through; the account's due date follows."""
    assert isinstance(event, ev.ItemRenewed)
    notes = (Message("item.ils_message", event.screen_message),) if event.screen_message else ()
    previous = state.line(LineKind.RENEWAL, event.item_id)
    line = ItemLine(
        kind=LineKind.RENEWAL,
        item_id=event.item_id,
        status=LineStatus.DONE,
        title=event.title or (previous.title if previous else ""),
        due=event.due,
        notes=notes,
    )
    account = state.account
    if account is not None:
        loans = tuple(
            LoanLine(loan.item_id, loan.title, event.due or loan.due, False)
            if loan.item_id == event.item_id
            else loan
            for loan in account.loans
        )
        account = AccountView(loans=loans, holds=account.holds, fees=account.fees)
    return state.with_line(line).with_(account=account), [PlaySound("success")]


def on_refused(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The ILS said no to an item: show its reason."""
    assert isinstance(event, ev.ItemRefused)
    kind = KINDS.get(event.kind, LineKind.LOAN)
    previous = state.line(kind, event.item_id)
    message = Message(event.reason, event.screen_message)
    rental: Decimal | None = None
    if kind is LineKind.LOAN and event.fee_amount is not None and event.fee_amount > 0:
        # A rental fee: pay it here when the kiosk takes payments (kiosk.core.rental), else at the desk.
        key = "item.rental_fee_desk"
        if settings.payment_enabled and state.ils_online:
            key, rental = "item.rental_fee_pay", event.fee_amount
        message = Message(key, event.screen_message, (("amount", str(event.fee_amount)),))
    line = ItemLine(
        kind=kind,
        item_id=event.item_id,
        status=LineStatus.REFUSED,
        title=event.title or (previous.title if previous else ""),
        message=message,
        rental=rental,
    )
    return state.with_line(line), [PlaySound("error")]


def on_account(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Loans, holds and fees arrived."""
    assert isinstance(event, ev.AccountLoaded)
    return state.with_(account=event.account), []


def on_paid(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The payment is done: the paid fees leave the account, the receipt gets a line."""
    assert isinstance(event, ev.PaymentCompleted)
    account = state.account
    descriptions: tuple[str, ...] = ()
    rentals = tuple(item_id for item_id in map(rental_item, event.fee_ids) if item_id)
    if rentals:  # a rental paid here: what was paid is the item (its title), and it is now lent
        lines = [state.line(LineKind.LOAN, item_id) for item_id in rentals]
        descriptions = tuple((x.title if x else "") or i for x, i in zip(lines, rentals, strict=True))
        state = rented_lines(state, event)
    if account is not None:
        paid_ids = set(event.fee_ids)
        descriptions += tuple(f.description or f.fee_id for f in account.fees if f.fee_id in paid_ids)
        fees = tuple(fee for fee in account.fees if fee.fee_id not in paid_ids)
        account = AccountView(loans=account.loans, holds=account.holds, fees=fees)
    effects: list[Effect] = [PlaySound("success")]
    paid = PaidFees(event.fee_ids, event.amount, descriptions, event.terminal_lines)
    state = state.with_(
        account=account,
        paid=(*state.paid, paid),
        payments=(*state.payments, (event.fee_ids, event.amount)),
        message=Message("payment.done"),
    )
    return refresh_patron(state, effects), effects  # paying may lift a block: re-read the status


def on_payment_failed(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """Declined or aborted: say so; the fees stay open."""
    assert isinstance(event, ev.PaymentFailed)
    message = Message(event.reason, event.screen_message)
    return rental_failed(state).with_(message=message), [PlaySound("error")]


def on_unavailable(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A request could not be carried out: mark its item, or leave an online-only screen."""
    assert isinstance(event, ev.ServiceUnavailable)
    message = Message(event.reason or "offline.unavailable")
    kind = KINDS.get(event.request)
    if kind is not None:
        line = state.line(kind, event.item_id)
        if line is not None and line.status is LineStatus.PENDING:
            refused = ItemLine(kind=kind, item_id=line.item_id, status=LineStatus.REFUSED, message=message)
            return state.with_line(refused), [PlaySound("error")]
    if event.request == "account" and state.screen in (Screen.RENEW, Screen.ACCOUNT, Screen.PAY):
        return go(state, Screen.MENU, [PlaySound("error")], message=message)
    return state.with_(message=message), [PlaySound("error")]
