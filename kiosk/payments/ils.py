"""The ILS side of a payment: which fees are open, and recording one fee as paid (SIP2 37), safely.

Why this layer: a lost ``38`` must never lead to a blind re-send (sip2.md §7: a second 37 may pay
twice). The SIP2 client already reconnects and queries (63) before re-sending with the same BK; what
it cannot settle it raises as :class:`~sip2.errors.Sip2OutcomeUnknown`. Here every answer becomes one
of the journal's fee-line states, and :meth:`IlsFees.check` re-reads the patron's open fees to settle
an unknown one later (recovery): the fee gone → our payment was applied; still open for the full amount
we paid → it was not; anything else stays unknown (staff decide).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from kiosk.core.rental import rental_item
from kiosk.errors import KioskConnectionError
from kiosk.logsetup import short_hash
from kiosk.payments.states import Line
from sip2.errors import (
    Sip2ConfigurationError,
    Sip2ConnectionError,
    Sip2Error,
    Sip2OutcomeUnknown,
    Sip2ResendError,
)
from sip2.fees import BALANCE_FEE_ID, has_fee_ids, parse_fee_line

log = logging.getLogger(__name__)

#: How many fine items are asked for (BP1 BQ50): the window the account screen shows, never BQ999
#: (servers pad a 64 with hundreds of empty AV fields when asked for 999).
FEE_WINDOW = 50


class FeeClient(Protocol):
    """The part of :class:`sip2.client.Sip2Client` this module uses."""

    def patron_information(
        self, patron_id: str, pin: str | None = None, summary: str = "", start: int = 1, end: int = 10
    ) -> object:
        """63 patron information."""

    def fee_paid(
        self,
        patron_id: str,
        amount: Decimal,
        fee_id: str | None = None,
        transaction_id: str | None = None,
        fee_type: str = "01",
        payment_type: str = "02",
        currency: str = "EUR",
    ) -> object:
        """37 fee paid."""

    def unpaid_registrations(self, patron_id: str, pin: str | None = None) -> list[object]:
        """Wise SIP2+ 41/42."""


@dataclass(frozen=True)
class FeeReply:
    """What became of one 37: the fee line's new state and the ILS's screen message (may be empty)."""

    line: Line
    screen_message: str = ""
    ils_transaction_id: str | None = None


def parse_fine_item(entry: str, fee_format: str = "generic") -> tuple[str, Decimal | None]:
    """Fee id and amount of one ``AV`` fine item (amount None when the entry carries none), read by
    the one fee-line parser (:func:`sip2.fees.parse_fee_line`); the id is ``""`` where the format
    has none."""
    line = parse_fee_line(entry, fee_format)
    if line is None:
        return "", None
    return line.fee_id or "", line.amount


def fee_format_of(client: object) -> str:
    """The site's fee-line format (``[sip2] fee_format``) from the SIP2 client's dialect."""
    dialect = getattr(getattr(client, "settings", None), "dialect", None)
    return str(getattr(dialect, "fee_format", "generic") or "generic")


class IlsFees:
    """Open fees and Fee Paid for the payment flow, on top of a connected SIP2 client.

    ``wise``: use OCLC Wise SIP2+ 41 (structured amounts) instead of the 63 fine-items list.
    ``payment_type``: SIP2 37 payment type, ``02`` = credit card (the SIP2 spec has no debit card;
    sites that want ``01`` "VISA" or another code set it here).
    """

    def __init__(
        self, client: FeeClient, *, wise: bool = False, currency: str = "EUR", payment_type: str = "02"
    ) -> None:
        self.client = client
        self.wise = wise
        self.currency = currency
        self.payment_type = payment_type
        from kiosk.payments.rental import RentalGoods

        self.rentals = RentalGoods(self)  # rental lines: the loan is the goods (kiosk.payments.rental)

    def open_fees(self, patron_id: str) -> dict[str, Decimal | None]:
        """The patron's open fees: fee id → outstanding amount (None if the ILS did not say).

        Raises :class:`KioskConnectionError` if the ILS cannot be asked.
        """
        try:
            if self.wise:
                wise_fees = self.client.unpaid_registrations(patron_id)
                return {str(f.fee_id): f.amount for f in wise_fees}  # type: ignore[attr-defined]
            info = self.client.patron_information(patron_id, summary="fine", start=1, end=FEE_WINDOW)
        except Sip2Error as exc:
            raise KioskConnectionError(f"open fees could not be read: {exc}") from exc
        fee_format = fee_format_of(self.client)
        fees: dict[str, Decimal | None] = {}
        if not has_fee_ids(fee_format):
            # No fee ids from this ILS: the open amount is the balance BV, paid with a 37 without CG.
            balance = getattr(info, "fee_amount", None)
            if isinstance(balance, Decimal) and balance > 0:
                fees[BALANCE_FEE_ID] = balance
            return fees
        for entry in getattr(info, "fine_items", ()):
            fee_id, amount = parse_fine_item(entry, fee_format)
            if fee_id:
                fees[fee_id] = amount
        return fees

    def pay(self, patron_id: str, fee_id: str, amount: Decimal, bk: str) -> FeeReply:
        """Send 37 Fee Paid for one fee with the stable transaction id ``bk``; never raises for the ILS.

        Outcomes: ACCEPTED (38 Y, or the client proved it applied), REFUSED (38 N), NOT_APPLIED (the
        37 never left: no connection, or the ILS asked for a resend too often), SENT (unknown).
        A rental line (``rental:<item>``) lends the item with the fee acknowledged first.
        """
        if (item_id := rental_item(fee_id)) is not None:
            return self.rentals.deliver(patron_id, item_id, amount, bk)
        try:
            reply = self.client.fee_paid(
                patron_id, amount, fee_id=None if fee_id == BALANCE_FEE_ID else fee_id, transaction_id=bk,
                payment_type=self.payment_type, currency=self.currency,
            )  # fmt: skip
        except Sip2OutcomeUnknown as exc:  # sent, reply lost, and the ILS could not tell
            log.warning("fee paid %s: outcome unknown (%s)", bk, exc)
            return FeeReply(Line.SENT)
        except Sip2ResendError as exc:  # 96 too often: the ILS did not process it
            log.warning("fee paid %s: not processed by the ILS (%s)", bk, exc)
            return FeeReply(Line.NOT_APPLIED)
        except (Sip2ConnectionError, Sip2ConfigurationError) as exc:
            # Raised before the 37 went out (connect/login failed): plain connection errors after a
            # send are turned into Sip2OutcomeUnknown by the client's recovery.
            log.warning("fee paid %s: not sent (%s)", bk, exc)
            return FeeReply(Line.NOT_APPLIED)
        except Sip2Error as exc:  # e.g. an unexpected reply type: the ILS may have applied it
            log.warning("fee paid %s: outcome unknown (%s)", bk, exc)
            return FeeReply(Line.SENT)
        message = " ".join(getattr(reply, "screen_messages", ()) or ())
        accepted = bool(getattr(reply, "payment_accepted", False))
        log.info(
            "fee paid %s for patron %s: %s", bk, short_hash(patron_id), "accepted" if accepted else "refused"
        )
        return FeeReply(
            Line.ACCEPTED if accepted else Line.REFUSED, message, getattr(reply, "transaction_id", None)
        )

    def check(self, patron_id: str, fee_id: str, amount: Decimal) -> Line:
        """Was our Fee Paid for ``fee_id`` (paying ``amount``, its whole outstanding) applied?

        ACCEPTED: the fee is no longer open. NOT_APPLIED: still open for at least ``amount``.
        SENT: the ILS cannot be asked now (try again later). IN_DOUBT: the ILS answered, but the fee
        changed by another amount (or has none listed): staff must decide.
        """
        if (item_id := rental_item(fee_id)) is not None:
            return self.rentals.check(patron_id, item_id)
        try:
            fees = self.open_fees(patron_id)
        except KioskConnectionError as exc:
            log.info("fee %s cannot be checked now: %s", short_hash(fee_id), exc)
            return Line.SENT
        if fee_id not in fees:
            return Line.ACCEPTED
        outstanding = fees[fee_id]
        if outstanding is not None and outstanding >= amount:
            return Line.NOT_APPLIED
        return Line.IN_DOUBT
