"""The simulated ILS's records: patrons, items, loans, holds, fees, payments, loan rules.

Plain mutable dataclasses owned by :class:`sip2.simulator.library.Library`, which changes them under its
lock.  Each record converts to and from a JSON-friendly dict for the optional state file; money is a
:class:`~decimal.Decimal` written as a string, times are naive local datetimes written in ISO format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: SIP2 language codes (3M spec, "Language" table): 000 unknown, 001 English, 005 Dutch, ...
LANGUAGE_UNKNOWN, LANGUAGE_ENGLISH, LANGUAGE_DUTCH = "000", "001", "005"

#: SIP2 fee types (spec table for field BT).
FEE_OTHER, FEE_ADMINISTRATIVE, FEE_DAMAGE, FEE_OVERDUE = "01", "02", "03", "04"
FEE_PROCESSING, FEE_RENTAL, FEE_REPLACEMENT, FEE_HOLD = "05", "06", "07", "09"

#: SIP2 media types (field CK).
MEDIA_OTHER, MEDIA_BOOK, MEDIA_AUDIO_TAPE, MEDIA_VIDEO_TAPE, MEDIA_CD = "000", "001", "004", "005", "006"


@dataclass
class LoanRule:
    """How long an item kind may be borrowed, how often renewed, what it costs when late or lent."""

    name: str
    loan_days: int
    max_renewals: int
    fine_per_day: Decimal = Decimal("0.00")
    fine_max: Decimal = Decimal("0.00")
    rental_fee: Decimal = Decimal("0.00")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "name": self.name,
            "loan_days": self.loan_days,
            "max_renewals": self.max_renewals,
            "fine_per_day": str(self.fine_per_day),
            "fine_max": str(self.fine_max),
            "rental_fee": str(self.rental_fee),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LoanRule:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["name"],
            int(d["loan_days"]),
            int(d["max_renewals"]),
            Decimal(d["fine_per_day"]),
            Decimal(d["fine_max"]),
            Decimal(d["rental_fee"]),
        )


@dataclass
class Patron:
    """A library member.  ``purpose`` says what the demo record is for (documentation only)."""

    patron_id: str
    institution: str
    pin: str | None
    name: str
    expires: date
    language: str = LANGUAGE_DUTCH
    max_loans: int = 20
    blocked: bool = False
    block_reason: str = ""
    blocked_by_sc: bool = False
    card_lost: bool = False
    card_retained: bool = False
    address: str = ""
    email: str = ""
    phone: str = ""
    purpose: str = ""

    def is_expired(self, today: date) -> bool:
        """Whether the membership has ended before *today*."""
        return self.expires < today

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = dict(self.__dict__)
        d["expires"] = self.expires.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Patron:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["expires"] = date.fromisoformat(d["expires"])
        return cls(**d)


@dataclass
class Item:
    """A copy in the collection.  ``holds`` is the queue of patron ids; ``hold_shelf_for`` is set while
    the item waits on the hold shelf for the first of them."""

    item_id: str
    institution: str
    title: str
    rule: str
    media_type: str = MEDIA_BOOK
    magnetic: bool = False
    location: str = "Volwassenen"
    properties: str = ""
    holds: list[str] = field(default_factory=list)
    hold_shelf_for: str | None = None
    purpose: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = dict(self.__dict__)
        d["holds"] = list(self.holds)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        """Inverse of :meth:`to_dict`."""
        return cls(**d)


@dataclass
class Loan:
    """An item lent to a patron."""

    item_id: str
    patron_id: str
    checked_out: datetime
    due: datetime
    renewals: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "item_id": self.item_id,
            "patron_id": self.patron_id,
            "checked_out": self.checked_out.isoformat(),
            "due": self.due.isoformat(),
            "renewals": self.renewals,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Loan:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["item_id"],
            d["patron_id"],
            datetime.fromisoformat(d["checked_out"]),
            datetime.fromisoformat(d["due"]),
            int(d["renewals"]),
        )


@dataclass
class Fee:
    """A charge on a patron's account; ``outstanding`` drops as payments are applied."""

    fee_id: str
    patron_id: str
    fee_type: str
    amount: Decimal
    outstanding: Decimal
    description: str
    created: datetime
    item_id: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether anything is still to be paid."""
        return self.outstanding > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = dict(self.__dict__)
        d.update(amount=str(self.amount), outstanding=str(self.outstanding), created=self.created.isoformat())
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fee:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d.update(
            amount=Decimal(d["amount"]),
            outstanding=Decimal(d["outstanding"]),
            created=datetime.fromisoformat(d["created"]),
        )
        return cls(**d)


@dataclass
class Payment:
    """One applied fee payment (a line in the payments ledger), keyed by the SC's transaction id (BK)."""

    transaction_id: str
    patron_id: str
    amount: Decimal
    fee_id: str | None
    payment_type: str
    currency: str
    transaction_date: datetime
    applied_at: datetime
    allocations: dict[str, Decimal] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "transaction_id": self.transaction_id,
            "patron_id": self.patron_id,
            "amount": str(self.amount),
            "fee_id": self.fee_id,
            "payment_type": self.payment_type,
            "currency": self.currency,
            "transaction_date": self.transaction_date.isoformat(),
            "applied_at": self.applied_at.isoformat(),
            "allocations": {k: str(v) for k, v in self.allocations.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Payment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["transaction_id"],
            d["patron_id"],
            Decimal(d["amount"]),
            d["fee_id"],
            d["payment_type"],
            d["currency"],
            datetime.fromisoformat(d["transaction_date"]),
            datetime.fromisoformat(d["applied_at"]),
            {k: Decimal(v) for k, v in d["allocations"].items()},
        )


@dataclass
class Checkin:
    """A recorded return (the ILS's books keep them, the kiosk never does)."""

    item_id: str
    patron_id: str | None
    returned: datetime
    location: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "item_id": self.item_id,
            "patron_id": self.patron_id,
            "returned": self.returned.isoformat(),
            "location": self.location,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Checkin:
        """Inverse of :meth:`to_dict`."""
        return cls(d["item_id"], d["patron_id"], datetime.fromisoformat(d["returned"]), d["location"])


@dataclass
class Applied:
    """One state-changing transaction the ILS applied, for tests that count (re)applications.

    ``kind`` is ``checkout``, ``renew``, ``checkin``, ``fee_paid``, ``hold``, ``block``, ``enable`` or
    ``item_update``; ``key`` identifies the transaction as the SC sent it (see :func:`transaction_key`).
    """

    kind: str
    key: str
    patron_id: str | None
    item_id: str | None
    transaction_date: datetime
    no_block: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = dict(self.__dict__)
        d["transaction_date"] = self.transaction_date.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Applied:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["transaction_date"] = datetime.fromisoformat(d["transaction_date"])
        return cls(**d)


def transaction_key(kind: str, patron_id: str | None, subject: str | None, when: datetime) -> str:
    """The identity of one SC transaction: kind, patron, item (or BK for payments), transaction date.

    A resent request (same fields, same transaction date) has the same key, so the counter shows
    whether the ILS applied it twice.
    """
    return f"{kind}:{patron_id or ''}:{subject or ''}:{when.strftime('%Y%m%d%H%M%S')}"
