"""Circulation messages: checkout (11/12), checkin (09/10), renew (29/30) and renew all (65/66).

None of 11, 09 and 29 is idempotent on real servers (a resent 11 becomes a renewal on Evergreen):
see :mod:`sip2.connection` and ``docs/sip2-recovery.md`` before resending one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sip2.fields import timestamp
from sip2.messages.base import Fixed, Message, Var, VarKind, register
from sip2.messages.base import FixedKind as F

_REPEAT, _DEC, _YN = VarKind.REPEAT, VarKind.DECIMAL, VarKind.YN

#: Variable fields shared by the checkout (12) and renew (30) responses, in spec order.
_LOAN_RESPONSE_FIELDS = (
    Var("AO", "institution_id", required=True),
    Var("AA", "patron_id", required=True),
    Var("AB", "item_id", required=True),
    Var("AJ", "title", required=True),
    Var("AH", "due_date", required=True),
    Var("BT", "fee_type"),
    Var("CI", "security_inhibit", _YN),
    Var("BH", "currency"),
    Var("BV", "fee_amount", _DEC),
    Var("CK", "media_type"),
    Var("CH", "item_properties"),
    Var("BK", "transaction_id"),
    Var("AF", "screen_messages", _REPEAT),
    Var("AG", "print_lines", _REPEAT),
)
_LOAN_RESPONSE_FIXED = (
    Fixed("ok", 1, F.BOOL01),
    Fixed("renewal_ok", 1, F.YN),
    Fixed("magnetic_media", 1, F.YNU),
    Fixed("desensitize", 1, F.YNU),
    Fixed("transaction_date", 18),
)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class CheckoutRequest(Message):
    """11 Checkout.  ``nb_due_date`` should be a real timestamp: pysip2 closes on 18 blanks."""

    CODE = "11"
    RESPONSE_CODE = "12"
    FIXED = (
        Fixed("renewal_policy", 1, F.YN),
        Fixed("no_block", 1, F.YN),
        Fixed("transaction_date", 18),
        Fixed("nb_due_date", 18),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AB", "item_id", required=True),
        Var("AC", "terminal_password", required=True),
        Var("CH", "item_properties"),
        Var("AD", "patron_password"),
        Var("BO", "fee_acknowledged", _YN),
        Var("BI", "cancel", _YN),
    )
    renewal_policy: bool = False
    no_block: bool = False
    transaction_date: str = field(default_factory=timestamp)
    nb_due_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    item_id: str = ""
    terminal_password: str = field(default="", repr=False)
    item_properties: str | None = None
    patron_password: str | None = field(default=None, repr=False)
    fee_acknowledged: bool | None = None
    cancel: bool | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LoanResponse(Message):
    """The layout shared by 12 Checkout Response and 30 Renew Response (the spec gives both the same).

    ``magnetic_media``/``desensitize``: ``None`` means ``U`` (unknown). ``due_date`` is kept raw: servers
    send ``YYYYMMDD    HHMMSS``, ``MM/DD/YYYY`` and more (:func:`sip2.fields.parse_timestamp` reads most).
    """

    SENDER = "acs"
    FIXED = _LOAN_RESPONSE_FIXED
    VARIABLE = _LOAN_RESPONSE_FIELDS
    ok: bool = False
    renewal_ok: bool = False
    magnetic_media: bool | None = None
    desensitize: bool | None = None
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    item_id: str = ""
    title: str = ""
    due_date: str = ""
    fee_type: str | None = None
    security_inhibit: bool | None = None
    currency: str | None = None
    fee_amount: Decimal | None = None
    media_type: str | None = None
    item_properties: str | None = None
    transaction_id: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class CheckoutResponse(LoanResponse):
    """12 Checkout Response (fields: :class:`LoanResponse`)."""

    CODE = "12"


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class CheckinRequest(Message):
    """09 Checkin."""

    CODE = "09"
    RESPONSE_CODE = "10"
    FIXED = (Fixed("no_block", 1, F.YN), Fixed("transaction_date", 18), Fixed("return_date", 18))
    VARIABLE = (
        Var("AP", "current_location", required=True),
        Var("AO", "institution_id", required=True),
        Var("AB", "item_id", required=True),
        Var("AC", "terminal_password", required=True),
        Var("CH", "item_properties"),
        Var("BI", "cancel", _YN),
    )
    no_block: bool = False
    transaction_date: str = field(default_factory=timestamp)
    return_date: str = field(default_factory=timestamp)
    current_location: str = ""
    institution_id: str = ""
    item_id: str = ""
    terminal_password: str = field(default="", repr=False)
    item_properties: str | None = None
    cancel: bool | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class CheckinResponse(Message):
    """10 Checkin Response, with the common 3M extension fields (CR, CS, CT, CV, CY, DA)."""

    CODE = "10"
    SENDER = "acs"
    FIXED = (
        Fixed("ok", 1, F.BOOL01),
        Fixed("resensitize", 1, F.YN),
        Fixed("magnetic_media", 1, F.YNU),
        Fixed("alert", 1, F.YN),
        Fixed("transaction_date", 18),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AB", "item_id", required=True),
        Var("AQ", "permanent_location", required=True),
        Var("AJ", "title"),
        Var("CL", "sort_bin"),
        Var("AA", "patron_id"),
        Var("CK", "media_type"),
        Var("CH", "item_properties"),
        Var("CR", "collection_code"),
        Var("CS", "call_number"),
        Var("CT", "destination_location"),
        Var("CV", "alert_type"),
        Var("CY", "hold_patron_id"),
        Var("DA", "hold_patron_name"),
        # A fine charged by this return (a vendor extension several ILSs send; absent otherwise).
        Var("BT", "fee_type"),
        Var("BH", "currency"),
        Var("BV", "fee_amount", _DEC),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    ok: bool = False
    resensitize: bool = False
    magnetic_media: bool | None = None
    alert: bool = False
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    item_id: str = ""
    permanent_location: str = ""
    title: str | None = None
    sort_bin: str | None = None
    patron_id: str | None = None
    media_type: str | None = None
    item_properties: str | None = None
    collection_code: str | None = None
    call_number: str | None = None
    destination_location: str | None = None
    alert_type: str | None = None
    hold_patron_id: str | None = None
    hold_patron_name: str | None = None
    fee_type: str | None = None
    currency: str | None = None
    fee_amount: Decimal | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RenewRequest(Message):
    """29 Renew."""

    CODE = "29"
    RESPONSE_CODE = "30"
    FIXED = (
        Fixed("third_party_allowed", 1, F.YN),
        Fixed("no_block", 1, F.YN),
        Fixed("transaction_date", 18),
        Fixed("nb_due_date", 18),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AD", "patron_password"),
        Var("AB", "item_id"),
        Var("AJ", "title"),
        Var("AC", "terminal_password"),
        Var("CH", "item_properties"),
        Var("BO", "fee_acknowledged", _YN),
    )
    third_party_allowed: bool = False
    no_block: bool = False
    transaction_date: str = field(default_factory=timestamp)
    nb_due_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    patron_password: str | None = field(default=None, repr=False)
    item_id: str | None = None
    title: str | None = None
    terminal_password: str | None = field(default=None, repr=False)
    item_properties: str | None = None
    fee_acknowledged: bool | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RenewResponse(LoanResponse):
    """30 Renew Response (fields: :class:`LoanResponse`)."""

    CODE = "30"


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RenewAllRequest(Message):
    """65 Renew All."""

    CODE = "65"
    RESPONSE_CODE = "66"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AD", "patron_password"),
        Var("AC", "terminal_password"),
        Var("BO", "fee_acknowledged", _YN),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    patron_password: str | None = field(default=None, repr=False)
    terminal_password: str | None = field(default=None, repr=False)
    fee_acknowledged: bool | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RenewAllResponse(Message):
    """66 Renew All Response: counts and the renewed (BM) / unrenewed (BN) item ids."""

    CODE = "66"
    SENDER = "acs"
    FIXED = (
        Fixed("ok", 1, F.BOOL01),
        Fixed("renewed_count", 4, F.INT),
        Fixed("unrenewed_count", 4, F.INT),
        Fixed("transaction_date", 18),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("BM", "renewed_items", _REPEAT),
        Var("BN", "unrenewed_items", _REPEAT),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    ok: bool = False
    renewed_count: int | None = 0
    unrenewed_count: int | None = 0
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    renewed_items: tuple[str, ...] = ()
    unrenewed_items: tuple[str, ...] = ()
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
