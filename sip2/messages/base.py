"""The table-driven core of every SIP2 message class.

Each message is a frozen dataclass whose class variables describe its wire layout:

* ``CODE`` -- the two-digit command identifier (``"11"`` checkout, ...);
* ``FIXED`` -- the fixed-length fields in spec order (:class:`Fixed`: attribute, width, kind);
* ``VARIABLE`` -- the variable fields (:class:`Var`: two-letter code, attribute, kind, required).

The codec (:mod:`sip2.codec`) reads these tables; the classes hold no encoding logic of their own.
Unknown and vendor fields (Wise ``GG``, Polaris ``PA``...) end up, in order, in ``extra_fields`` and
are written back out unchanged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar


class FixedKind(enum.Enum):
    """How a fixed-length field is represented in Python."""

    TEXT = "text"  #: ``str`` of exactly the field width (language, timestamps, fee type...)
    BOOL01 = "bool01"  #: ``bool``, ``1``/``0`` on the wire (the ``ok`` fields)
    YN = "yn"  #: ``bool``, ``Y``/``N`` on the wire
    YNU = "ynu"  #: ``bool | None``, ``Y``/``N``/``U`` (unknown) on the wire (magnetic media...)
    INT = "int"  #: ``int | None``, zero-padded digits, blanks for ``None`` (counts)
    PATRON_STATUS = "patron_status"  #: :class:`sip2.fields.PatronStatus`, 14 ``Y``/blank flags


class VarKind(enum.Enum):
    """How a variable-length field is represented in Python."""

    TEXT = "text"  #: ``str`` (required: always sent, ``""`` when absent) or ``str | None`` (optional)
    REPEAT = "repeat"  #: ``tuple[str, ...]``: every occurrence, in order (AF, AG, AS, AU...)
    DECIMAL = "decimal"  #: ``Decimal | None`` (BV, CC); unparseable values stay in extra_fields
    YN = "yn"  #: ``bool | None`` (BL, CQ, BO, BI, CI)
    INT = "int"  #: ``int | None`` (BP, BQ, BR, CF, BZ, CA, CB); zero-padded to ``width`` on send


@dataclass(frozen=True, slots=True)
class Fixed:
    """One fixed-length field: the dataclass attribute, its width in characters and its kind."""

    attr: str
    width: int
    kind: FixedKind = FixedKind.TEXT


@dataclass(frozen=True, slots=True)
class Var:
    """One variable field: its two-letter code, the dataclass attribute and how to read it.

    ``required`` fields are always sent, even empty (``AC|``: omitting them got ``96`` from some
    servers, php-sip2 #2); optional ones only when not ``None``.
    """

    code: str
    attr: str
    kind: VarKind = VarKind.TEXT
    required: bool = False
    width: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Message:
    """Base of every SIP2 message.  ``extra_fields`` keeps unknown/vendor fields as (code, value)."""

    CODE: ClassVar[str] = ""
    FIXED: ClassVar[tuple[Fixed, ...]] = ()
    VARIABLE: ClassVar[tuple[Var, ...]] = ()
    #: Which side sends this message: ``"sc"`` (the kiosk) or ``"acs"`` (the ILS).
    SENDER: ClassVar[str] = "sc"
    #: The code of the reply this request expects (``""`` when there is none to match by code).
    RESPONSE_CODE: ClassVar[str] = ""

    extra_fields: tuple[tuple[str, str], ...] = ()
    #: Not on the wire: ``True`` when the client reconstructed this reply after a lost connection
    #: (see :mod:`sip2.recovery`); such a reply carries only what the ILS could be asked afterwards.
    recovered: bool = field(default=False, compare=False)

    def extra(self, code: str) -> tuple[str, ...]:
        """All values of an unknown/vendor field, e.g. ``msg.extra("GG")``."""
        return tuple(value for c, value in self.extra_fields if c == code)


#: Every message class by its two-digit code (filled by :func:`register`).
MESSAGE_TYPES: dict[str, type[Message]] = {}


_M = TypeVar("_M", bound=type[Message])


def register(cls: _M) -> _M:
    """Class decorator: make a message class known to the codec by its ``CODE``."""
    if cls.CODE in MESSAGE_TYPES:
        raise RuntimeError(f"message code {cls.CODE} registered twice")
    MESSAGE_TYPES[cls.CODE] = cls
    return cls
