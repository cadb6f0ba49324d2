"""Tag item id → the ILS item barcode: mapping table, the leading "10" rule, prefixes.

Why: the Dutch model only holds digits, so Flemish libraries put their letter prefix back with a rule or a
mapping table (notes/rfid.md §1.1 [P7][P8]); Deichman strips a leading "10" from 16-character barcodes
(§1.2). The rule is built from the configuration, for example::

    [rfid.item_id]
    strip_leading_10 = true          # 16-character ids starting with "10" lose those two digits
    strip_prefix = ["00"]            # the first prefix that matches is removed
    add_prefix = "WIE"               # then this is put in front
    mapping_file = "/etc/kiosk/item-ids.csv"   # "tag id,barcode" per line; a hit wins over everything

Order: mapping table, leading "10", strip prefix, add prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from drivers.rfid.models.config import Table
from drivers.rfid.models.core import TagModelConfigError

LEADING_10_LENGTH = 16


def parse_mapping_table(text: str, source: str = "mapping table") -> dict[str, str]:
    """Parse ``tag id,barcode`` lines (comma, semicolon, tab or spaces; ``#`` comments, blank lines).

    Raises :class:`TagModelConfigError` naming the line of anything else, or of a tag id given twice.
    """
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for separator in (",", ";", "\t", None):
            parts = [p.strip() for p in line.split(separator)]
            if len(parts) == 2 and all(parts):
                break
        else:
            raise TagModelConfigError(f"{source} line {number}: expected 'tag id,barcode', got {line!r}")
        tag_id, barcode = parts
        if tag_id in table:
            raise TagModelConfigError(f"{source} line {number}: tag id {tag_id!r} given twice")
        table[tag_id] = barcode
    return table


@dataclass(frozen=True)
class ItemIdRule:
    """How the id on a tag becomes the ILS item barcode (see the module docstring for the order)."""

    strip_prefixes: tuple[str, ...] = ()
    add_prefix: str = ""
    strip_leading_10: bool = False
    leading_10_length: int = LEADING_10_LENGTH
    mapping: Mapping[str, str] = field(default_factory=dict, hash=False)

    def to_ils(self, tag_id: str) -> str:
        """The ILS barcode for ``tag_id``."""
        item_id = tag_id.strip()
        if item_id in self.mapping:
            return self.mapping[item_id]
        if self.strip_leading_10 and len(item_id) == self.leading_10_length and item_id.startswith("10"):
            item_id = item_id[2:]
        for prefix in self.strip_prefixes:
            if prefix and item_id.startswith(prefix) and len(item_id) > len(prefix):
                item_id = item_id[len(prefix) :]
                break
        return self.add_prefix + item_id

    @classmethod
    def from_mapping(
        cls,
        config: Mapping[str, object],
        *,
        where: str = "rfid.item_id",
        read_text: Callable[[str], str] | None = None,
    ) -> ItemIdRule:
        """Build the rule from a config table; unknown keys and bad values raise TagModelConfigError.

        ``mapping_file`` is read once, here, with ``read_text`` (default: the file as UTF-8 text);
        ``mapping`` may give the table inline instead (``{"123" = "WIE123"}``).
        """
        table = Table(config, where)
        rule_mapping: dict[str, str] = {}
        inline = table.item("mapping")
        if inline is not None:
            if not isinstance(inline, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) and k and v for k, v in inline.items()
            ):
                raise TagModelConfigError(f"{table.key('mapping')}: expected a table of tag id = barcode")
            rule_mapping.update(inline)
        if table.has("mapping_file"):
            path = table.string("mapping_file")
            reader = read_text or (lambda p: Path(p).read_text(encoding="utf-8"))
            try:
                text = reader(path)
            except OSError as error:
                raise TagModelConfigError(
                    f"{table.key('mapping_file')}: cannot read {path}: {error}"
                ) from None
            rule_mapping.update(parse_mapping_table(text, source=path))
        rule = cls(
            strip_prefixes=table.strings("strip_prefix"),
            add_prefix=table.string("add_prefix", ""),
            strip_leading_10=table.boolean("strip_leading_10", False),
            leading_10_length=table.integer("leading_10_length", LEADING_10_LENGTH, minimum=3, maximum=64),
            mapping=rule_mapping,
        )
        table.done()
        return rule
