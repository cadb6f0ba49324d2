"""The legacy 3M "RFID 501" / 3M alphanumeric layout, and blank tags (notes/rfid.md §1.4).

Reverse-engineered by Biblio::RFID's author (Croatian libraries); no checksum, so strict plausibility:

    block 0     04 is 00 tt   i = part number (high nibble), s = parts in set (low nibble), tt = item type
    blocks 1–4  the barcode, 16 bytes ASCII, NUL-padded
    block 5     12-bit branch, 20-bit library (big endian)
    block 6     32-bit custom value
    block 7     00 00 00 00 (when read)

Accepted only with byte 0 = 0x04, byte 2 = 0x00, a known item type, a consistent set nibble pair (both
0 means "not a set") and a printable barcode. Blank tags are not a model: :func:`blank_kind` says whether
memory is all zeros or a "3M manufacturing blank" (24 × 0x55 then 00 00 00 00).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import TagDataError
from drivers.rfid.models.core import TagData, text_field

MODEL = "3m-501"
LENGTH = 28  # blocks 0–6
ITEM_TYPES = {
    0: "other",
    1: "book",
    2: "magazine",
    3: "bound journal",
    4: "audio tape",
    5: "video",
    6: "cd/cd-rom",
    7: "diskette",
    8: "book with diskette",
    9: "book with cd/cd-rom",
    13: "book with audio tape",
}


def blank_kind(blocks: bytes) -> str | None:
    """``"zeros"`` for all-zero memory, ``"3m-blank"`` for a 3M manufacturing blank, else ``None``."""
    if blocks and not any(blocks):
        return "zeros"
    if len(blocks) >= LENGTH and blocks[:24] == b"\x55" * 24 and not any(blocks[24:LENGTH]):
        return "3m-blank"
    return None


def decode_3m_501(blocks: bytes) -> TagData:
    """Decode a 3M 501 tag (blocks in tag order); raise :class:`TagDataError` unless it is plausible."""
    if len(blocks) < LENGTH:
        raise TagDataError(f"3m-501: {len(blocks)} bytes, the layout needs {LENGTH}")
    if blocks[0] != 0x04 or blocks[2] != 0x00:
        raise TagDataError("3m-501: block 0 does not start 04 ?? 00")
    item_type = blocks[3]
    if item_type not in ITEM_TYPES:
        raise TagDataError(f"3m-501: unknown item type {item_type}")
    part, parts = blocks[1] >> 4, blocks[1] & 0x0F
    if (part, parts) == (0, 0):
        part = parts = 1
    elif not 1 <= part <= parts:
        raise TagDataError(f"3m-501: part {part} of {parts}")
    barcode = text_field(blocks[4:20], "3m-501 barcode")
    branch_library = int.from_bytes(blocks[20:24], "big")
    branch, library = branch_library >> 20, branch_library & 0xFFFFF
    custom = int.from_bytes(blocks[24:28], "big", signed=True)
    extra = (
        ("item_type", ITEM_TYPES[item_type]),
        ("branch", str(branch)),
        ("library", str(library)),
        ("custom", str(custom)),
    )
    return TagData(MODEL, "", barcode, None, None, parts, part, "item-circulating", None, extra)


def encode_3m_501(
    barcode: str,
    *,
    parts_in_set: int = 1,
    part_number: int = 1,
    item_type: int = 1,
    branch: int = 0,
    library: int = 0,
    custom: int = 0,
) -> bytes:
    """Blocks 0–7 of a 3M 501 tag (for simulators and tests); raises :class:`TagDataError`."""
    raw = barcode.encode("ascii", "replace")
    if not barcode or len(raw) > 16 or not barcode.isascii() or not barcode.isprintable():
        raise TagDataError(f"3m-501: barcode {barcode!r} is not 1–16 printable ASCII characters")
    if not (1 <= part_number <= parts_in_set <= 15) or item_type not in ITEM_TYPES:
        raise TagDataError("3m-501: set or item type out of range")
    if not (0 <= branch < 1 << 12 and 0 <= library < 1 << 20 and -(1 << 31) <= custom < 1 << 31):
        raise TagDataError("3m-501: branch, library or custom value out of range")
    # Biblio::RFID writes 0 / 0 for an item that is not a set; so do we.
    set_byte = 0 if parts_in_set == 1 else part_number << 4 | parts_in_set
    head = bytes([0x04, set_byte, 0x00, item_type])
    return (
        head
        + raw.ljust(16, b"\0")
        + (branch << 20 | library).to_bytes(4, "big")
        + custom.to_bytes(4, "big", signed=True)
        + bytes(4)
    )


@dataclass(frozen=True)
class M3Legacy501Model:
    """The 3M 501 layout as a :class:`~drivers.rfid.models.core.TagModel`."""

    @property
    def name(self) -> str:
        """``"3m-501"``."""
        return MODEL

    def decode(self, blocks: bytes) -> TagData:
        """See :func:`decode_3m_501`."""
        return decode_3m_501(blocks)
