"""A site layout: a tag data model described in configuration, for tags whose layout is not public.

The Dutch national model (GenPvE v5.0) is a fixed block layout whose byte offsets, encodings and checksum
could not be obtained (notes/rfid.md §1.1), so this project does not guess it. A technician captures a
library's tags with ``kiosk rfid dump``, works out where the fields are, and writes them down here; the
kiosk then decodes exactly that. A layout must prove itself like every model: by a checksum, or — when
the layout has none — by fixed bytes (``require``) that every tag of the site carries. See
docs/rfid-models.md for the format and a worked example.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from drivers.errors import TagDataError
from drivers.rfid.models.config import Table
from drivers.rfid.models.core import TagData, country_of, reverse_blocks, usage_from_category
from drivers.rfid.models.crc import CHECKSUMS
from drivers.rfid.models.itemid import ItemIdRule

ENCODINGS = ("ascii", "bcd", "binary", "binary-le", "hex")
KNOWN_FIELDS = ("item_id", "owner_isil", "country", "library", "parts_in_set", "part_number", "usage")
NUMBER_FIELDS = ("parts_in_set", "part_number", "usage")
BYTE_ORDERS = ("lsb-first", "msb-first")
USAGES = (
    "acquisition",
    "item-circulating",
    "item-not-circulating",
    "local-use",
    "no-information",
    "discarded",
    "patron-card",
    "library-equipment",
)


@dataclass(frozen=True)
class Field:
    """One field of a site layout: where it is (byte offset in the layout) and how it is encoded."""

    name: str
    offset: int
    width: int
    encoding: str
    digits: int = 0  # binary/bcd: left-pad with zeros to this many digits (0 = as is)
    pad: str = "nul"  # ascii: "nul" or "space"

    def decode(self, raw: bytes) -> str:
        """The field's text; raises :class:`TagDataError` for bytes the encoding does not allow."""
        if self.encoding == "ascii":
            pad = b"\0" if self.pad == "nul" else b" "
            text = raw.rstrip(pad)
            if pad in text or not text.isascii() or not text.decode("ascii").isprintable():
                raise TagDataError(f"{self.name}: not {self.pad}-padded printable ASCII")
            return text.decode("ascii")
        if self.encoding == "bcd":
            nibbles = "".join(f"{byte:02x}" for byte in raw)
            digits = nibbles.rstrip("f")
            if not digits.isdigit() and digits:
                raise TagDataError(f"{self.name}: not BCD digits ({raw.hex()})")
            return digits.zfill(self.digits)
        if self.encoding in ("binary", "binary-le"):
            number = int.from_bytes(raw, "big" if self.encoding == "binary" else "little")
            return str(number).zfill(self.digits)
        return raw.hex()

    def encode(self, text: str) -> bytes:
        """``text`` as this field's bytes; raises :class:`TagDataError` when it does not fit."""
        if self.encoding == "ascii":
            raw = text.encode("ascii", "replace")
            if len(raw) > self.width or not text.isascii() or not text.isprintable():
                raise TagDataError(
                    f"{self.name}: {text!r} is not up to {self.width} printable ASCII characters"
                )
            return raw.ljust(self.width, b"\0" if self.pad == "nul" else b" ")
        if self.encoding == "hex":
            try:
                raw = bytes.fromhex(text)
            except ValueError:
                raw = b""
            if len(raw) != self.width:
                raise TagDataError(f"{self.name}: {text!r} is not {self.width} bytes of hex")
            return raw
        if not (text.isascii() and text.isdigit()):
            raise TagDataError(f"{self.name}: {text!r} is not digits")
        if self.encoding == "bcd":
            if len(text) > 2 * self.width:
                raise TagDataError(f"{self.name}: {text!r} has more than {2 * self.width} digits")
            return bytes.fromhex(text.ljust(2 * self.width, "f"))
        number = int(text)
        if number >= 1 << (8 * self.width):
            raise TagDataError(f"{self.name}: {text} does not fit {self.width} bytes")
        return number.to_bytes(self.width, "big" if self.encoding == "binary" else "little")


@dataclass(frozen=True)
class Checksum:
    """A layout's checksum: kind, where its value sits, its byte order and the byte ranges it covers."""

    kind: str
    offset: int
    order: str
    covers: tuple[tuple[int, int], ...]  # inclusive byte ranges of the layout
    append_zeros: int = 0

    @property
    def width(self) -> int:
        """The value's width in bytes."""
        return CHECKSUMS[self.kind][1]

    def compute(self, layout_bytes: bytes) -> bytes:
        """The checksum value as stored (in ``order``)."""
        covered = b"".join(layout_bytes[start : end + 1] for start, end in self.covers)
        covered += bytes(self.append_zeros)
        value = CHECKSUMS[self.kind][0](covered)
        return value.to_bytes(self.width, "little" if self.order == "lsb-first" else "big")


@dataclass(frozen=True)
class SiteLayout:
    """A declarative tag layout (see the module docstring); a :class:`~drivers.rfid.models.core.TagModel`."""

    layout_name: str
    fields: tuple[Field, ...]
    first_block: int = 0
    block_count: int = 7
    block_size: int = 4
    byte_order: str = "lsb-first"
    require: tuple[tuple[int, bytes], ...] = ()
    checksum: Checksum | None = None
    usage: str = "item-circulating"
    usage_values: tuple[tuple[int, str], ...] = ()
    item_id_rule: ItemIdRule | None = None

    @property
    def name(self) -> str:
        """``"site:<name>"``."""
        return f"site:{self.layout_name}"

    @property
    def size(self) -> int:
        """The layout's length in bytes."""
        return self.block_count * self.block_size

    def _region(self, blocks: bytes) -> bytes:
        start = self.first_block * self.block_size
        if len(blocks) < start + self.size:
            raise TagDataError(f"{self.name}: {len(blocks)} bytes, the layout needs {start + self.size}")
        region = blocks[start : start + self.size]
        return reverse_blocks(region, self.block_size) if self.byte_order == "msb-first" else region

    def decode(self, blocks: bytes) -> TagData:
        """Decode user memory (tag order, block 0 first); raise TagDataError unless it proves itself."""
        region = self._region(blocks)
        for offset, expected in self.require:
            if region[offset : offset + len(expected)] != expected:
                raise TagDataError(f"{self.name}: byte {offset} is not {expected.hex()}")
        if self.checksum is not None:
            stored = region[self.checksum.offset : self.checksum.offset + self.checksum.width]
            if self.checksum.compute(region) != stored:
                raise TagDataError(f"{self.name}: checksum does not match")
        values = {f.name: f.decode(region[f.offset : f.offset + f.width]) for f in self.fields}
        item_id = values.pop("item_id")
        if not item_id:
            raise TagDataError(f"{self.name}: empty item id")
        numbers: dict[str, int] = {}
        for name in NUMBER_FIELDS:
            if name in values:
                text = values.pop(name)
                if not text:
                    raise TagDataError(f"{self.name}: {name} holds no digits")
                numbers[name] = int(text)
        parts, part = numbers.get("parts_in_set", 1), numbers.get("part_number", 1)
        if not 1 <= part <= parts:
            raise TagDataError(f"{self.name}: part {part} of {parts}")
        usage, raw_usage = self.usage, numbers.get("usage")
        if raw_usage is not None:
            table = dict(self.usage_values)
            if table:
                if raw_usage not in table:
                    raise TagDataError(f"{self.name}: usage value {raw_usage} is not in usage_values")
                usage = table[raw_usage]
            elif raw_usage <= 0x0F:
                usage = usage_from_category(raw_usage)
            else:
                raise TagDataError(f"{self.name}: usage value {raw_usage} is not an ISO 28560-1 category")
        country = values.pop("country", "") or None
        library = values.pop("library", "") or None
        isil = values.pop("owner_isil", "") or (f"{country}-{library}" if country and library else library)
        if isil and country is None:
            country = country_of(isil)
        variant = "msb-first" if self.byte_order == "msb-first" else ""
        return TagData(
            self.name,
            variant,
            item_id,
            isil,
            country,
            parts,
            part,
            usage,
            raw_usage,
            tuple(sorted(values.items())),
        )

    def encode(self, values: Mapping[str, str | int]) -> bytes:
        """User memory from block 0 to the layout's end for ``values`` (field name → value): test tags.

        Set fields not given are written as part 1 of 1; other fields not given stay zero.
        """
        region = bytearray(self.size)
        for offset, expected in self.require:
            region[offset : offset + len(expected)] = expected
        by_name = {f.name: f for f in self.fields}
        unknown = set(values) - set(by_name)
        if unknown:
            raise TagDataError(f"{self.name}: no field(s) {', '.join(sorted(unknown))} in the layout")
        defaults = {name: 1 for name in ("parts_in_set", "part_number") if name in by_name}
        for name, value in (defaults | dict(values)).items():
            f = by_name[name]
            region[f.offset : f.offset + f.width] = f.encode(str(value))
        if self.checksum is not None:
            c = self.checksum
            region[c.offset : c.offset + c.width] = c.compute(bytes(region))
        data = bytes(region)
        if self.byte_order == "msb-first":
            data = reverse_blocks(data, self.block_size)
        return bytes(self.first_block * self.block_size) + data

    @classmethod
    def from_mapping(
        cls,
        config: Mapping[str, object],
        *,
        name: str | None = None,
        where: str = "rfid.layout",
        read_text: Callable[[str], str] | None = None,
    ) -> SiteLayout:
        """Build a layout from its config table; raises :class:`TagModelConfigError` naming the bad key."""
        from drivers.rfid.models.site_config import layout_from_table

        return layout_from_table(cls, Table(config, where), name, read_text)
