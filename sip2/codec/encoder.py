"""Encoding SIP2 messages, strictly: exact fixed widths, no ``|``/CR/LF/NUL, at most 255 bytes a value.

A violation raises :class:`~sip2.errors.Sip2ValueError` and nothing is produced.
"""

from __future__ import annotations

import re
from decimal import Decimal
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
from sip2.codec.trailer import checksum
from sip2.dialect import Dialect
from sip2.errors import Sip2ValueError
from sip2.fields import PatronStatus
from sip2.messages import FixedKind, Message, Var, VarKind

MAX_VALUE_BYTES = 255
_FORBIDDEN = re.compile(r"[|\r\n\x00]")


def _format_var(var: Var, value: Any) -> str:
    """Wire text of a typed (decimal, Y/N, number) variable field."""
    kind = var.kind
    if kind is VarKind.DECIMAL:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise Sip2ValueError(f"field {var.code}: expected a finite Decimal, got {value!r}")
        return format(value, "f")
    if kind is VarKind.YN:
        return "Y" if value else "N"
    if kind is VarKind.INT:
        if not isinstance(value, int) or value < 0:
            raise Sip2ValueError(f"field {var.code}: expected a non-negative int, got {value!r}")
        text = str(value).zfill(var.width)
        if var.width and len(text) > var.width:
            raise Sip2ValueError(f"field {var.code}: {value} does not fit {var.width} digits")
        return text
    return str(value) if value is not None else ""


def _format_fixed(kind: FixedKind, width: int, value: Any, name: str) -> str:
    """Wire text of a fixed field of the given kind and width (validated)."""
    if kind is FixedKind.TEXT:
        text = value
        if not isinstance(text, str) or len(text) != width:
            raise Sip2ValueError(f"fixed field {name}: needs exactly {width} characters, got {value!r}")
        if _FORBIDDEN.search(text) or not text.isascii():
            raise Sip2ValueError(f"fixed field {name}: must be ASCII without '|', CR, LF or NUL")
        return text
    if kind is FixedKind.BOOL01:
        return "1" if value else "0"
    if kind is FixedKind.YN:
        return "Y" if value else "N"
    if kind is FixedKind.YNU:
        return "U" if value is None else ("Y" if value else "N")
    if kind is FixedKind.INT:
        if value is None:
            return " " * width
        if not isinstance(value, int) or value < 0 or len(str(value)) > width:
            raise Sip2ValueError(f"fixed field {name}: {value!r} is not a count of {width} digits")
        return str(value).zfill(width)
    if not isinstance(value, PatronStatus):
        raise Sip2ValueError(f"fixed field {name}: expected PatronStatus, got {value!r}")
    return value.to_field()


def encode_body(message: Message, dialect: Dialect = DEFAULT_DIALECT) -> str:
    """The message text without AY/AZ and terminator (validated; raises Sip2ValueError)."""
    cls = type(message)
    plan = plan_of(cls)
    parts = [cls.CODE]
    append = parts.append
    values: list[str] = []  # every free-text value, checked for '|', CR, LF, NUL in one pass
    for attr, width, kind in plan.fixed:
        value = getattr(message, attr)
        if kind is F_TEXT:
            if not isinstance(value, str) or len(value) != width or not value.isascii():
                raise Sip2ValueError(
                    f"fixed field {attr}: needs exactly {width} ASCII characters, got {value!r}"
                )
            values.append(value)
            append(value)
        elif kind is F_YN:
            append("Y" if value else "N")
        elif kind is F_BOOL01:
            append("1" if value else "0")
        elif kind is F_INT and type(value) is int and 0 <= value < 10**width:
            append(str(value).zfill(width))
        else:
            append(_format_fixed(kind, width, value, attr))
    for var in plan.variable_order:
        value = getattr(message, var.attr)
        var_kind = var.kind
        if var_kind is V_TEXT:
            if value is None:
                if var.required:
                    append(var.code + "|")
                continue
            if not isinstance(value, str):
                raise Sip2ValueError(f"field {var.code}: expected str, got {type(value).__name__}")
            values.append(value)
            append(var.code + value + "|")
        elif var_kind is V_REPEAT:
            for item in value:
                if not isinstance(item, str):
                    raise Sip2ValueError(f"field {var.code}: expected str, got {type(item).__name__}")
                values.append(item)
                append(var.code + item + "|")
        elif value is None:
            if var.required:
                append(var.code + "|")
        else:
            formatted = _format_var(var, value)
            if len(formatted) > MAX_VALUE_BYTES:  # e.g. Decimal("1E+300")
                raise Sip2ValueError(f"field {var.code}: value longer than {MAX_VALUE_BYTES} bytes")
            append(var.code + formatted + "|")
    for code, value in message.extra_fields:
        if not FIELD_CODE.match(code) or code in ("AY", "AZ"):
            raise Sip2ValueError(f"extra field code {code!r} is not two uppercase letters (nor AY/AZ)")
        if not isinstance(value, str):
            raise Sip2ValueError(f"field {code}: expected str, got {type(value).__name__}")
        values.append(value)
        append(code + value + "|")
    if _FORBIDDEN.search("".join(values)):
        raise Sip2ValueError(f"message {cls.CODE}: a value contains '|', CR, LF or NUL")
    for value in values:
        # Up to 63 characters can never exceed 255 bytes, even as 4-byte UTF-8.
        if len(value) > 63 and len(dialect.encode_text(value)) > MAX_VALUE_BYTES:
            raise Sip2ValueError(f"message {cls.CODE}: a value is longer than {MAX_VALUE_BYTES} bytes")
    return "".join(parts)


def encode(message: Message, dialect: Dialect = DEFAULT_DIALECT, sequence: int | None = None) -> bytes:
    """Encode *message* for the wire, terminator included.

    With error detection (``dialect.error_detection`` ``"on"``/``"auto"``) ``AY<sequence>`` (when
    *sequence* is given) and ``AZ<checksum>`` are appended; 96/97 are sent with AZ but no AY.
    """
    data = dialect.encode_text(encode_body(message, dialect))
    if dialect.sends_checksums:
        if sequence is not None:
            if not 0 <= sequence <= 9:
                raise Sip2ValueError(f"sequence number must be 0-9, not {sequence}")
            data += b"AY%dAZ" % sequence
        else:
            data += b"AZ"
        data += checksum(data).encode("ascii")
    return data + dialect.terminator_bytes
