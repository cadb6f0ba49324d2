"""OCLC Wise SIP2+ "view unpaid registrations" (41/42): the simulator's YZ lines.

Built with :func:`sip2.wise.format_fee`, the layout :func:`sip2.wise.parse_fee` reads:
creation date ~ description ~ item id ~ amount ~ status ``I`` ~ unique id (the fee id the 37 ``CG``
field accepts) ~ type (the SIP2 fee type) ~ payment-arrangement date (none).
"""

from __future__ import annotations

from sip2.simulator.models import Fee
from sip2.wise import format_fee

#: Status letter of an open (unpaid) registration.
STATUS_OPEN = "I"


def registration_line(fee: Fee) -> str:
    """One ``YZ`` value for an open fee (a ``~`` in a description would split it, so it is replaced)."""
    return format_fee(
        fee.fee_id,
        fee.description.replace("~", "-"),
        fee.outstanding,
        fee.created.strftime("%Y%m%d"),
        STATUS_OPEN,
        fee.fee_type,
        "",
        middle=(fee.item_id or "",),
    )
