"""The Danish model (DS/INF 163) = the ISO 28560-3 basic block: decode and encode.

Layout of the (truncated, 32-byte) basic block, from notes/rfid.md §1.2 (libdanrfid, go-feig, rfidgeek):

    byte 0       high nibble: data model version (1); low nibble: type of usage (ISO 28560-1)
    byte 1       number of parts in the set      byte 2   this part's number (1…n)
    bytes 3–18   primary item id, ASCII, NUL-padded (16 characters at most)
    bytes 19–20  CRC-16/CCITT-FALSE, LSB first, over bytes 0–18 and 21–31 plus two 0x00 bytes
                 (the two bytes a full 34-byte basic block would hold at 32–33)
    bytes 21–22  country of the owner library (ISO 3166 alpha-2)
    bytes 23–31  owner library (the ISIL without its country prefix), NUL-padded

Vendor deviations (notes §1.2): FKI stores every 4-byte block reversed ("msb-first"; FEIG readers also
transfer blocks that way, so a careless writer makes such tags), and Bibliotheca swaps the nibbles of
byte 0. The decoder tries both block orders and both nibble orders and accepts an interpretation only if
its CRC checks and byte 0 then says version 1; two interpretations that check but disagree are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import TagDataError
from drivers.rfid.models.core import TagData, country_of, reverse_blocks, text_field, usage_from_category
from drivers.rfid.models.crc import crc16_ccitt_false

MODEL = "danish"
VERSION = 1
BASIC_BLOCK = 32
FULL_BASIC_BLOCK = 34
ID_WIDTH = 16
LIBRARY_WIDTH = 9
EXTENSION_MARKER = 0x01  # byte 3 = 0x01: the id is longer than 16 and sits in an extension block

LSB_FIRST = "lsb-first"
MSB_FIRST = "msb-first"
NIBBLE_SWAPPED = "nibble-swapped"
VARIANTS = (LSB_FIRST, MSB_FIRST, f"{LSB_FIRST}/{NIBBLE_SWAPPED}", f"{MSB_FIRST}/{NIBBLE_SWAPPED}")

_CATEGORY_BY_USAGE = {
    "acquisition": 0,
    "item-circulating": 1,
    "item-not-circulating": 2,
    "local-use": 3,
    "no-information": 6,
    "discarded": 7,
    "patron-card": 8,
    "library-equipment": 9,
}


def danish_crc(block: bytes) -> int:
    """The basic block's CRC over a 32- (truncated) or 34-byte (full) basic block; bytes 19–20 skipped."""
    tail = block[21:FULL_BASIC_BLOCK] if len(block) >= FULL_BASIC_BLOCK else block[21:BASIC_BLOCK] + b"\0\0"
    return crc16_ccitt_false(block[:19] + tail)


def _swap_nibbles(byte: int) -> int:
    return ((byte << 4) | (byte >> 4)) & 0xFF


def _crc_basis(data: bytes) -> bool | None:
    """``False`` if the CRC checks over the truncated block, ``True`` over the full one, else ``None``."""
    stored = data[19] | data[20] << 8
    if danish_crc(data[:BASIC_BLOCK]) == stored:
        return False
    # A tag with room for the full 34-byte basic block may carry an 11-character library there.
    if len(data) >= FULL_BASIC_BLOCK and danish_crc(data[:FULL_BASIC_BLOCK]) == stored:
        return True
    return None


def _fields(data: bytes, variant: str, full: bool) -> TagData:
    """The fields of a basic block whose CRC and version already checked (``data[0]`` canonical)."""
    usage_nibble = data[0] & 0x0F
    parts, part = data[1], data[2]
    # A CRC-valid tag with 0 in the set fields comes from a writer that left them out: one part.
    parts, part = max(parts, 1), max(part, 1)
    if part > parts:
        raise TagDataError(f"danish: part {part} of a set of {parts}")
    if data[3] == EXTENSION_MARKER:
        raise TagDataError("danish: the item id sits in an extension block (longer than 16 characters)")
    item_id = text_field(data[3:19], "danish item id")
    # The CRC already proves the model; an odd owner field only means the owner is unknown, so it is
    # shown raw (for the technician) instead of making the item unreadable.
    extra: list[tuple[str, str]] = []
    raw_country = data[21:23]
    try:
        country = text_field(raw_country, "danish country", required=False) or None
    except TagDataError:
        country = None
    if country is not None and not (len(country) == 2 and country.isalpha()):
        country = None
    if country is None and any(raw_country):
        extra.append(("country_raw", raw_country.hex()))
    raw_library = data[23 : FULL_BASIC_BLOCK if full else BASIC_BLOCK]
    try:
        library = text_field(raw_library, "danish library", required=False) or None
    except TagDataError:
        library = None
        extra.append(("library_raw", raw_library.hex()))
    isil = f"{country}-{library}" if country and library else library
    return TagData(
        MODEL,
        variant,
        item_id,
        isil,
        country,
        parts,
        part,
        usage_from_category(usage_nibble),
        usage_nibble,
        tuple(extra),
    )


def decode_danish(blocks: bytes, *, block_size: int = 4) -> TagData:
    """Decode a Danish-model tag; raise :class:`TagDataError` unless exactly one variant checks."""
    if len(blocks) < BASIC_BLOCK:
        raise TagDataError(f"danish: {len(blocks)} bytes, the basic block needs {BASIC_BLOCK}")
    found: dict[TagData, None] = {}
    objections: list[str] = []
    for order in (LSB_FIRST, MSB_FIRST):
        data = blocks if order == LSB_FIRST else reverse_blocks(blocks, block_size)
        for swapped in (False, True):
            canonical = bytes([_swap_nibbles(data[0])]) + data[1:] if swapped else data
            if canonical[0] >> 4 != VERSION:
                continue
            if swapped and canonical == data:
                continue  # 0x11 reads the same both ways: that is the unswapped variant
            # The CRC covers byte 0 as stored; accept a writer that swapped after computing it too.
            full = _crc_basis(data)
            if full is None and swapped:
                full = _crc_basis(canonical)
            if full is None:
                continue
            variant = f"{order}/{NIBBLE_SWAPPED}" if swapped else order
            try:
                decoded = _fields(canonical, variant, full)
            except TagDataError as error:
                objections.append(str(error))
                continue
            found[decoded] = None
    if not found:
        raise TagDataError(objections[0] if objections else "danish: no byte order gives a valid CRC")
    results = list(found)
    first = results[0]
    if any(
        (r.item_id, r.owner_isil, r.parts_in_set, r.part_number, r.raw_usage)
        != (first.item_id, first.owner_isil, first.parts_in_set, first.part_number, first.raw_usage)
        for r in results[1:]
    ):
        raise TagDataError("danish: two byte orders give a valid CRC but different data")
    return first


def encode_danish(data: TagData, *, block_size: int = 4, variant: str = LSB_FIRST) -> bytes:
    """The 32-byte truncated basic block for ``data`` as stored on a tag of ``variant`` (see module doc).

    The library is ``owner_isil`` without the ``country-`` prefix. Raises :class:`TagDataError` when
    the data does not fit the model (id longer than 16 ASCII characters, library longer than 9, …).
    """
    if variant not in VARIANTS:
        raise TagDataError(f"danish: unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    if block_size < 1 or BASIC_BLOCK % block_size:
        raise TagDataError(f"danish: block size {block_size} does not divide {BASIC_BLOCK}")
    if data.raw_usage is not None:
        category = data.raw_usage
    elif data.usage in _CATEGORY_BY_USAGE:
        category = _CATEGORY_BY_USAGE[data.usage]
    else:
        raise TagDataError(f"danish: no type of usage for {data.usage!r}")
    if not 0 <= category <= 0x0F:
        raise TagDataError(f"danish: type of usage {category} does not fit a nibble")
    if not (1 <= data.parts_in_set <= 255 and 1 <= data.part_number <= data.parts_in_set):
        raise TagDataError(f"danish: part {data.part_number} of {data.parts_in_set} cannot be encoded")
    item_id = _ascii(data.item_id, ID_WIDTH, "item id")
    if not item_id or item_id[0] == EXTENSION_MARKER:
        raise TagDataError("danish: the item id is empty or starts with a control character")
    country_text = data.country or (country_of(data.owner_isil) if data.owner_isil else None) or ""
    country = _ascii(country_text, 2, "country")
    if country and len(country) != 2:
        raise TagDataError("danish: the country has two letters")
    library_text = data.owner_isil or ""
    if country_text and library_text.upper().startswith(f"{country_text.upper()}-"):
        library_text = library_text[len(country_text) + 1 :]
    library = _ascii(library_text, LIBRARY_WIDTH, "library")
    block = bytearray(BASIC_BLOCK)
    block[0] = VERSION << 4 | category
    block[1], block[2] = data.parts_in_set, data.part_number
    block[3 : 3 + len(item_id)] = item_id
    block[21 : 21 + len(country)] = country
    block[23 : 23 + len(library)] = library
    if variant.endswith(NIBBLE_SWAPPED):
        block[0] = _swap_nibbles(block[0])
    crc = danish_crc(bytes(block))
    block[19], block[20] = crc & 0xFF, crc >> 8
    stored = bytes(block)
    return reverse_blocks(stored, block_size) if variant.startswith(MSB_FIRST) else stored


def _ascii(text: str, width: int, what: str) -> bytes:
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise TagDataError(f"danish: the {what} {text!r} is not ASCII") from None
    if len(raw) > width or not text.isprintable() or "\0" in text:
        raise TagDataError(f"danish: the {what} {text!r} is longer than {width} or not printable")
    return raw


@dataclass(frozen=True)
class DanishModel:
    """The Danish model / ISO 28560-3 basic block as a :class:`~drivers.rfid.models.core.TagModel`."""

    block_size: int = 4

    @property
    def name(self) -> str:
        """``"danish"``."""
        return MODEL

    def decode(self, blocks: bytes) -> TagData:
        """See :func:`decode_danish`."""
        return decode_danish(blocks, block_size=self.block_size)
