"""ISO 28560-2: library data elements encoded by ISO/IEC 15962 rules (Finnish, Swedish, … tags).

Not used in the Netherlands; decoded so that a foreign library's item on the pad is recognised and named
(notes/rfid.md §1.3). User memory is a chain of data elements, each

    precursor   bit 7 offset flag, bits 6–4 compaction (see :mod:`.compaction`), bits 3–0 relative OID
                (15 = an extension byte follows holding relative OID − 15)
    [offset]    only when the flag is set: the number of padding bytes after the data
    length      one byte (0–127), the length of the data in bytes
    data

ended by a 0x00 precursor (or by the end of memory). Relative OIDs: 1 primary item id (first, always),
2 content parameter, 3 owner library ISIL, 4 set information, 5 type of usage, 6 shelf location, …, 26.

Strict plausibility instead of a checksum (the format has none): the first element is the primary item
id, every element parses and decodes, no OID repeats, the set information is consistent, and the chain
ends cleanly. Set information is read as a digit string whose first half is the number of parts and
second half the part number ("0302" = part 2 of 3) — MEDIUM confidence, see :mod:`.compaction`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from drivers.errors import TagDataError
from drivers.rfid.models import compaction as cp
from drivers.rfid.models.core import TagData, country_of, usage_from_category

MODEL = "iso28560-2"
PRIMARY_ITEM_ID, CONTENT_PARAMETER, OWNER_ISIL, SET_INFORMATION, TYPE_OF_USAGE = 1, 2, 3, 4, 5
LAST_OID = 26
OID_NAMES = {
    1: "primary_item_id",
    2: "content_parameter",
    3: "owner_isil",
    4: "set_information",
    5: "type_of_usage",
    6: "shelf_location",
    7: "onix_media_format",
    8: "marc_media_format",
    9: "supplier_id",
    10: "order_number",
    11: "ill_borrowing_isil",
    12: "ill_transaction_number",
    13: "gs1_product_id",
    14: "alternative_unique_id",
    15: "local_data_a",
    16: "local_data_b",
    17: "title",
    18: "product_id_local",
    19: "media_format_other",
    20: "supply_chain_stage",
    21: "supplier_invoice_number",
    22: "alternative_item_id",
    23: "alternative_owner_id",
    24: "subsidiary_of_owner",
    25: "alternative_ill_institution",
    26: "local_data_c",
}


@dataclass(frozen=True)
class Element:
    """One data element as stored: relative OID, compaction code and data bytes."""

    oid: int
    compaction: int
    data: bytes


def iter_elements(memory: bytes) -> Iterator[Element]:
    """The data elements of ``memory`` up to the terminator; raises :class:`TagDataError` on bad framing."""
    pos = 0
    while pos < len(memory):
        precursor = memory[pos]
        pos += 1
        if precursor == 0:
            return
        has_offset, compaction, oid = precursor & 0x80, (precursor >> 4) & 0x07, precursor & 0x0F
        if oid == 0x0F:
            if pos >= len(memory):
                raise TagDataError("iso28560-2: memory ends inside a precursor")
            oid += memory[pos]
            pos += 1
        padding = 0
        if has_offset:
            if pos >= len(memory):
                raise TagDataError("iso28560-2: memory ends inside a precursor")
            padding = memory[pos]
            pos += 1
        if pos >= len(memory):
            raise TagDataError("iso28560-2: memory ends before a length byte")
        length = memory[pos]
        pos += 1
        if length & 0x80:
            raise TagDataError("iso28560-2: a length over 127 bytes")
        if pos + length + padding > len(memory):
            raise TagDataError("iso28560-2: a data element runs past the end of memory")
        yield Element(oid, compaction, memory[pos : pos + length])
        pos += length + padding


def _set_information(text: str) -> tuple[int, int]:
    if not (text.isascii() and text.isdigit()):
        raise TagDataError("iso28560-2: set information is not digits")
    if len(text) % 2:
        text = "0" + text  # integer compaction drops the leading zero of "0302"
    half = len(text) // 2
    parts, part = int(text[:half]), int(text[half:])
    if not 1 <= part <= parts:
        raise TagDataError(f"iso28560-2: set information {text!r} is not part n of m")
    return parts, part


def decode_iso28560_2(blocks: bytes) -> TagData:
    """Decode ISO 28560-2 user memory (tag order); raise :class:`TagDataError` unless it is well formed."""
    values: dict[int, Element] = {}
    for element in iter_elements(blocks):
        if not values and element.oid != PRIMARY_ITEM_ID:
            raise TagDataError("iso28560-2: the first data element is not the primary item id")
        if element.oid in values:
            raise TagDataError(f"iso28560-2: data element {element.oid} twice")
        if not 1 <= element.oid <= LAST_OID:
            raise TagDataError(f"iso28560-2: relative OID {element.oid} is not a library data element")
        values[element.oid] = element
    if not values:
        raise TagDataError("iso28560-2: no data elements")
    item = values[PRIMARY_ITEM_ID]
    if item.compaction == cp.APPLICATION:
        raise TagDataError("iso28560-2: the primary item id has no text compaction")
    item_id = cp.decode_compacted(item.compaction, item.data)
    if not item_id:
        raise TagDataError("iso28560-2: empty primary item id")
    isil = country = None
    if OWNER_ISIL in values:
        owner = values[OWNER_ISIL]
        isil = (
            cp.decode_isil(owner.data)
            if owner.compaction == cp.APPLICATION
            else cp.decode_compacted(owner.compaction, owner.data)
        )
        country = country_of(isil)
    parts = part = 1
    if SET_INFORMATION in values:
        element = values[SET_INFORMATION]
        if element.compaction == cp.APPLICATION:
            raise TagDataError("iso28560-2: set information has no text compaction")
        parts, part = _set_information(cp.decode_compacted(element.compaction, element.data))
    usage, raw_usage = "no-information", None
    if TYPE_OF_USAGE in values:
        element = values[TYPE_OF_USAGE]
        if len(element.data) != 1 or element.compaction not in (cp.APPLICATION, cp.INTEGER):
            raise TagDataError("iso28560-2: type of usage is not one byte")
        raw_usage = element.data[0]
        usage = usage_from_category(raw_usage >> 4)
    extra: list[tuple[str, str]] = []
    for oid, element in sorted(values.items()):
        if oid in (PRIMARY_ITEM_ID, OWNER_ISIL, SET_INFORMATION, TYPE_OF_USAGE):
            continue
        if element.compaction == cp.APPLICATION or oid == CONTENT_PARAMETER:
            extra.append((OID_NAMES[oid], element.data.hex()))
        else:
            extra.append((OID_NAMES[oid], cp.decode_compacted(element.compaction, element.data)))
    return TagData(MODEL, "", item_id, isil, country, parts, part, usage, raw_usage, tuple(extra))


def _element(oid: int, compaction: int, data: bytes) -> bytes:
    if len(data) > 0x7F:
        raise TagDataError(f"iso28560-2: data element {oid} longer than 127 bytes")
    return bytes([compaction << 4 | oid, len(data)]) + data


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


def encode_iso28560_2(data: TagData, *, block_size: int = 4, memory_size: int | None = None) -> bytes:
    """ISO 28560-2 user memory for ``data`` (for simulators and test tags), padded to whole blocks.

    Writes the primary item id (densest compaction), the owner ISIL (ISIL compaction), set information
    when ``parts_in_set > 1`` and the type of usage, then the 0x00 terminator. ``memory_size`` pads with
    zeros to that size and raises :class:`TagDataError` when the data does not fit.
    """
    if not data.item_id:
        raise TagDataError("iso28560-2: empty primary item id")
    compaction = cp.best_compaction(data.item_id)
    out = _element(PRIMARY_ITEM_ID, compaction, cp.encode_compacted(compaction, data.item_id))
    if data.owner_isil:
        out += _element(OWNER_ISIL, cp.APPLICATION, cp.encode_isil(data.owner_isil))
    if data.parts_in_set > 1 or data.part_number != 1:
        if not 1 <= data.part_number <= data.parts_in_set:
            raise TagDataError(f"iso28560-2: part {data.part_number} of {data.parts_in_set}")
        width = len(str(data.parts_in_set))
        digits = f"{data.parts_in_set:0{width}d}{data.part_number:0{width}d}"
        out += _element(SET_INFORMATION, cp.NUMERIC, cp.encode_compacted(cp.NUMERIC, digits))
    if data.raw_usage is not None or data.usage in _CATEGORY_BY_USAGE:
        raw = data.raw_usage if data.raw_usage is not None else _CATEGORY_BY_USAGE[data.usage] << 4
        if not 0 <= raw <= 0xFF:
            raise TagDataError(f"iso28560-2: type of usage {raw} is not a byte")
        out += _element(TYPE_OF_USAGE, cp.APPLICATION, bytes([raw]))
    out += b"\x00"
    size = memory_size if memory_size is not None else len(out) + (-len(out) % block_size)
    if len(out) > size:
        raise TagDataError(f"iso28560-2: {len(out)} bytes of data do not fit {size} bytes of memory")
    return out + bytes(size - len(out))


@dataclass(frozen=True)
class Iso28560Part2Model:
    """ISO 28560-2 as a :class:`~drivers.rfid.models.core.TagModel`."""

    @property
    def name(self) -> str:
        """``"iso28560-2"``."""
        return MODEL

    def decode(self, blocks: bytes) -> TagData:
        """See :func:`decode_iso28560_2`."""
        return decode_iso28560_2(blocks)
