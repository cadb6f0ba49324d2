"""Session messages: login (93/94), SC/ACS status (99/98) and the resend requests (97/96)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sip2.fields import SUPPORTED_MESSAGES, timestamp
from sip2.messages.base import Fixed, Message, Var, VarKind, register
from sip2.messages.base import FixedKind as F

_REPEAT = VarKind.REPEAT


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class LoginRequest(Message):
    """93 Login: ``UID algorithm`` and ``PWD algorithm`` (``0`` = not encrypted), CN/CO/CP."""

    CODE = "93"
    RESPONSE_CODE = "94"
    FIXED = (Fixed("uid_algorithm", 1), Fixed("pwd_algorithm", 1))
    VARIABLE = (
        Var("CN", "user_id", required=True),
        Var("CO", "password", required=True),
        Var("CP", "location_code"),
    )
    uid_algorithm: str = "0"
    pwd_algorithm: str = "0"
    user_id: str = ""
    password: str = field(default="", repr=False)
    location_code: str | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class LoginResponse(Message):
    """94 Login Response: ``ok`` is ``1`` when the SC may log in."""

    CODE = "94"
    SENDER = "acs"
    FIXED = (Fixed("ok", 1, F.BOOL01),)
    ok: bool = False


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class SCStatusRequest(Message):
    """99 SC Status: status code (``0`` ok, ``1`` out of paper, ``2`` shutting down), print width."""

    CODE = "99"
    RESPONSE_CODE = "98"
    FIXED = (Fixed("status_code", 1), Fixed("max_print_width", 3, F.INT), Fixed("protocol_version", 4))
    status_code: str = "0"
    max_print_width: int | None = 40
    protocol_version: str = "2.00"


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class ACSStatus(Message):
    """98 ACS Status: what the ILS allows, its timeout (tenths of a second) and ``BX``."""

    CODE = "98"
    SENDER = "acs"
    FIXED = (
        Fixed("online", 1, F.YN),
        Fixed("checkin_ok", 1, F.YN),
        Fixed("checkout_ok", 1, F.YN),
        Fixed("renewal_policy", 1, F.YN),
        Fixed("status_update_ok", 1, F.YN),
        Fixed("offline_ok", 1, F.YN),
        Fixed("timeout_period", 3, F.INT),
        Fixed("retries_allowed", 3, F.INT),
        Fixed("date_time_sync", 18),
        Fixed("protocol_version", 4),
    )
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AM", "library_name"),
        Var("BX", "supported_messages", required=True),
        Var("AN", "terminal_location"),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    online: bool = True
    checkin_ok: bool = True
    checkout_ok: bool = True
    renewal_policy: bool = True
    status_update_ok: bool = False
    offline_ok: bool = False
    timeout_period: int | None = 30
    retries_allowed: int | None = 3
    date_time_sync: str = field(default_factory=timestamp)
    protocol_version: str = "2.00"
    institution_id: str = ""
    library_name: str | None = None
    supported_messages: str = ""
    terminal_location: str | None = None
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()

    def supports(self, message: str) -> bool:
        """Whether ``BX`` marks *message* (e.g. ``"fee_paid"``, ``"renew_all"``) as supported.

        An empty or short ``BX`` says nothing, which is read as "not supported".
        """
        if message not in SUPPORTED_MESSAGES:
            raise ValueError(f"unknown message name {message!r}; one of {', '.join(SUPPORTED_MESSAGES)}")
        position = SUPPORTED_MESSAGES.index(message)
        flags = self.supported_messages
        return position < len(flags) and flags[position] in "Yy"


def supported_messages_field(names: set[str] | frozenset[str] | tuple[str, ...]) -> str:
    """Build a 16-character ``BX`` value from message names (the ACS side)."""
    return "".join("Y" if name in names else "N" for name in SUPPORTED_MESSAGES)


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RequestACSResend(Message):
    """97 Request ACS Resend: the SC got a reply with a bad checksum; no fields."""

    CODE = "97"


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class RequestSCResend(Message):
    """96 Request SC Resend: the ACS got a message with a bad checksum or could not parse it."""

    CODE = "96"
    SENDER = "acs"
