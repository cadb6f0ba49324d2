"""Item messages: item information (17/18), item status update (19/20) and hold (15/16)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sip2.fields import CIRCULATION_STATUS, on_loan, timestamp
from sip2.messages.base import Fixed, Message, Var, VarKind, register
from sip2.messages.base import FixedKind as F

_REPEAT, _DEC, _YN, _INT = VarKind.REPEAT, VarKind.DECIMAL, VarKind.YN, VarKind.INT


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class ItemInformationRequest(Message):
    """17 Item Information."""

    CODE = "17"
    RESPONSE_CODE = "18"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AB", "item_id", required=True),
        Var("AC", "terminal_password"),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    item_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class ItemInformationResponse(Message):
    """18 Item Information Response.  ``circulation_status`` ``04`` = charged (on loan)."""

    CODE = "18"
    SENDER = "acs"
    FIXED = (
        Fixed("circulation_status", 2),
        Fixed("security_marker", 2),
        Fixed("fee_type", 2),
        Fixed("transaction_date", 18),
    )
    VARIABLE = (
        Var("CF", "hold_queue_length", _INT),
        Var("AH", "due_date"),
        Var("CJ", "recall_date"),
        Var("CM", "hold_pickup_date"),
        Var("AB", "item_id", required=True),
        Var("AJ", "title", required=True),
        Var("BG", "owner"),
        Var("BH", "currency"),
        Var("BV", "fee_amount", _DEC),
        Var("CK", "media_type"),
        Var("AQ", "permanent_location"),
        Var("AP", "current_location"),
        Var("CH", "item_properties"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    circulation_status: str = "01"
    security_marker: str = "00"
    fee_type: str = "01"
    transaction_date: str = field(default_factory=timestamp)
    hold_queue_length: int | None = None
    due_date: str | None = None
    recall_date: str | None = None
    hold_pickup_date: str | None = None
    item_id: str = ""
    title: str = ""
    owner: str | None = None
    currency: str | None = None
    fee_amount: Decimal | None = None
    media_type: str | None = None
    permanent_location: str | None = None
    current_location: str | None = None
    item_properties: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()

    @property
    def circulation_status_name(self) -> str:
        """The spec's name for ``circulation_status`` (``"charged"``...), ``"unknown"`` if not listed."""
        return CIRCULATION_STATUS.get(self.circulation_status, "unknown")

    @property
    def charged(self) -> bool:
        """Whether the item is on loan: :func:`sip2.fields.on_loan` (04, 05, 07, 11; the spec table
        is at :data:`sip2.fields.ON_LOAN`)."""
        return on_loan(self.circulation_status)

    @property
    def unknown(self) -> bool:
        """Whether this is the ILS's answer for an item it does not know: no title, circulation
        status ``01`` (other) or not a status of the spec's table (SIPServer and Koha answer an
        unknown barcode with ``01`` and an empty ``AJ``)."""
        return (
            not self.title.strip()
            or self.circulation_status == "01"
            or self.circulation_status not in CIRCULATION_STATUS
        )


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class ItemStatusUpdateRequest(Message):
    """19 Item Status Update: sets item properties (CH)."""

    CODE = "19"
    RESPONSE_CODE = "20"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AB", "item_id", required=True),
        Var("AC", "terminal_password"),
        Var("CH", "item_properties", required=True),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    item_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    item_properties: str = ""


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class ItemStatusUpdateResponse(Message):
    """20 Item Status Update Response."""

    CODE = "20"
    SENDER = "acs"
    FIXED = (Fixed("item_properties_ok", 1, F.BOOL01), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AB", "item_id", required=True),
        Var("AJ", "title"),
        Var("CH", "item_properties"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    item_properties_ok: bool = False
    transaction_date: str = field(default_factory=timestamp)
    item_id: str = ""
    title: str | None = None
    item_properties: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class HoldRequest(Message):
    """15 Hold: ``hold_mode`` ``+`` add, ``-`` delete, ``*`` change."""

    CODE = "15"
    RESPONSE_CODE = "16"
    FIXED = (Fixed("hold_mode", 1), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("BW", "expiration_date"),
        Var("BS", "pickup_location"),
        Var("BY", "hold_type"),
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AD", "patron_password"),
        Var("AB", "item_id"),
        Var("AJ", "title"),
        Var("AC", "terminal_password"),
        Var("BO", "fee_acknowledged", _YN),
    )
    hold_mode: str = "+"
    transaction_date: str = field(default_factory=timestamp)
    expiration_date: str | None = None
    pickup_location: str | None = None
    hold_type: str | None = None
    institution_id: str = ""
    patron_id: str = ""
    patron_password: str | None = field(default=None, repr=False)
    item_id: str | None = None
    title: str | None = None
    terminal_password: str | None = field(default=None, repr=False)
    fee_acknowledged: bool | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class HoldResponse(Message):
    """16 Hold Response."""

    CODE = "16"
    SENDER = "acs"
    FIXED = (Fixed("ok", 1, F.BOOL01), Fixed("available", 1, F.YN), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("BW", "expiration_date"),
        Var("BR", "queue_position", _INT),
        Var("BS", "pickup_location"),
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AB", "item_id"),
        Var("AJ", "title"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    ok: bool = False
    available: bool = False
    transaction_date: str = field(default_factory=timestamp)
    expiration_date: str | None = None
    queue_position: int | None = None
    pickup_location: str | None = None
    institution_id: str = ""
    patron_id: str = ""
    item_id: str | None = None
    title: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
