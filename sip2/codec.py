"""Bytes <-> SIP2 messages: encoding (strict), decoding (tolerant), the AZ checksum and framing.

Encoding is strict: fixed fields must have their exact width, values may not contain ``|``, CR, LF
or NUL and may not exceed 255 encoded bytes (pysip2 and others reject longer ones); a violation
raises :class:`~sip2.errors.Sip2ValueError` and nothing is produced.

Decoding is tolerant, because real servers are: variable fields in any order, repeated fields,
empty and missing required fields, unknown/vendor fields (kept in ``extra_fields``), checksums with
1-4 hex digits in either case, CR/CRLF/LF terminators.  Malformed input raises only
:class:`~sip2.errors.Sip2ProtocolError` (or a subclass).

Checksum (spec): "the binary sum of the characters including the checksum field identifier
characters (AZ) ... the negative (two's complement) of the sum ... four hexadecimal digits".  It is
computed over the *encoded* bytes, as edge-sip2 and Koha do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sip2.dialect import Dialect
from sip2.errors import Sip2ChecksumError, Sip2ProtocolError, Sip2UnknownMessageError, Sip2ValueError
from sip2.fields import PatronStatus
from sip2.framing import FrameBuffer
from sip2.messages import MESSAGE_TYPES, FixedKind, Message, Var, VarKind

DEFAULT_DIALECT = Dialect()
MAX_VALUE_BYTES = 255
_FORBIDDEN = re.compile(r"[|\r\n\x00]")
_CODE_RE = re.compile(r"^[A-Z]{2}$")
_SPLIT = re.compile(r"\|(?=[A-Z]{2})")
_AZ_RE = re.compile(rb"AZ([0-9A-Fa-f]{1,4})$")
_AY_RE = re.compile(rb"AY(\d)\|?$")
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
_F_TEXT, _F_YN, _F_BOOL01, _F_INT = FixedKind.TEXT, FixedKind.YN, FixedKind.BOOL01, FixedKind.INT
_V_TEXT, _V_REPEAT = VarKind.TEXT, VarKind.REPEAT
_LEADING_JUNK = re.compile(rb"^(?:\xff[\xfb-\xfe].|[\x00\xfb-\xff])+", re.DOTALL)
#: Bounds on numeric variable fields: a count/number of at most 9 digits (SIP2 counts have 4, CF
#: queue positions a few), an amount of at most 12 integer and 6 decimal digits.  Anything longer is
#: not a number the kiosk could use, and ``int()`` on thousands of digits raises ``ValueError``
#: (Python's 4,300-digit limit): such a value is kept verbatim in ``extra_fields`` instead.
MAX_INT_DIGITS = 9
_DECIMAL_RE = re.compile(r"[+-]?\d{1,12}(?:[.,]\d{0,6})?|[+-]?[.,]\d{1,6}")
#: List fields of 64/66 whose empty occurrences are padding, not items (a server asked for
#: ``BQ999`` may send hundreds of empty ``AU|``); screen and print lines keep their blanks.
ITEM_LIST_FIELDS = frozenset({"AS", "AT", "AU", "AV", "BU", "CD", "BM", "BN", "YZ"})


def checksum(data: bytes) -> str:
    """The 4-digit uppercase hex checksum of *data* (every byte up to and including ``AZ``)."""
    return f"{-sum(data) & 0xFFFF:04X}"


def verify_checksum(data_through_az: bytes, digits: bytes | str) -> bool:
    """Whether *digits* (1-4 hex digits, either case) is the checksum of *data_through_az*."""
    return (sum(data_through_az) + int(digits, 16)) & 0xFFFF == 0


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


# --------------------------------------------------------------------------------------------- encode


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
    plan = _plan(cls)
    parts = [cls.CODE]
    append = parts.append
    values: list[str] = []  # every free-text value, checked for '|', CR, LF, NUL in one pass
    for attr, width, kind in plan.fixed:
        value = getattr(message, attr)
        if kind is _F_TEXT:
            if not isinstance(value, str) or len(value) != width or not value.isascii():
                raise Sip2ValueError(
                    f"fixed field {attr}: needs exactly {width} ASCII characters, got {value!r}"
                )
            values.append(value)
            append(value)
        elif kind is _F_YN:
            append("Y" if value else "N")
        elif kind is _F_BOOL01:
            append("1" if value else "0")
        elif kind is _F_INT and type(value) is int and 0 <= value < 10**width:
            append(str(value).zfill(width))
        else:
            append(_format_fixed(kind, width, value, attr))
    for var in plan.variable_order:
        value = getattr(message, var.attr)
        var_kind = var.kind
        if var_kind is _V_TEXT:
            if value is None:
                if var.required:
                    append(var.code + "|")
                continue
            if not isinstance(value, str):
                raise Sip2ValueError(f"field {var.code}: expected str, got {type(value).__name__}")
            values.append(value)
            append(var.code + value + "|")
        elif var_kind is _V_REPEAT:
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
        if not _CODE_RE.match(code) or code in ("AY", "AZ"):
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


# --------------------------------------------------------------------------------------------- decode


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


def _strip_frame(data: bytes) -> bytes:
    data = data.strip(b"\r\n")
    if data[:1] in (b"\xff", b"\xfb", b"\xfc", b"\xfd", b"\xfe", b"\x00"):
        data = _LEADING_JUNK.sub(b"", data)
    return data


def _split_trailer(data: bytes, fixed_end: int) -> tuple[bytes, int | None, str | None, bool | None]:
    """Remove ``AY``/``AZ`` from the end of *data*: (body, sequence, checksum digits, valid)."""
    n = len(data)
    if (
        n >= fixed_end + 9
        and data[n - 6 : n - 4] == b"AZ"
        and data[n - 9 : n - 7] == b"AY"
        and 0x30 <= data[n - 7] <= 0x39
        and (n - 9 == fixed_end or data[n - 10] == 0x7C)
        and _HEX4.fullmatch(data, n - 4)
    ):
        # The usual ``|AY<digit>AZ<4 hex>`` trailer, read by position: the same result as below.
        checksum_digits = data[n - 4 :].decode("ascii")
        return (
            data[: n - 9],
            data[n - 7] - 0x30,
            checksum_digits,
            verify_checksum(data[: n - 4], checksum_digits),
        )
    body, digits, valid = data, None, None
    match = _AZ_RE.search(data)
    if match and match.start() >= fixed_end:
        prefix = data[: match.start()]
        if len(prefix) == fixed_end or prefix.endswith(b"|") or _AY_RE.search(prefix):
            digits = match.group(1).decode("ascii")
            valid = verify_checksum(data[: match.start() + 2], digits)
            body = prefix
    sequence = None
    ay = _AY_RE.search(body)
    if ay and ay.start() >= fixed_end and (ay.start() == fixed_end or body[ay.start() - 1] == 0x7C):
        sequence = int(ay.group(1))
        body = body[: ay.start()]
    return body, sequence, digits, valid


def decode_frame(data: bytes, dialect: Dialect = DEFAULT_DIALECT) -> Frame:
    """Decode one frame (with or without its terminator) into a :class:`Frame`.

    A wrong checksum does not raise here (``checksum_valid`` is ``False``) so that a connection
    can answer with 96/97; :func:`decode` raises instead.
    """
    data = _strip_frame(bytes(data))
    if len(data) < 2:
        raise Sip2ProtocolError("empty or truncated SIP2 message")
    code = data[:2].decode("ascii", errors="replace")
    cls = MESSAGE_TYPES.get(code)
    if cls is None:
        raise Sip2UnknownMessageError(code)
    plan = _plan(cls)
    body, sequence, digits, valid = _split_trailer(data, 2 + plan.fixed_width)
    text = dialect.decode_text(body)
    if len(text) < 2 + plan.fixed_width:
        raise Sip2ProtocolError(
            f"message {code} is too short: its fixed fields need {plan.fixed_width} characters"
        )
    kwargs: dict[str, Any] = {}
    pos = 2
    for attr, width, kind in plan.fixed:
        if kind is _F_TEXT:
            kwargs[attr] = text[pos : pos + width]
        elif kind is _F_YN or kind is _F_BOOL01:
            kwargs[attr] = text[pos] in "1Yy"
        elif kind is _F_INT:
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
                if not _CODE_RE.match(field_code):
                    raise Sip2ProtocolError(f"message {code}: variable data without a field code")
                extras.append((field_code, value))
            elif var.kind is _V_REPEAT:
                if field_code not in ITEM_LIST_FIELDS or value.strip():
                    repeats.setdefault(var.attr, []).append(value)
            elif var.attr in kwargs:
                extras.append((field_code, value))  # a second copy of a single field: keep it
            elif var.kind is _V_TEXT:
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


@dataclass(frozen=True, slots=True)
class _Plan:
    fixed: tuple[tuple[str, int, FixedKind], ...]
    fixed_width: int
    variable: dict[str, Var]
    variable_order: tuple[Var, ...]
    required_text: tuple[str, ...]


_PLANS: dict[type[Message], _Plan] = {}


def _plan(cls: type[Message]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _Plan(
            fixed=tuple((f.attr, f.width, f.kind) for f in cls.FIXED),
            fixed_width=sum(f.width for f in cls.FIXED),
            variable={v.code: v for v in cls.VARIABLE},
            variable_order=cls.VARIABLE,
            required_text=tuple(v.attr for v in cls.VARIABLE if v.required and v.kind is VarKind.TEXT),
        )
        _PLANS[cls] = plan
    return plan


__all__ = [
    "DEFAULT_DIALECT",
    "Frame",
    "FrameBuffer",
    "checksum",
    "decode",
    "decode_frame",
    "encode",
    "encode_body",
    "verify_checksum",
]
