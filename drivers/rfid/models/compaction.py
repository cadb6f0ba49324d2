"""ISO/IEC 15962 compaction schemes as ISO 28560-2 uses them (our reading; see docs/rfid-models.md).

The precursor byte of a data element names its compaction (bits 6–4). What is coded here:

    1 integer     the digits as one unsigned big-endian binary number (no leading zeros)
    2 numeric     the digits with a "1" put in front (so leading zeros survive), then as integer
    3 5-bit       characters 0x40–0x5F ("@", "A"–"Z", "[\\]^_") by their low 5 bits, packed MSB first
    4 6-bit       characters 0x20–0x5F by their low 6 bits, packed MSB first
    5 7-bit       US-ASCII, 7 bits each, packed MSB first
    6 octet       ISO/IEC 8859-1, one byte each
    7 UTF-8

Packed codes end with zero padding bits; a trailing all-zero code that fits entirely in the padding is
padding, not a character (so "@" and NUL cannot end a packed string; item ids never do).
The owner ISIL uses ISO 28560-2's own "application-defined" ISIL compaction: an upper-case and a lower-case
5-bit table and a 4-bit numeric table with latch and shift codes (as City of Helsinki's decoder reads
Finnish tags); we pad with one-bits, which decode as an unfinished shift and are dropped.

**Confidence: MEDIUM.** The standard itself was not available; this follows notes/rfid.md §1.3 and is
checked only against our own encoder. Confirm with a dump of a real foreign tag before relying on it.
"""

from __future__ import annotations

from drivers.errors import TagDataError

APPLICATION, INTEGER, NUMERIC, FIVE_BIT, SIX_BIT, SEVEN_BIT, OCTET, UTF8 = range(8)

# Codes 0–27 are characters; 28/29 latch/shift to the other letter case, 30/31 latch/shift numeric.
_UPPER = "-ABCDEFGHIJKLMNOPQRSTUVWXYZ:"
_LOWER = "-abcdefghijklmnopqrstuvwxyz/"
_DIGITS = "0123456789-:"  # codes 0–11; 12 latch upper, 13 shift upper, 14 latch lower, 15 shift lower
_MODES = {"upper": (_UPPER, 5), "lower": (_LOWER, 5), "numeric": (_DIGITS, 4)}
# For each mode: switch code → (target mode, is_shift).
_SWITCHES = {
    "upper": {28: ("lower", False), 29: ("lower", True), 30: ("numeric", False), 31: ("numeric", True)},
    "lower": {28: ("upper", False), 29: ("upper", True), 30: ("numeric", False), 31: ("numeric", True)},
    "numeric": {12: ("upper", False), 13: ("upper", True), 14: ("lower", False), 15: ("lower", True)},
}


_PACKED = {FIVE_BIT: (5, 0x41, 0x5F), SIX_BIT: (6, 0x20, 0x5F), SEVEN_BIT: (7, 1, 0x7F)}  # width, range


def _bits(data: bytes) -> str:
    return "".join(f"{byte:08b}" for byte in data)


def _pack(bits: str, pad: str = "0") -> bytes:
    bits += pad * (-len(bits) % 8)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))


def _unpack_codes(data: bytes, width: int) -> list[int]:
    bits = _bits(data)
    codes = [int(bits[i : i + width], 2) for i in range(0, len(bits) - width + 1, width)]
    rest = len(bits) - len(codes) * width
    if codes and codes[-1] == 0 and rest + width < 8:
        codes.pop()  # the last code lies wholly in the final byte's zero padding
    return codes


def decode_compacted(compaction: int, data: bytes) -> str:
    """The text of a data element stored with ``compaction`` (1–7); raises :class:`TagDataError`."""
    if compaction in (INTEGER, NUMERIC):
        if not data:
            raise TagDataError("iso28560-2: empty number")
        digits = str(int.from_bytes(data, "big"))
        if compaction == NUMERIC:
            if not digits.startswith("1"):
                raise TagDataError("iso28560-2: numeric compaction without its leading 1")
            digits = digits[1:]
        return digits
    if compaction == FIVE_BIT:
        text = "".join(chr(0x40 | code) for code in _unpack_codes(data, 5))
    elif compaction == SIX_BIT:
        text = "".join(chr(code if code >= 0x20 else 0x40 | code) for code in _unpack_codes(data, 6))
    elif compaction == SEVEN_BIT:
        text = "".join(chr(code) for code in _unpack_codes(data, 7))
    elif compaction == OCTET:
        text = data.decode("latin-1")
    elif compaction == UTF8:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TagDataError("iso28560-2: invalid UTF-8") from None
    else:
        raise TagDataError(f"iso28560-2: compaction {compaction} is not a text compaction")
    if not text.isprintable():
        raise TagDataError("iso28560-2: control characters in a text element")
    return text


def best_compaction(text: str) -> int:
    """The densest compaction :func:`encode_compacted` can store ``text`` with."""
    if text.isdigit() and text.isascii():
        return INTEGER if text[0] != "0" and len(text) > 1 else NUMERIC
    if text and all(0x41 <= ord(c) <= 0x5F for c in text):
        return FIVE_BIT
    if text and all(0x20 <= ord(c) <= 0x5F and c != "@" for c in text):
        return SIX_BIT
    if text and all(0x01 <= ord(c) <= 0x7F for c in text):
        return SEVEN_BIT
    if all(ord(c) <= 0xFF for c in text):
        return OCTET
    return UTF8


def encode_compacted(compaction: int, text: str) -> bytes:
    """``text`` stored with ``compaction``; raises :class:`TagDataError` if it cannot hold it."""
    if compaction in (INTEGER, NUMERIC):
        leading_zero = compaction == INTEGER and len(text) > 1 and text[0] == "0"
        if not (text.isascii() and text.isdigit()) or leading_zero:
            raise TagDataError(f"iso28560-2: {text!r} cannot be stored as an integer")
        number = int(("1" if compaction == NUMERIC else "") + text)
        return number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    if compaction in (FIVE_BIT, SIX_BIT, SEVEN_BIT):
        width, low, high = _PACKED[compaction]
        if not all(low <= ord(c) <= high for c in text) or (compaction == SIX_BIT and "@" in text):
            raise TagDataError(f"iso28560-2: {text!r} does not fit {width}-bit compaction")
        mask = (1 << width) - 1
        return _pack("".join(f"{ord(c) & mask:0{width}b}" for c in text))
    if compaction == OCTET:
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError:
            raise TagDataError(f"iso28560-2: {text!r} is not ISO 8859-1") from None
    if compaction == UTF8:
        return text.encode("utf-8")
    raise TagDataError(f"iso28560-2: compaction {compaction} is not a text compaction")


def decode_isil(data: bytes) -> str:
    """An owner ISIL in ISO 28560-2's ISIL compaction (see module docstring)."""
    bits = _bits(data)
    latched, pos, out = "upper", 0, []
    mode, shifted = latched, False
    while True:
        table, width = _MODES[mode]
        if pos + width > len(bits):
            break
        code = int(bits[pos : pos + width], 2)
        pos += width
        if code < len(table):
            out.append(table[code])
            mode, shifted = latched, False
            continue
        target, is_shift = _SWITCHES[mode][code]
        if shifted:
            raise TagDataError("iso28560-2: a shift code right after a shift in the ISIL")
        if is_shift:
            mode, shifted = target, True
        else:
            latched = mode = target
    isil = "".join(out).rstrip("-")
    if not isil:
        raise TagDataError("iso28560-2: empty ISIL")
    return isil


def encode_isil(isil: str) -> bytes:
    """``isil`` in ISO 28560-2's ISIL compaction (latching to the table of every next character)."""
    bits, mode = [], "upper"
    for char in isil:
        table, width = _MODES[mode]
        if char not in table:
            target = next((m for m in ("upper", "lower", "numeric") if char in _MODES[m][0]), None)
            if target is None:
                raise TagDataError(f"iso28560-2: {char!r} cannot be stored in ISIL compaction")
            latch = next(code for code, (to, shift) in _SWITCHES[mode].items() if to == target and not shift)
            bits.append(f"{latch:0{width}b}")
            mode = target
            table, width = _MODES[mode]
        bits.append(f"{table.index(char):0{width}b}")
    return _pack("".join(bits), pad="1")
