"""ZVT data fields: BCD numbers, bitmaps (BMPs) with fixed or LLVAR/LLLVAR length, and BER-TLV.

Sans-IO. Layouts from PA00P015 §1.3 (bitmaps) and §9 (TLV container, BMP ``06``):

* A bitmap is one byte naming the field, then its value. Most have a fixed length; ``LLVAR`` values
  carry two length digits in the low nibbles of ``F0..F9`` bytes (``F0 F8`` = 8 bytes), ``LLLVAR`` three.
* BMP ``06`` is a TLV container with a BER length (``< 80`` one byte, ``81 xx``, ``82 hi lo``); tags
  whose low five bits are all set continue while the next byte has bit 8 set (``1F 16``); a tag with
  bit 6 (``20``) set is constructed and holds more TLVs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.errors import DeviceProtocolError

LLVAR, LLLVAR, TLV = -2, -3, -6

# Value length per BMP (P015 §1.3 "List of bitmaps", cross-checked with ecrterm's table); negative:
# variable (see constants above). A BMP missing here cannot be skipped: parsing stops at it.
BMP_LENGTHS: dict[int, int] = {
    0x01: 1,  # timeout (vending: seconds to wait for the ECR's answer)
    0x02: 1,  # max. number of status-informations
    0x03: 1,  # service byte
    0x04: 6,  # amount, BCD cents
    0x05: 1,  # pump number
    0x06: TLV,
    0x0B: 3,  # trace number, BCD
    0x0C: 3,  # time HHMMSS, BCD
    0x0D: 2,  # date MMDD, BCD
    0x0E: 2,  # expiry YYMM, BCD (never stored)
    0x17: 2,  # card sequence number, BCD
    0x19: 1,  # payment type / status byte
    0x22: LLVAR,  # PAN / EF_ID, masked digits as nibble E
    0x23: LLVAR,  # track 2 (never requested)
    0x24: LLLVAR,  # track 3 (never requested)
    0x27: 1,  # result code
    0x29: 4,  # terminal id, BCD
    0x2A: 15,  # merchant (VU) number, ASCII
    0x2D: LLVAR,  # track 1 (never requested)
    0x2E: LLLVAR,  # synchronous chip data
    0x37: 3,  # trace number of the original transaction
    0x3A: 2,  # CVV (never requested)
    0x3B: 8,  # authorisation attribute (AID)
    0x3C: LLLVAR,  # additional text
    0x3D: 3,  # password
    0x49: 2,  # currency code, BCD (0978 = EUR)
    0x60: LLLVAR,  # individual totals (End-of-Day)
    0x87: 2,  # receipt number, BCD
    0x88: 3,  # turnover number, BCD
    0x8A: 1,  # card type
    0x8B: LLVAR,  # card name
    0x8C: 1,  # card type id of the network operator
    0x92: LLLVAR,  # additional data (ec-Cash with chip)
    0x9A: LLLVAR,  # Geldkarte payment flow data
    0xA0: 1,  # result code AS
    0xA7: LLVAR,  # chip data
    0xAA: 3,  # date YYMMDD, BCD (newer terminals; see 0D)
    0xAF: LLLVAR,  # EF_Info
    0xBA: 5,  # AID parameter
    0xD0: 1,  # algorithm key
    0xD1: LLVAR,  # card offset / PIN data
    0xD2: 1,  # direct debit
    0xD3: 1,  # number of the card in the card reader
    0xE0: 1,  # min. PIN length
    0xE1: LLVAR,
    0xE2: LLVAR,
    0xE3: LLVAR,
    0xE4: LLVAR,
    0xE5: LLVAR,
    0xE6: LLVAR,
    0xE7: LLVAR,
    0xE8: LLVAR,
    0xE9: 1,  # max. length of the input
    0xEA: 1,  # echo the input
    0xEB: 8,  # MAC over text 1 and text 2
    0xF0: 1,  # display duration
    0xF1: LLVAR,
    0xF2: LLVAR,
    0xF3: LLVAR,
    0xF4: LLVAR,
    0xF5: LLVAR,
    0xF6: LLVAR,
    0xF7: LLVAR,
    0xF8: LLVAR,
    0xF9: 1,  # beeps
    0xFA: 1,  # status
    0xFB: 1,  # ok required
    0xFC: 1,  # timeout
    0xFD: 1,  # input
    0xFE: 1,  # RS-232 baud rate
}


def bcd_encode(number: int, size: int) -> bytes:
    """Encode a non-negative integer as ``size`` bytes of packed BCD (``1250, 6`` → ``000000001250``)."""
    if number < 0 or number >= 10 ** (2 * size):
        raise ValueError(f"{number} does not fit in {size} BCD bytes")
    return bytes.fromhex(f"{number:0{2 * size}d}")


def bcd_decode(value: bytes) -> int:
    """Decode packed BCD; raise :class:`DeviceProtocolError` on a nibble that is not a digit."""
    text = value.hex()
    if not text.isdigit():
        raise DeviceProtocolError("BCD field holds a non-digit nibble")
    return int(text) if text else 0


def bcd_text(value: bytes) -> str:
    """Packed BCD as its digit string, keeping leading zeros (terminal ids, receipt numbers)."""
    bcd_decode(value)
    return value.hex()


def password_bcd(password: str) -> bytes:
    """The 6-digit terminal password as 3 BCD bytes (sent in clear, P015 §2.1); never log the result."""
    if len(password) != 6 or not password.isdigit():
        raise ValueError("the terminal password is exactly 6 digits")
    return bytes.fromhex(password)


def var_length_prefix(n: int, digits: int) -> bytes:
    """The ``F0..F9`` length prefix of an LLVAR (2 digits) or LLLVAR (3 digits) field."""
    if n >= 10**digits:
        raise ValueError(f"{n} bytes do not fit a {digits}-digit length")
    return bytes(0xF0 | int(d) for d in f"{n:0{digits}d}")


def ber_length(n: int) -> bytes:
    """A BER-TLV length field."""
    if n < 0x80:
        return bytes((n,))
    if n <= 0xFF:
        return bytes((0x81, n))
    if n <= 0xFFFF:
        return bytes((0x82, n >> 8, n & 0xFF))
    raise ValueError("TLV value too long")


def _read_var_length(data: bytes, pos: int, digits: int) -> tuple[int, int]:
    if pos + digits > len(data):
        raise DeviceProtocolError("variable-length field cut off in its length")
    n = 0
    for b in data[pos : pos + digits]:
        if b >> 4 != 0xF or (b & 0x0F) > 9:
            raise DeviceProtocolError(f"bad LLVAR length byte {b:02X}")
        n = n * 10 + (b & 0x0F)
    return n, pos + digits


def _read_ber_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise DeviceProtocolError("TLV length missing")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(data):
        raise DeviceProtocolError(f"bad TLV length byte {first:02X}")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


@dataclass(frozen=True)
class Tlv:
    """One BER-TLV element; ``children`` are parsed when the tag is constructed."""

    tag: int
    value: bytes
    children: tuple[Tlv, ...] = field(default=())

    def find(self, tag: int) -> Tlv | None:
        """The first descendant (depth first) with ``tag``."""
        return find_tlv(self.children, tag)


def find_tlv(items: tuple[Tlv, ...] | list[Tlv], tag: int) -> Tlv | None:
    """Search a TLV list (and nested constructed tags, depth first) for ``tag``."""
    for item in walk_tlv(items):
        if item.tag == tag:
            return item
    return None


def walk_tlv(items: tuple[Tlv, ...] | list[Tlv]) -> list[Tlv]:
    """Every element of a TLV list and of its nested constructed tags, depth first (iterative)."""
    out: list[Tlv] = []
    stack = list(reversed(items))
    while stack:
        item = stack.pop()
        out.append(item)
        stack.extend(reversed(item.children))
    return out


def _tag_is_constructed(tag: int) -> bool:
    first = tag
    while first > 0xFF:
        first >>= 8
    return bool(first & 0x20)


#: Deepest nesting of constructed TLV tags we read. Terminals nest two or three levels (P015 §9: a
#: container 26 holding 0A elements, a text block 25 holding 07 lines); anything deeper is refused.
MAX_TLV_DEPTH = 8


@dataclass
class _Level:
    """One constructed TLV being parsed (or the top level): its value, where we are, its children."""

    data: bytes
    tag: int | None = None
    pos: int = 0
    items: list[Tlv] = field(default_factory=list)


def _read_tlv_head(data: bytes, pos: int) -> tuple[int, int, int]:
    """``(tag, value length, position of the value)`` of the TLV element starting at ``pos``."""
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # multi-byte tag: continue while bit 8 is set
        while True:
            if pos >= len(data):
                raise DeviceProtocolError("TLV tag cut off")
            tag = (tag << 8) | data[pos]
            pos += 1
            if not data[pos - 1] & 0x80:
                break
            if tag > 0xFFFFFF:
                raise DeviceProtocolError("TLV tag too long")
    n, pos = _read_ber_length(data, pos)
    if pos + n > len(data):
        raise DeviceProtocolError(f"TLV {tag:X} value cut off")
    return tag, n, pos


def parse_tlv(data: bytes, max_depth: int = MAX_TLV_DEPTH) -> tuple[Tlv, ...]:
    """Parse a TLV list (the value of BMP ``06``); raise :class:`DeviceProtocolError` if malformed or
    nested deeper than ``max_depth``. Iterative (an explicit stack), so no input can exhaust Python's
    recursion limit."""
    stack = [_Level(data)]
    while True:
        level = stack[-1]
        if level.pos >= len(level.data):
            stack.pop()
            if not stack:
                return tuple(level.items)
            assert level.tag is not None
            stack[-1].items.append(Tlv(level.tag, level.data, tuple(level.items)))
            continue
        tag, n, pos = _read_tlv_head(level.data, level.pos)
        value = level.data[pos : pos + n]
        level.pos = pos + n
        if _tag_is_constructed(tag):
            if len(stack) > max_depth:
                raise DeviceProtocolError(f"TLV nested deeper than {max_depth} levels")
            stack.append(_Level(value, tag))
        else:
            level.items.append(Tlv(tag, value))


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Encode one primitive TLV element (tag given as an int, e.g. ``0x1F70``)."""
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(size, "big") + ber_length(len(value)) + value


def encode_bmp(bmp: int, value: bytes) -> bytes:
    """Encode one bitmap with its value, adding the length prefix for variable fields."""
    kind = BMP_LENGTHS.get(bmp)
    if kind is None:
        raise ValueError(f"unknown BMP {bmp:02X}")
    if kind == LLVAR:
        return bytes((bmp,)) + var_length_prefix(len(value), 2) + value
    if kind == LLLVAR:
        return bytes((bmp,)) + var_length_prefix(len(value), 3) + value
    if kind == TLV:
        return bytes((bmp,)) + ber_length(len(value)) + value
    if len(value) != kind:
        raise ValueError(f"BMP {bmp:02X} takes {kind} bytes, got {len(value)}")
    return bytes((bmp,)) + value


@dataclass(frozen=True)
class Bitmaps:
    """The bitmaps of one APDU, in order; ``unknown`` names a BMP where parsing had to stop (what
    follows it, from that BMP on, is unparsed: its length is unknown, so nothing after it can be read)."""

    items: tuple[tuple[int, bytes], ...]
    unknown: int | None = None

    def get(self, bmp: int) -> bytes | None:
        """The value of the first occurrence of ``bmp``."""
        for key, value in self.items:
            if key == bmp:
                return value
        return None

    def __contains__(self, bmp: object) -> bool:
        return any(key == bmp for key, _ in self.items)


def parse_bitmaps(data: bytes, lenient: bool = False) -> Bitmaps:
    """Parse ``BMP value`` pairs.

    An unknown BMP cannot be skipped (its length is unknown). Strict parsing raises; ``lenient`` parsing
    stops there and records it, so an approved Status-Information is never lost over one odd field.
    Malformed known fields always raise :class:`DeviceProtocolError`.
    """
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        bmp = data[pos]
        kind = BMP_LENGTHS.get(bmp)
        if kind is None:
            if lenient:
                return Bitmaps(tuple(items), unknown=bmp)
            raise DeviceProtocolError(f"unknown BMP {bmp:02X}")
        pos += 1
        if kind == LLVAR:
            n, pos = _read_var_length(data, pos, 2)
        elif kind == LLLVAR:
            n, pos = _read_var_length(data, pos, 3)
        elif kind == TLV:
            n, pos = _read_ber_length(data, pos)
        else:
            n = kind
        if pos + n > len(data):
            raise DeviceProtocolError(f"BMP {bmp:02X} cut off")
        items.append((bmp, data[pos : pos + n]))
        pos += n
    return Bitmaps(tuple(items))
