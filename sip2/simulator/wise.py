"""OCLC Wise SIP2+ "view unpaid registrations" (41/42): the simulator's YZ lines.

OCLC's dialog description lays out each unpaid registration as one tilde-separated ``YZ`` value:
creation date ~ description ~ ... ~ amount ~ status (``I``/``D``/``R``) ~ ... ~ unique id (usable to
pay) ~ type ~ payment-arrangement date.  The simulator fills the positions the notes name and, for the
elided ones, the item id (after the description) and the amount already paid (after the status).
Amounts use a decimal point; the unique id is the fee id the 37 ``CG`` field accepts.
"""

from __future__ import annotations

from sip2.simulator.models import Fee

#: Status letters of a registration: I(n)complete/open, D(one)/paid, R(eversed).
STATUS_OPEN = "I"


def registration_line(fee: Fee) -> str:
    """One ``YZ`` value for an open fee."""
    paid = fee.amount - fee.outstanding
    fields = [
        fee.created.strftime("%Y%m%d"),  # creation date
        fee.description,  # description
        fee.item_id or "",  # (elided) item id
        f"{fee.outstanding:.2f}",  # amount still to pay
        STATUS_OPEN,  # status
        f"{paid:.2f}",  # (elided) amount paid so far
        fee.fee_id,  # unique id, usable in 37 CG
        fee.fee_type,  # type (the SIP2 fee type)
        "",  # payment-arrangement date (none)
    ]
    return "~".join(field.replace("~", "-") for field in fields)
