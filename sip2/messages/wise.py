"""OCLC Wise SIP2+ dialog messages: 41 "view unpaid registrations" and its reply 42.

SIP2+ is OCLC's licensed extension of SIP2 (enable it per site with ``Dialect(wise_sip2plus=True)``).
The request sets the flags ``FA``/``FB``/``FC`` to ``Y``; the reply carries one tilde-separated ``YZ``
field per unpaid registration (fee), which :mod:`sip2.wise` turns into :class:`sip2.wise.WiseFee`.
The fixed part of both messages is modelled as a transaction date, like the spec's own patron
messages; any other field Wise adds is kept in ``extra_fields``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sip2.fields import timestamp
from sip2.messages.base import Fixed, Message, Var, VarKind, register

_REPEAT, _YN = VarKind.REPEAT, VarKind.YN


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class WiseUnpaidRegistrationsRequest(Message):
    """41 (SIP2+): ask for the patron's unpaid registrations (fees)."""

    CODE = "41"
    RESPONSE_CODE = "42"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("AC", "terminal_password"),
        Var("AD", "patron_password"),
        Var("FA", "flag_fa", _YN),
        Var("FB", "flag_fb", _YN),
        Var("FC", "flag_fc", _YN),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    terminal_password: str | None = field(default=None, repr=False)
    patron_password: str | None = field(default=None, repr=False)
    flag_fa: bool | None = None
    flag_fb: bool | None = None
    flag_fc: bool | None = None


@register
@dataclass(frozen=True, kw_only=True, slots=True)
class WiseUnpaidRegistrationsResponse(Message):
    """42 (SIP2+): one raw ``YZ`` line per unpaid registration; see :func:`sip2.wise.parse_fee`."""

    CODE = "42"
    SENDER = "acs"
    FIXED = (Fixed("transaction_date", 18),)
    VARIABLE = (
        Var("AO", "institution_id", required=True),
        Var("AA", "patron_id", required=True),
        Var("YZ", "registrations", _REPEAT),
        Var("AF", "screen_messages", _REPEAT),
        Var("AG", "print_lines", _REPEAT),
    )
    transaction_date: str = field(default_factory=timestamp)
    institution_id: str = ""
    patron_id: str = ""
    registrations: tuple[str, ...] = ()
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
