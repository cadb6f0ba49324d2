"""A rental paid at the kiosk: the loan with the fee acknowledged is the goods of a vending payment.

The journal holds one line with the stand-in id :func:`kiosk.core.rental.rental_fee_id` and the amount
the ILS asked for (12 ``BV``). While the terminal holds the approved money,
:meth:`RentalGoods.deliver` lends the item with ``BO`` = Y (11) and records the rental fee the ILS
charged for it as paid (37, the fee found as the one new open fee of that amount). The line's state
follows the usual rules (:mod:`kiosk.payments.states`):

* ``REFUSED`` -- the ILS refused the loan: nothing lent, the terminal gives the money back;
* ``NOT_APPLIED`` -- the 11 never left: nothing lent, nothing charged;
* ``ACCEPTED`` -- lent, and the rental fee recorded as paid (once);
* ``SENT`` -- anything in between (lent but the 37 in doubt): the money is kept and the recovery's
  check (:meth:`RentalGoods.check`) hands it to staff, never lends or charges twice.

The due date of each loan is kept in memory (:attr:`RentalGoods.dues`) for the member's screen and
receipt; nothing about the member is written here.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kiosk.core.rental import rental_item
from kiosk.errors import KioskConnectionError
from kiosk.logsetup import short_hash
from kiosk.payments.states import Line
from sip2.errors import Sip2ConfigurationError, Sip2ConnectionError, Sip2Error
from sip2.fees import BALANCE_FEE_ID

if TYPE_CHECKING:
    from kiosk.payments.ils import FeeReply, IlsFees

log = logging.getLogger(__name__)

__all__ = ["RentalGoods", "rental_item"]


class RentalGoods:
    """Lend-then-record for rental lines, on the payment flow's SIP2 client."""

    def __init__(self, fees: IlsFees) -> None:
        self.fees = fees
        #: item id -> the due date text of a loan made by a rental payment (memory only)
        self.dues: dict[str, str] = {}

    def deliver(self, patron_id: str, item_id: str, amount: Decimal, bk: str) -> FeeReply:
        """Lend ``item_id`` with the fee acknowledged, then pay the fee the ILS charged for it."""
        from kiosk.payments.ils import FeeReply

        try:
            before = self.fees.open_fees(patron_id)
        except KioskConnectionError as exc:
            log.warning("rental %s: ILS not reachable before the loan (%s)", bk, exc)
            return FeeReply(Line.NOT_APPLIED)
        client: Any = self.fees.client
        try:
            reply = client.checkout(patron_id, item_id, fee_acknowledged=True)
        except (Sip2ConnectionError, Sip2ConfigurationError) as exc:
            log.warning("rental %s: loan not sent (%s)", bk, exc)
            return FeeReply(Line.NOT_APPLIED)
        except Sip2Error as exc:  # sent, the answer lost: the item may be lent
            log.warning("rental %s: loan outcome unknown (%s)", bk, exc)
            return FeeReply(Line.SENT)
        message = " ".join(getattr(reply, "screen_messages", ()) or ())
        if not getattr(reply, "ok", False):
            log.info("rental %s of item %s: loan refused by the ILS", bk, short_hash(item_id))
            return FeeReply(Line.REFUSED, message)
        self.dues[item_id] = str(getattr(reply, "due_date", "") or "")
        fee_id = self._charged(patron_id, before, amount)
        if fee_id is None:
            log.warning("rental %s: lent, but the rental fee was not found among the open fees", bk)
            return FeeReply(Line.SENT, message)
        paid = self.fees.pay(patron_id, fee_id, amount, bk)
        if paid.line is not Line.ACCEPTED:
            log.warning("rental %s: lent, fee paid %s", bk, paid.line.value)
            return FeeReply(Line.SENT, message)
        log.info("rental %s of item %s: lent and paid", bk, short_hash(item_id))
        return FeeReply(Line.ACCEPTED, message or paid.screen_message, paid.ils_transaction_id)

    def _charged(self, patron_id: str, before: dict[str, Decimal | None], amount: Decimal) -> str | None:
        """The fee the loan charged: the one new open fee of ``amount`` (or the balance, for an ILS
        without fee ids, when it grew by ``amount``)."""
        try:
            after = self.fees.open_fees(patron_id)
        except KioskConnectionError:
            return None
        if BALANCE_FEE_ID in after:
            grown = (after[BALANCE_FEE_ID] or Decimal(0)) - (before.get(BALANCE_FEE_ID) or Decimal(0))
            return BALANCE_FEE_ID if grown == amount else None
        new = [fee_id for fee_id, owed in after.items() if fee_id not in before and owed == amount]
        return new[0] if len(new) == 1 else None

    @staticmethod
    def check(patron_id: str, item_id: str) -> Line:
        """A rental line whose outcome is unknown: staff decide (the kiosk never lends or charges twice)."""
        log.warning(
            "rental of item %s for patron %s: outcome unknown, staff decide",
            short_hash(item_id),
            short_hash(patron_id),
        )
        return Line.IN_DOUBT
