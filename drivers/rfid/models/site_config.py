"""Reading a :class:`~drivers.rfid.models.site.SiteLayout` from its configuration table, with clear errors.

Every mistake a technician can make in the table is reported with its key: unknown keys, fields outside
the layout or on top of each other, a checksum that covers its own value, a layout that cannot prove
itself (no checksum and no fixed bytes).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping

from drivers.rfid.models.config import Table
from drivers.rfid.models.core import TagModelConfigError
from drivers.rfid.models.crc import CHECKSUMS
from drivers.rfid.models.itemid import ItemIdRule
from drivers.rfid.models.site import (
    BYTE_ORDERS,
    ENCODINGS,
    NUMBER_FIELDS,
    USAGES,
    Checksum,
    Field,
    SiteLayout,
)

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _field(table: Table, name: str, size: int) -> Field:
    if not _NAME.match(name):
        raise TagModelConfigError(f"{table.where}: field name {name!r} must be a word")
    encoding = table.string("encoding", choices=ENCODINGS)
    if name in NUMBER_FIELDS and encoding not in ("binary", "binary-le", "bcd"):
        raise TagModelConfigError(f"{table.key('encoding')}: {name} is a number: binary, binary-le or bcd")
    offset = table.integer("offset", maximum=size - 1)
    width = table.integer("width", minimum=1, maximum=size - offset)
    field = Field(
        name,
        offset,
        width,
        encoding,
        digits=table.integer("digits", 0, maximum=64),
        pad=table.string("pad", "nul", choices=("nul", "space")),
    )
    table.done()
    return field


def _checksum(table: Table, size: int) -> Checksum | None:
    kind = table.string("kind", choices=(*sorted(CHECKSUMS), "none"))
    if kind == "none":
        table.done()
        return None
    width = CHECKSUMS[kind][1]
    offset = table.integer("offset", maximum=size - width)
    own = set(range(offset, offset + width))
    raw_covers = table.item("covers")
    if raw_covers is None:
        covers: tuple[tuple[int, int], ...] = tuple(
            (start, end) for start, end in ((0, offset - 1), (offset + width, size - 1)) if start <= end
        )
    else:
        if (
            not isinstance(raw_covers, list)
            or not raw_covers
            or not all(
                isinstance(r, list)
                and len(r) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in r)
                for r in raw_covers
            )
        ):
            raise TagModelConfigError(f"{table.key('covers')}: expected a list of [first, last] byte pairs")
        covers = tuple((int(r[0]), int(r[1])) for r in raw_covers)
        for start, end in covers:
            if not 0 <= start <= end < size:
                raise TagModelConfigError(
                    f"{table.key('covers')}: [{start}, {end}] is not inside 0–{size - 1}"
                )
            if own & set(range(start, end + 1)):
                raise TagModelConfigError(
                    f"{table.key('covers')}: [{start}, {end}] covers the checksum itself"
                )
    checksum = Checksum(
        kind,
        offset,
        table.string("order", "lsb-first", choices=BYTE_ORDERS),
        covers,
        table.integer("append_zeros", 0, maximum=64),
    )
    table.done()
    return checksum


def layout_from_table(
    cls: type[SiteLayout], table: Table, name: str | None, read_text: Callable[[str], str] | None
) -> SiteLayout:
    """The layout described by ``table`` (see docs/rfid-models.md)."""
    layout_name = table.string("name", name)
    if not _NAME.match(layout_name):
        raise TagModelConfigError(
            f"{table.key('name')}: {layout_name!r} must be a word (letters, digits, -, _)"
        )
    first_block = table.integer("first_block", 0, maximum=255)
    block_count = table.integer("block_count", minimum=1, maximum=256)
    block_size = table.integer("block_size", 4, minimum=1, maximum=32)
    size = block_count * block_size
    byte_order = table.string("byte_order", "lsb-first", choices=BYTE_ORDERS)
    usage = table.string("usage", "item-circulating", choices=USAGES)

    raw_fields = table.item("fields")
    if not isinstance(raw_fields, Mapping) or "item_id" not in raw_fields:
        raise TagModelConfigError(f"{table.key('fields')}: expected a table of fields with at least item_id")
    fields = tuple(
        _field(Table(spec, table.key(f"fields.{fname}")), str(fname), size)
        for fname, spec in raw_fields.items()
    )
    if "library" in raw_fields and "owner_isil" in raw_fields:
        raise TagModelConfigError(f"{table.key('fields')}: give owner_isil or country + library, not both")
    # Field names other than KNOWN_FIELDS are allowed: they show up in TagData.extra for the dump.

    require: list[tuple[int, bytes]] = []
    raw_require = table.item("require")
    for index, spec in enumerate(
        raw_require if isinstance(raw_require, list) else ([] if raw_require is None else [raw_require])
    ):
        entry = Table(spec, table.key(f"require[{index}]"))
        offset = entry.integer("offset", maximum=size - 1)
        try:
            expected = bytes.fromhex(entry.string("hex"))
        except ValueError:
            raise TagModelConfigError(f"{entry.key('hex')}: not hex bytes") from None
        if not expected or offset + len(expected) > size:
            raise TagModelConfigError(f"{entry.key('hex')}: empty or past the end of the layout")
        entry.done()
        require.append((offset, expected))
    if raw_require is not None and not isinstance(raw_require, list | Mapping):
        raise TagModelConfigError(f"{table.key('require')}: expected a list of {{offset, hex}} tables")

    checksum = (
        _checksum(Table(table.item("checksum"), table.key("checksum")), size)
        if table.has("checksum")
        else None
    )
    if checksum is None and not require:
        raise TagModelConfigError(
            f"{table.where}: a layout must prove itself: give a checksum or fixed bytes in require"
        )

    spans = [(f"fields.{f.name}", f.offset, f.width) for f in fields]
    spans += [(f"require[{i}]", off, len(raw)) for i, (off, raw) in enumerate(require)]
    if checksum is not None:
        spans.append(("checksum", checksum.offset, checksum.width))
    spans.sort(key=lambda span: span[1])
    for (name_a, off_a, width_a), (name_b, off_b, _) in itertools.pairwise(spans):
        if off_b < off_a + width_a:
            raise TagModelConfigError(f"{table.where}: {name_a} and {name_b} overlap")

    usage_values: list[tuple[int, str]] = []
    raw_usage_values = table.item("usage_values")
    if raw_usage_values is not None:
        if not isinstance(raw_usage_values, Mapping):
            raise TagModelConfigError(f"{table.key('usage_values')}: expected a table of value = usage")
        for key, value in raw_usage_values.items():
            if not str(key).isdigit() or value not in USAGES:
                raise TagModelConfigError(
                    f"{table.key('usage_values')}: {key!r} = {value!r}: "
                    f"expected a number = one of {', '.join(USAGES)}"
                )
            usage_values.append((int(key), str(value)))

    rule = None
    if table.has("item_id_rule"):
        raw_rule = table.item("item_id_rule")
        if not isinstance(raw_rule, Mapping):
            raise TagModelConfigError(f"{table.key('item_id_rule')}: expected a table")
        rule = ItemIdRule.from_mapping(raw_rule, where=table.key("item_id_rule"), read_text=read_text)
    table.done()
    return cls(
        layout_name,
        fields,
        first_block,
        block_count,
        block_size,
        byte_order,
        tuple(require),
        checksum,
        usage,
        tuple(sorted(usage_values)),
        rule,
    )
