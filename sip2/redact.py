"""A redacted, log-safe text form of SIP2 messages and raw frames.

Passwords (CO login, AC terminal, AD patron PIN) are removed entirely; patron and item ids (AA, AB,
CY) become short salted hashes (the salt is random per process, so the hashes correlate log lines
of one run but cannot be looked up); personal data and titles (AE, BD, BE, BF, DA, AJ, AF, AG, AL,
vendor fields) are reduced to their length.  ``sip2`` cannot import ``kiosk.logsetup``, so it
carries this small equivalent of its own.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sip2.fields import ID_FIELDS, SECRET_FIELDS, PatronStatus
from sip2.messages import Message, VarKind

_SALT = secrets.token_bytes(16)
#: Variable fields whose values are safe to log as they are (codes, flags, amounts, locations).
SAFE_FIELDS = frozenset(
    {
        "AO",
        "AH",
        "AM",
        "AN",
        "AP",
        "AQ",
        "BH",
        "BK",
        "BL",
        "BO",
        "BI",
        "BP",
        "BQ",
        "BR",
        "BT",
        "BV",
        "BW",
        "BX",
        "BY",
        "BZ",
        "CA",
        "CB",
        "CC",
        "CF",
        "CG",
        "CH",
        "CI",
        "CJ",
        "CK",
        "CL",
        "CM",
        "CN",
        "CP",
        "CQ",
        "CR",
        "CS",
        "CT",
        "CV",
        "AY",
        "AZ",
    }
)
_WIRE_FIELD = re.compile(r"(?<=[|0-9 NYU])([A-Z]{2})([^|]*)(?=\|)")


def short_hash(value: str) -> str:
    """An 8-hex-digit salted hash of an identifier (``#`` prefixed in redacted text)."""
    return hashlib.blake2s(value.encode("utf-8"), key=_SALT, digest_size=4).hexdigest()


def _field(code: str, value: str) -> str | None:
    if code in SECRET_FIELDS:
        return None
    if code in ID_FIELDS:
        return f"{code}=#{short_hash(value)}" if value else f"{code}="
    if code in SAFE_FIELDS:
        return f"{code}={value}"
    return f"{code}=<{len(value)} chars>"


def redact(message: Message) -> str:
    """``"11 CheckoutRequest AO=WIERDEN AA=#1a2b3c4d AB=#... ..."`` without secrets or personal data."""
    cls = type(message)
    parts = [cls.CODE, cls.__name__]
    for fixed in cls.FIXED:
        value = getattr(message, fixed.attr)
        if isinstance(value, PatronStatus):
            value = ",".join(value.active()) or "-"
        parts.append(f"{fixed.attr}={value}")
    for var in cls.VARIABLE:
        value = getattr(message, var.attr)
        if value is None:
            continue
        values = value if var.kind is VarKind.REPEAT else (value,)
        for item in values:
            text = _field(var.code, str(item))
            if text is not None:
                parts.append(text)
    for code, value in message.extra_fields:
        text = _field(code, value)
        if text is not None:
            parts.append(text)
    return " ".join(parts)


def redact_wire(data: bytes, encoding: str = "cp850") -> str:
    """A raw frame as text with the same redaction (for transcripts of unparseable traffic)."""
    text = data.decode(encoding, errors="replace").rstrip("\r\n")

    def replace(match: re.Match[str]) -> str:
        """One field, redacted by its code."""
        code, value = match.group(1), match.group(2)
        if code in SECRET_FIELDS:
            return f"{code}***"
        if code in ID_FIELDS:
            return f"{code}#{short_hash(value)}"
        if code in SAFE_FIELDS:
            return match.group(0)
        return f"{code}<{len(value)} chars>"

    return _WIRE_FIELD.sub(replace, text)
