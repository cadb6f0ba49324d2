"""Decoding SIP2 messages, tolerantly, because real servers are.

Variable fields in any order, repeated fields, empty and missing required fields, unknown/vendor
fields (kept in ``extra_fields``), checksums with 1-4 hex digits in either case, CR/CRLF/LF
terminators. Malformed input raises only :class:`~sip2.errors.Sip2ProtocolError` (or a subclass).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sip2.codec.layout import (
    DEFAULT_DIALECT,
    F_BOOL01,
    F_INT,
    F_TEXT,
    F_YN,
    FIELD_CODE,
    V_REPEAT,
    V_TEXT,
    plan_of,
)
from sip2.codec.trailer import split_trailer, strip_frame
from sip2.dialect import Dialect
from sip2.errors import Sip2ChecksumError, Sip2ProtocolError, Sip2UnknownMessageError
from sip2.fields import PatronStatus
from sip2.messages import MESSAGE_TYPES, FixedKind, Message, VarKind

_SPLIT = re.compile(r"\|(?=[A-Z]{2})")
#: Bounds on numeric variable fields: a count/number of at most 9 digits (SIP2 counts have 4, CF
#: queue positions a few), an amount of at most 12 integer and 6 decimal digits.  Anything longer is
#: not a number the kiosk could use, and ``int()`` on thousands of digits raises ``ValueError``
#: (Python's 4,300-digit limit): such a value is kept verbatim in ``extra_fields`` instead.
MAX_INT_DIGITS = 9
_DECIMAL_RE = re.compile(r"[+-]?\d{1,12}(?:[.,]\d{0,6})?|[+-]?[.,]\d{1,6}")
#: List fields of 64/66 whose empty occurrences are padding, not items (a server asked for
#: ``BQ999`` may send hundreds of empty ``AU|``); screen and print lines keep their blanks.
ITEM_LIST_FIELDS = frozenset({"AS", "AT", "AU", "AV", "BU", "CD", "BM", "BN", "YZ"})


@dataclass(frozen=True, slots=True)
class Frame:
    """A decoded message with its transport metadata.

    ``sequence`` is the AY digit (``None`` when absent), ``checksum`` the AZ digits as received
    (``None`` when absent), ``checksum_valid`` whether they match (``None`` when absent).
    """

    message: Message
    sequence: int | None = None
    checksum: str | None = None
    checksum_valid: bool | None = None


def _parse_fixed(kind: FixedKind, text: str, name: str, code: str) -> Any:
    if kind is FixedKind.TEXT:
        return text
    if kind is FixedKind.BOOL01 or kind is FixedKind.YN:
        return text in ("1", "Y", "y")
    if kind is FixedKind.YNU:
        return True if text in ("Y", "y") else False if text in ("N", "n") else None
    if kind is FixedKind.INT:
        stripped = text.strip()
        if not stripped:
            return None
        if not (stripped.isascii() and stripped.isdigit()):
            raise Sip2ProtocolError(f"message {code}: fixed field {name} is not a number")
        return int(stripped)
    return PatronStatus.from_field(text)


def _parse_var(kind: VarKind, value: str) -> tuple[bool, Any]:
    """(understood, python value) for a non-text variable field."""
    stripped = value.strip()
    if kind is VarKind.DECIMAL:
        if not stripped:
            return True, None
        if not (stripped.isascii() and _DECIMAL_RE.fullmatch(stripped)):
            return False, None
        try:
            number = Decimal(stripped.replace(",", "."))
        except InvalidOperation:
            return False, None
        return (True, number) if number.is_finite() else (False, None)
    if kind is VarKind.YN:
        if stripped in ("Y", "y"):
            return True, True
        if stripped in ("N", "n"):
            return True, False
        return (True, None) if not stripped else (False, None)
    if not stripped:
        return True, None
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= MAX_INT_DIGITS:
        return True, int(stripped)
    return False, None


def decode_frame(data: bytes, dialect: Dialect = DEFAULT_DIALECT) -> Frame:
    """Decode one frame (with or without its terminator) into a :class:`Frame`.

    A wrong checksum does not raise here (``checksum_valid`` is ``False``) so that a connection
    can answer with 96/97; :func:`decode` raises instead.
    """
    data = strip_frame(bytes(data))
    if len(data) < 2:
        raise Sip2ProtocolError("empty or truncated SIP2 message")
    code = data[:2].decode("ascii", errors="replace")
    cls = MESSAGE_TYPES.get(code)
    if cls is None:
        raise Sip2UnknownMessageError(code)
    plan = plan_of(cls)
    body, sequence, digits, valid = split_trailer(data, 2 + plan.fixed_width)
    text = dialect.decode_text(body)
    if len(text) < 2 + plan.fixed_width:
        raise Sip2ProtocolError(
            f"message {code} is too short: its fixed fields need {plan.fixed_width} characters"
        )
    kwargs: dict[str, Any] = {}
    pos = 2
    for attr, width, kind in plan.fixed:
        if kind is F_TEXT:
            kwargs[attr] = text[pos : pos + width]
        elif kind is F_YN or kind is F_BOOL01:
            kwargs[attr] = text[pos] in "1Yy"
        elif kind is F_INT:
            count = text[pos : pos + width]
            if count.isdigit() and count.isascii():
                kwargs[attr] = int(count)
            else:
                kwargs[attr] = _parse_fixed(kind, count, attr, code)
        else:
            kwargs[attr] = _parse_fixed(kind, text[pos : pos + width], attr, code)
        pos += width
    extras: list[tuple[str, str]] = []
    repeats: dict[str, list[str]] = {}
    rest = text[pos:]
    if rest:
        variable = plan.variable
        pieces = _SPLIT.split(rest)
        last = pieces[-1]
        if last.endswith("|"):
            pieces[-1] = last[:-1]
        for piece in pieces:
            if not piece:
                continue
            field_code = piece[:2]
            value = piece[2:]
            var = variable.get(field_code)
            if var is None:
                if not FIELD_CODE.match(field_code):
                    raise Sip2ProtocolError(f"message {code}: variable data without a field code")
                extras.append((field_code, value))
            elif var.kind is V_REPEAT:
                if field_code not in ITEM_LIST_FIELDS or value.strip():
                    repeats.setdefault(var.attr, []).append(value)
            elif var.attr in kwargs:
                extras.append((field_code, value))  # a second copy of a single field: keep it
            elif var.kind is V_TEXT:
                kwargs[var.attr] = value
            else:
                understood, parsed = _parse_var(var.kind, value)
                if understood:
                    kwargs[var.attr] = parsed
                else:
                    extras.append((field_code, value))
    for attr, values in repeats.items():
        kwargs[attr] = tuple(values)
    for attr in plan.required_text:
        kwargs.setdefault(attr, "")
    if extras:
        kwargs["extra_fields"] = tuple(extras)
    return Frame(cls(**kwargs), sequence, digits, valid)


def decode(data: bytes, dialect: Dialect = DEFAULT_DIALECT) -> Message:
    """Decode one frame into its message; raises Sip2ChecksumError on a wrong AZ."""
    frame = decode_frame(data, dialect)
    if frame.checksum_valid is False:
        raise Sip2ChecksumError(f"message {frame.message.CODE}: checksum {frame.checksum} does not match")
    return frame.message
