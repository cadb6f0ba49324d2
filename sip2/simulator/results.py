"""What the simulated ILS answers to each operation: plain values the protocol layer turns into replies.

A refusal is a result with ``ok=False`` and a screen message (Dutch, or English for English-speaking
patrons), never an exception, just as a real ACS answers ``120...AF<reason>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sip2.simulator.models import Fee, Loan, Payment


@dataclass(frozen=True)
class CirculationResult:
    """Outcome of a checkout or renewal.

    ``renewal`` is true when the item was already on loan to this patron (a re-checkout renews, as on
    SIPServer).  ``fee`` is the rental fee charged, or -- on a refusal because the fee was not
    acknowledged -- the fee that would be charged (``fee_required``).
    """

    ok: bool
    item_id: str
    patron_id: str
    screen_message: str = ""
    renewal: bool = False
    loan: Loan | None = None
    fee: Fee | None = None
    fee_required: Decimal | None = None
    magnetic: bool = False
    media_type: str = ""
    title: str = ""


@dataclass(frozen=True)
class CheckinResult:
    """Outcome of a return.

    ``alert`` asks the SC to put the item aside: ``alert_type`` is the spec's CV code (``01`` hold at
    this library, ``02`` hold for another library, ``04`` send to another library, ``99`` other),
    ``sort_bin`` the CL value and ``hold_patron_id`` the CY value.
    """

    ok: bool
    item_id: str
    patron_id: str | None = None
    screen_message: str = ""
    alert: bool = False
    alert_type: str = ""
    sort_bin: str = ""
    hold_patron_id: str | None = None
    hold_patron_name: str = ""
    fine: Fee | None = None
    magnetic: bool = False
    media_type: str = ""
    title: str = ""
    institution: str = ""


@dataclass(frozen=True)
class RenewAllResult:
    """Outcome of renew all: which items were renewed and which were not."""

    ok: bool
    patron_id: str
    renewed: list[str] = field(default_factory=list)
    unrenewed: list[str] = field(default_factory=list)
    screen_message: str = ""


@dataclass(frozen=True)
class FeePaidResult:
    """Outcome of a Fee Paid (37) at the simulated ILS: the 38 reply's ``payment accepted``."""

    accepted: bool
    patron_id: str
    transaction_id: str
    screen_message: str = ""
    payment: Payment | None = None


@dataclass(frozen=True)
class HoldResult:
    """Outcome of a hold request (the 16 reply)."""

    ok: bool
    patron_id: str
    item_id: str
    available: bool = False
    queue_position: int = 0
    expires: datetime | None = None
    pickup_location: str = ""
    screen_message: str = ""
    title: str = ""
