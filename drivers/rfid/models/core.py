"""What a tag data model decodes, what detection answers, and the helpers every model shares.

A model's ``decode(blocks)`` returns a :class:`TagData` or raises :class:`~drivers.errors.TagDataError`
saying why the bytes are not that model's data; :func:`~drivers.rfid.models.detect.detect` turns the
answers of the configured models into one result: ``TagData``, :class:`Unknown`, :class:`Blank` or
:class:`Foreign`.

Type of usage follows ISO 28560-1 (main category in one nibble; the map is the one City of Helsinki's
decoder and libdanrfid use): 0 acquisition, 1 circulating, 2 not for circulation, 3–4 local use,
6 no information, 7 discarded, 8 patron card, 9 library equipment; the others are reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from drivers.errors import DeviceConfigurationError, TagDataError

__all__ = [
    "USAGE_BY_CATEGORY",
    "Blank",
    "Foreign",
    "TagData",
    "TagDataError",
    "TagModel",
    "TagModelConfigError",
    "Unknown",
    "isil_key",
    "usage_from_category",
]

USAGE_BY_CATEGORY: dict[int, str] = {
    0: "acquisition",
    1: "item-circulating",
    2: "item-not-circulating",
    3: "local-use",
    4: "local-use",
    6: "no-information",
    7: "discarded",
    8: "patron-card",
    9: "library-equipment",
}
"""ISO 28560-1 type of usage, main category → the name :attr:`TagData.usage` carries."""


def usage_from_category(category: int) -> str:
    """The usage name of an ISO 28560-1 main category (0–15); unassigned ones are ``"reserved"``."""
    return USAGE_BY_CATEGORY.get(category, "reserved")


class TagModelConfigError(DeviceConfigurationError):
    """A site layout or item id rule in the configuration is invalid (the message names the key)."""


@dataclass(frozen=True)
class TagData:
    """What a tag data model decoded from a tag's user memory.

    ``model`` is ``"danish"``, ``"iso28560-2"``, ``"3m-501"`` or ``"site:<name>"``; ``variant`` says how
    this tag deviates from the model's canonical form (``"msb-first"``: every block's bytes reversed;
    ``"…/nibble-swapped"``: the two nibbles of the Danish byte 0 swapped) or is ``""``.
    ``item_id`` is the primary item id exactly as on the tag (the ILS barcode comes from an
    :class:`~drivers.rfid.models.itemid.ItemIdRule`). ``owner_isil`` is ``"<country>-<library>"`` when
    the tag names both. A tag that is not part of a set says ``parts_in_set == part_number == 1``.
    ``extra`` holds further decoded fields as ``(name, value)`` pairs (for the technician's dump).
    """

    model: str
    variant: str
    item_id: str
    owner_isil: str | None
    country: str | None
    parts_in_set: int
    part_number: int
    usage: str
    raw_usage: int | None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def is_set(self) -> bool:
        """True when the item has more than one part (a set: book + CD, a box of discs)."""
        return self.parts_in_set > 1

    @property
    def is_item(self) -> bool:
        """True for library material (not a patron card, equipment or discarded item)."""
        return self.usage in {
            "item-circulating",
            "item-not-circulating",
            "acquisition",
            "local-use",
            "no-information",
        }


@dataclass(frozen=True)
class Unknown:
    """No configured model proved itself on these bytes; ``reasons`` has each model's objection."""

    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """The objections in one line (for a dump or a log)."""
        return "; ".join(self.reasons) or "no model matched"


@dataclass(frozen=True)
class Blank:
    """A tag that carries no library data: ``kind`` is ``"zeros"`` (all 00) or ``"3m-blank"`` (55…)."""

    kind: str = "zeros"


@dataclass(frozen=True)
class Foreign:
    """A tag that decoded fine but belongs to another library (``isil`` is its owner); ``data`` is it."""

    isil: str
    data: TagData | None = None


@runtime_checkable
class TagModel(Protocol):
    """A tag data model: a name and a decoder that proves itself (checksum or strict plausibility)."""

    @property
    def name(self) -> str:
        """The model's name as it appears in :attr:`TagData.model`."""
        ...

    def decode(self, blocks: bytes) -> TagData:
        """Decode user memory in tag order; raise :class:`TagDataError` if it is not this model's data."""
        ...


def isil_key(isil: str) -> str:
    """An ISIL reduced for comparison: ISILs are not case sensitive and the hyphen is optional here."""
    return isil.strip().upper().replace("-", "")


def country_of(isil: str) -> str | None:
    """The country prefix of an ISIL such as ``"FI-He"`` (two letters before a hyphen), else ``None``."""
    prefix, hyphen, _ = isil.partition("-")
    return prefix.upper() if hyphen and len(prefix) == 2 and prefix.isalpha() and prefix.isascii() else None


def text_field(raw: bytes, what: str, *, pad: bytes = b"\x00", required: bool = True) -> str:
    """A NUL-padded printable text field; raises :class:`TagDataError` for anything else.

    Padding may only follow the text (``"AB\\0\\0"``, never ``"A\\0B"``): a tag with garbage behind the
    padding is not well-formed data of the model, and accepting it would be a guess.
    """
    text = raw.rstrip(pad)
    if pad in text:
        raise TagDataError(f"{what}: padding inside the text")
    try:
        value = text.decode("ascii")
    except UnicodeDecodeError:
        raise TagDataError(f"{what}: not ASCII text") from None
    if not value.isprintable():
        raise TagDataError(f"{what}: control characters in the text")
    if required and not value:
        raise TagDataError(f"{what}: empty")
    return value


def reverse_blocks(data: bytes, block_size: int) -> bytes:
    """Reverse the bytes inside every block (how FKI tags and FEIG transfers hold them)."""
    return b"".join(data[i : i + block_size][::-1] for i in range(0, len(data), block_size))
