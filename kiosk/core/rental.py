"""Rental fees at checkout (issue 13 item 12): pay at the kiosk, then the loan with the fee acknowledged.

An item with a rental fee is refused by the ILS until the fee is acknowledged (12 ``BV``). With payment
enabled (and the kiosk in service: the machine lets no payment effect leave otherwise), the refused line
offers to pay the amount here; :class:`~kiosk.core.events.PayRental` starts one payment whose single
"fee" is :func:`rental_fee_id` of the item. The payments service treats that line as the goods of a
vending payment (``kiosk.payments.rental``): while the terminal holds the approved money the ILS lends
the item with ``BO`` = Y and the rental fee it charged is recorded as paid; a declined or reversed
payment lends nothing. Without payment the line sends the member to the desk.
"""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.common import Transition
from kiosk.core.effects import Effect, StartPayment
from kiosk.core.state import PAYMENT, SessionSettings, SessionState
from kiosk.core.view import ItemLine, LineKind, LineStatus, Message

#: The stand-in fee id of a rental paid before the loan exists (never an ILS fee id: it has a colon).
RENTAL_PREFIX = "rental:"


def rental_fee_id(item_id: str) -> str:
    """The payment line id for renting ``item_id``."""
    return f"{RENTAL_PREFIX}{item_id}"


def rental_item(fee_id: str) -> str | None:
    """The item a rental payment line is for, or None for an ordinary fee id."""
    return fee_id[len(RENTAL_PREFIX) :] if fee_id.startswith(RENTAL_PREFIX) else None


def on_pay_rental(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """ "Pay here and borrow": one payment for the rental the ILS asked for (the amount from its answer)."""
    assert isinstance(event, ev.PayRental)
    line = state.line(LineKind.LOAN, event.item_id)
    if (
        line is None
        or line.rental is None
        or state.pass_number is None
        or PAYMENT in state.pending
        or not settings.payment_enabled
        or not state.ils_online
    ):
        return state, []
    paying = ItemLine(
        kind=LineKind.LOAN,
        item_id=line.item_id,
        status=LineStatus.PENDING,
        title=line.title,
        message=Message("item.rental_paying", params=(("amount", str(line.rental)),)),
        rental=line.rental,
    )
    effects: list[Effect] = [
        StartPayment(state.session_id, state.pass_number, (rental_fee_id(line.item_id),), line.rental)
    ]
    return state.with_line(paying).with_(pending=state.asking(PAYMENT), message=None), effects


def rented_lines(state: SessionState, event: ev.PaymentCompleted) -> SessionState:
    """After a paid rental: its line is a loan, with the due date the ILS gave."""
    dues = dict(event.rented)
    for item_id in (i for i in map(rental_item, event.fee_ids) if i):
        due = dues.get(item_id, "")
        previous = state.line(LineKind.LOAN, item_id)
        amount = previous.rental if previous is not None else None
        paid = Message("item.rental_paid", params=(("amount", str(amount)),))
        notes = (paid,) if amount is not None else ()
        state = state.with_line(
            ItemLine(
                kind=LineKind.LOAN,
                item_id=item_id,
                status=LineStatus.DONE,
                title=previous.title if previous else "",
                due=due,
                notes=notes,
            )
        )
    return state


def rental_failed(state: SessionState) -> SessionState:
    """A rental payment that did not go through: its line offers to pay again (nothing was lent)."""
    for line in state.items:
        if line.kind is LineKind.LOAN and line.status is LineStatus.PENDING and line.rental is not None:
            offer = ItemLine(
                kind=LineKind.LOAN,
                item_id=line.item_id,
                status=LineStatus.REFUSED,
                title=line.title,
                rental=line.rental,
                message=Message("item.rental_fee_pay", params=(("amount", str(line.rental)),)),
            )
            state = state.with_line(offer)
    return state
