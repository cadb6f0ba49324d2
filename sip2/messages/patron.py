"""Patron messages: patron status (23/24), patron information (63/64), block patron (01),
end session (35/36), patron enable (25/26) and fee paid (37/38)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sip2.fields import PatronStatus, timestamp
from sip2.messages.base import Fixed, Message, Var, VarKind, register
from sip2.messages.base import FixedKind as F

_REPEAT, _DEC, _YN, _INT = VarKind.REPEAT, VarKind.DECIMAL, VarKind.YN, VarKind.INT


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronStatusRequest(Message):
    """23 Patron Status Request."""

    CODE = "23"
    RESPONSE_CODE = "24"
    FIXED = (Fixed("language", 3), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password", required=True),
        Var("AD", "patron_password", required=True),
    )
    language: str = "000"
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str = field(default="", repr=False)
    patron_password: str = field(default="", repr=False)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronStatusResponse(Message):
    """24 Patron Status Response (also the reply to 01 Block Patron)."""

    CODE = "24"
    SENDER = "acs"
    FIXED = (Fixed("patron_status", 14, F.PATRON_STATUS), Fixed("language", 3), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AE", "personal_name", required=True),
        Var("BL", "valid_patron", _YN),
        Var("CQ", "valid_patron_password", _YN),
        Var("BH", "currency"),
        Var("BV", "fee_amount", _DEC),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    patron_status: PatronStatus = field(default_factory=PatronStatus)
    language: str = "000"
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    personal_name: str = ""
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    currency: str | None = None
    fee_amount: Decimal | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class BlockPatron(Message):
    """01 Block Patron: the SC retained or blocks a card; the ACS answers with 24."""

    CODE = "01"
    RESPONSE_CODE = "24"
    FIXED = (Fixed("card_retained", 1, F.YN), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AL", "blocked_card_message", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password", required=True),
    )
    card_retained: bool = False
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    blocked_card_message: str = ""
    patron_id: str = ""
    terminal_password: str = field(default="", repr=False)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronInformationRequest(Message):
    """63 Patron Information: ``summary`` is 10 characters with at most one ``Y`` (which list)."""

    CODE = "63"
    RESPONSE_CODE = "64"
    FIXED = (Fixed("language", 3), Fixed("transaction_date", 18), Fixed("summary", 10))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password"),
        Var("AD", "patron_password"),
        Var("BP", "start_item", _INT),
        Var("BQ", "end_item", _INT),
    )
    language: str = "000"
    transaction_date: str = field(default_factory=timestamp)
    summary: str = " " * 10
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    patron_password: str | None = field(default=None, repr=False)
    start_item: int | None = None
    end_item: int | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronInformationResponse(Message):
    """64 Patron Information Response: flags, counts (``None`` = blanks), the requested item list."""

    CODE = "64"
    SENDER = "acs"
    FIXED = (
        Fixed("patron_status", 14, F.PATRON_STATUS),
        Fixed("language", 3),
        Fixed("transaction_date", 18),
        Fixed("hold_items_count", 4, F.INT),
        Fixed("overdue_items_count", 4, F.INT),
        Fixed("charged_items_count", 4, F.INT),
        Fixed("fine_items_count", 4, F.INT),
        Fixed("recall_items_count", 4, F.INT),
        Fixed("unavailable_holds_count", 4, F.INT),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AE", "personal_name", required=True),
        Var("BZ", "hold_items_limit", _INT, width=4),
        Var("CA", "overdue_items_limit", _INT, width=4),
        Var("CB", "charged_items_limit", _INT, width=4),
        Var("BL", "valid_patron", _YN),
        Var("CQ", "valid_patron_password", _YN),
        Var("BH", "currency"),
        Var("BV", "fee_amount", _DEC),
        Var("CC", "fee_limit", _DEC),
        Var("AS", "hold_items", _REPEAT),
        Var("AT", "overdue_items", _REPEAT),
        Var("AU", "charged_items", _REPEAT),
        Var("AV", "fine_items", _REPEAT),
        Var("BU", "recall_items", _REPEAT),
        Var("CD", "unavailable_hold_items", _REPEAT),
        Var("BD", "home_address"),
        Var("BE", "email_address"),
        Var("BF", "home_phone"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    patron_status: PatronStatus = field(default_factory=PatronStatus)
    language: str = "000"
    transaction_date: str = field(default_factory=timestamp)
    hold_items_count: int | None = 0
    overdue_items_count: int | None = 0
    charged_items_count: int | None = 0
    fine_items_count: int | None = 0
    recall_items_count: int | None = 0
    unavailable_holds_count: int | None = 0
    institution_id: str = ""
    patron_id: str = ""
    personal_name: str = ""
    hold_items_limit: int | None = None
    overdue_items_limit: int | None = None
    charged_items_limit: int | None = None
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    currency: str | None = None
    fee_amount: Decimal | None = None
    fee_limit: Decimal | None = None
    hold_items: tuple[str, ...] = ()
    overdue_items: tuple[str, ...] = ()
    charged_items: tuple[str, ...] = ()
    fine_items: tuple[str, ...] = ()
    recall_items: tuple[str, ...] = ()
    unavailable_hold_items: tuple[str, ...] = ()
    home_address: str | None = None
    email_address: str | None = None
    home_phone: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class EndPatronSessionRequest(Message):
    """35 End Patron Session."""

    CODE = "35"
    RESPONSE_CODE = "36"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password"),
        Var("AD", "patron_password"),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    patron_password: str | None = field(default=None, repr=False)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class EndSessionResponse(Message):
    """36 End Session Response."""

    CODE = "36"
    SENDER = "acs"
    FIXED = (Fixed("end_session", 1, F.YN), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    end_session: bool = True
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronEnableRequest(Message):
    """25 Patron Enable."""

    CODE = "25"
    RESPONSE_CODE = "26"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password"),
        Var("AD", "patron_password"),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    patron_password: str | None = field(default=None, repr=False)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class PatronEnableResponse(Message):
    """26 Patron Enable Response."""

    CODE = "26"
    SENDER = "acs"
    FIXED = (Fixed("patron_status", 14, F.PATRON_STATUS), Fixed("language", 3), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AE", "personal_name", required=True),
        Var("BL", "valid_patron", _YN),
        Var("CQ", "valid_patron_password", _YN),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    patron_status: PatronStatus = field(default_factory=PatronStatus)
    language: str = "000"
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    personal_name: str = ""
    valid_patron: bool | None = None
    valid_patron_password: bool | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class FeePaidRequest(Message):
    """37 Fee Paid: fee type (``01`` other/unknown ... ``09``), payment type (``00`` cash, ``01`` VISA,
    ``02`` credit card), ISO 4217 currency.  ``BK`` is the payment device's transaction id."""

    CODE = "37"
    RESPONSE_CODE = "38"
    FIXED = (
        Fixed("transaction_date", 18),
        Fixed("fee_type", 2),
        Fixed("payment_type", 2),
        Fixed("currency", 3),
    )
    VARIABLE = (
        Var("BV", "fee_amount", _DEC, required=True),
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password"),
        Var("AD", "patron_password"),
        Var("CG", "fee_id"),
        Var("BK", "transaction_id"),
    )
    transaction_date: str = field(default_factory=timestamp)
    fee_type: str = "01"
    payment_type: str = "02"
    currency: str = "EUR"
    fee_amount: Decimal | None = None
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    patron_password: str | None = field(default=None, repr=False)
    fee_id: str | None = None
    transaction_id: str | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class FeePaidResponse(Message):
    """38 Fee Paid Response: ``payment_accepted``; ``BK`` may be the ACS's own transaction id."""

    CODE = "38"
    SENDER = "acs"
    FIXED = (Fixed("payment_accepted", 1, F.YN), Fixed("transaction_date", 18))
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("BK", "transaction_id"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    payment_accepted: bool = False
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    transaction_id: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
