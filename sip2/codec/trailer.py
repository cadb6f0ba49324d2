"""The end of a SIP2 frame: the ``AY`` sequence digit, the ``AZ`` checksum, and junk before the code.

Checksum (spec): "the binary sum of the characters including the checksum field identifier
characters (AZ) ... the negative (two's complement) of the sum ... four hexadecimal digits".
"""

from __future__ import annotations

import re

_AZ_RE = re.compile(rb"AZ([0-9A-Fa-f]{1,4})$")
_AY_RE = re.compile(rb"AY(\d)\|?$")
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
_LEADING_JUNK = re.compile(rb"^(?:\xff[\xfb-\xfe].|[\x00\xfb-\xff])+", re.DOTALL)


def checksum(data: bytes) -> str:
    """The 4-digit uppercase hex checksum of *data* (every byte up to and including ``AZ``)."""
    return f"{-sum(data) & 0xFFFF:04X}"


def verify_checksum(data_through_az: bytes, digits: bytes | str) -> bool:
    """Whether *digits* (1-4 hex digits, either case) is the checksum of *data_through_az*."""
    return (sum(data_through_az) + int(digits, 16)) & 0xFFFF == 0


def strip_frame(data: bytes) -> bytes:
    """*data* without its terminator and without telnet/NUL junk before the message code."""
    data = data.strip(b"\r\n")
    if data[:1] in (b"\xff", b"\xfb", b"\xfc", b"\xfd", b"\xfe", b"\x00"):
        data = _LEADING_JUNK.sub(b"", data)
    return data


def split_trailer(data: bytes, fixed_end: int) -> tuple[bytes, int | None, str | None, bool | None]:
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
