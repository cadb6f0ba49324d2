"""OCLC Wise SIP2+ (enabled per site with ``Dialect(wise_sip2plus=True)``): unpaid registrations.

Dialog 41/42 "view unpaid registrations": the SC sends 41 with ``FA``/``FB``/``FC`` set to ``Y``;
Wise answers 42 with one ``YZ`` field per unpaid registration (fee).  Each ``YZ`` value is a list of
``~``-separated parts, documented by OCLC as::

    date ~ description ~ ... ~ amount ~ status (I/D/R) ~ ... ~ unique id ~ type ~ arrangement date

The unique id is what pays the fee (as ``CG`` fee identifier in 37 Fee Paid).  Because the parts
elided with "..." are not fixed here, :func:`parse_fee` anchors on both ends: the first two parts
are date and description, the last three id, type and arrangement date, and the amount is the
decimal part directly before the first ``I``/``D``/``R`` status in between.  All parts are kept raw
in :attr:`WiseFee.parts`, so nothing is lost if a site's layout differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sip2.errors import Sip2ProtocolError
from sip2.messages.wise import WiseUnpaidRegistrationsResponse

#: Registration status letters as Wise sends them (OCLC documents I, D and R; open fees are I).
WISE_STATUSES = ("I", "D", "R")


@dataclass(frozen=True, slots=True)
class WiseFee:
    """One unpaid registration from a Wise 42 reply."""

    fee_id: str
    description: str
    amount: Decimal
    date: str
    status: str
    fee_type: str
    arrangement_date: str
    parts: tuple[str, ...]


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_fee(line: str) -> WiseFee:
    """Parse one ``YZ`` value; raises Sip2ProtocolError when no id or amount can be found."""
    parts = tuple(part.strip() for part in line.split("~"))
    if len(parts) < 6:
        raise Sip2ProtocolError(f"Wise registration has {len(parts)} parts, expected at least 6")
    middle = parts[2:-3]
    for index in range(1, len(middle)):
        if middle[index] in WISE_STATUSES:
            amount = _amount(middle[index - 1])
            if amount is not None:
                status = middle[index]
                break
    else:
        raise Sip2ProtocolError("Wise registration without an amount followed by a status")
    fee_id = parts[-3]
    if not fee_id:
        raise Sip2ProtocolError("Wise registration without a unique id")
    return WiseFee(
        fee_id=fee_id,
        description=parts[1],
        amount=amount,
        date=parts[0],
        status=status,
        fee_type=parts[-2],
        arrangement_date=parts[-1],
        parts=parts,
    )


def parse_fees(response: WiseUnpaidRegistrationsResponse) -> list[WiseFee]:
    """Every registration of a 42 reply, in order (empty ``YZ`` fields are skipped)."""
    return [parse_fee(line) for line in response.registrations if line.strip()]


def format_fee(
    fee_id: str,
    description: str,
    amount: Decimal,
    date: str,
    status: str = "I",
    fee_type: str = "",
    arrangement_date: str = "",
    middle: tuple[str, ...] = (),
) -> str:
    """Build a ``YZ`` value in the layout :func:`parse_fee` reads (for simulators and tests).

    *middle* holds site-specific parts placed between description and amount.
    """
    if status not in WISE_STATUSES:
        raise ValueError(f"status must be one of {WISE_STATUSES}, not {status!r}")
    parts = (date, description, *middle, format(amount, "f"), status, fee_id, fee_type, arrangement_date)
    if any("~" in part for part in parts):
        raise ValueError("Wise registration parts cannot contain '~'")
    return "~".join(parts)
