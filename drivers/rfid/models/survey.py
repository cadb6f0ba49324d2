"""Helpers for writing a site layout from captured tags: where is the item id, which checksum checks.

A technician captures tags with ``kiosk rfid dump`` and notes the barcode printed on each item. These
pure functions then search the captured memory: :func:`find_item_id` for the offset, width and encoding
at which every tag holds its barcode, :func:`find_checksums` for checksum kinds and positions that every
tag satisfies. Use 5 or more different tags: with one or two, chance matches are likely. The results are
candidates for a person to check against the layout's documentation, never a layout by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drivers.errors import TagDataError
from drivers.rfid.models.core import reverse_blocks
from drivers.rfid.models.crc import CHECKSUMS
from drivers.rfid.models.site import BYTE_ORDERS, Checksum, Field

MAX_ID_WIDTH = 20


@dataclass(frozen=True)
class Candidate:
    """A field or checksum that fits every captured tag, read with ``byte_order``."""

    byte_order: str
    field: Field | None = None
    checksum: Checksum | None = None


def _regions(
    tags: Sequence[bytes], first_block: int, block_count: int, block_size: int, byte_order: str
) -> list[bytes]:
    start, size = first_block * block_size, block_count * block_size
    regions = []
    for tag in tags:
        if len(tag) < start + size:
            raise TagDataError(f"survey: a tag has {len(tag)} bytes, the region needs {start + size}")
        region = tag[start : start + size]
        regions.append(reverse_blocks(region, block_size) if byte_order == "msb-first" else region)
    return regions


def _matches(field: Field, region: bytes, barcode: str) -> bool:
    try:
        value = field.decode(region[field.offset : field.offset + field.width])
    except TagDataError:
        return False
    if field.encoding in ("binary", "binary-le"):
        return barcode.isdigit() and value == str(int(barcode))
    return value == barcode


def find_item_id(
    tags: Sequence[bytes],
    barcodes: Sequence[str],
    *,
    block_count: int,
    block_size: int = 4,
    first_block: int = 0,
) -> list[Candidate]:
    """Every (byte order, offset, width, encoding) at which each tag holds its barcode."""
    if len(tags) != len(barcodes) or not tags:
        raise TagDataError("survey: give one barcode per captured tag")
    found = []
    for byte_order in BYTE_ORDERS:
        regions = _regions(tags, first_block, block_count, block_size, byte_order)
        size = len(regions[0])
        for encoding in ("ascii", "bcd", "binary", "binary-le"):
            for offset in range(size):
                for width in range(1, min(MAX_ID_WIDTH, size - offset) + 1):
                    field = Field("item_id", offset, width, encoding)
                    if all(_matches(field, r, b) for r, b in zip(regions, barcodes, strict=True)):
                        found.append(Candidate(byte_order, field=field))
    return found


def find_checksums(
    tags: Sequence[bytes], *, block_count: int, block_size: int = 4, first_block: int = 0
) -> list[Candidate]:
    """Every checksum (kind, offset, stored byte order, coverage) that all ``tags`` satisfy.

    Coverage tried: every other byte of the region, or only the bytes before the checksum; each with and
    without two appended zero bytes (the Danish model's trick for a truncated block).
    """
    if not tags:
        raise TagDataError("survey: no tags")
    found = []
    for byte_order in BYTE_ORDERS:
        regions = _regions(tags, first_block, block_count, block_size, byte_order)
        size = len(regions[0])
        for kind, (_, width) in CHECKSUMS.items():
            for offset in range(size - width + 1):
                before = ((0, offset - 1),) if offset else ()
                after = ((offset + width, size - 1),) if offset + width < size else ()
                for covers in {before + after, before}:
                    if not covers:
                        continue
                    for order in BYTE_ORDERS:
                        for zeros in (0, 2):
                            checksum = Checksum(kind, offset, order, covers, zeros)
                            if all(checksum.compute(r) == r[offset : offset + width] for r in regions):
                                found.append(Candidate(byte_order, checksum=checksum))
    return found
