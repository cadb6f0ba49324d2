"""RFID tag data models: pure functions from a tag's user memory to what the item is (no I/O).

Models: the Danish model / ISO 28560-3 basic block (:mod:`.danish`), ISO 28560-2 (:mod:`.iso28560_2`),
the legacy 3M 501 layout (:mod:`.m3_501`) and declarative site layouts for tags whose model is not public,
such as the Dutch national model (:mod:`.site`). :func:`detect` picks the model that proves itself;
:class:`ItemIdRule` turns the id on the tag into the ILS barcode. Decoders raise only
:class:`~drivers.errors.TagDataError`; configuration mistakes raise :class:`TagModelConfigError`.
See docs/rfid-models.md.
"""

from drivers.errors import TagDataError
from drivers.rfid.models.core import (
    USAGE_BY_CATEGORY,
    Blank,
    Foreign,
    TagData,
    TagModel,
    TagModelConfigError,
    Unknown,
    usage_from_category,
)
from drivers.rfid.models.crc import CHECKSUMS, crc16_ccitt_false
from drivers.rfid.models.danish import VARIANTS as DANISH_VARIANTS
from drivers.rfid.models.danish import DanishModel, decode_danish, encode_danish
from drivers.rfid.models.detect import DEFAULT_MODELS, detect, models_by_name
from drivers.rfid.models.iso28560_2 import Iso28560Part2Model, decode_iso28560_2, encode_iso28560_2
from drivers.rfid.models.itemid import ItemIdRule, parse_mapping_table
from drivers.rfid.models.m3_501 import M3Legacy501Model, blank_kind, decode_3m_501, encode_3m_501
from drivers.rfid.models.site import SiteLayout
from drivers.rfid.models.survey import Candidate, find_checksums, find_item_id

__all__ = [
    "CHECKSUMS",
    "DANISH_VARIANTS",
    "DEFAULT_MODELS",
    "USAGE_BY_CATEGORY",
    "Blank",
    "Candidate",
    "DanishModel",
    "Foreign",
    "Iso28560Part2Model",
    "ItemIdRule",
    "M3Legacy501Model",
    "SiteLayout",
    "TagData",
    "TagDataError",
    "TagModel",
    "TagModelConfigError",
    "Unknown",
    "blank_kind",
    "crc16_ccitt_false",
    "decode_3m_501",
    "decode_danish",
    "decode_iso28560_2",
    "detect",
    "encode_3m_501",
    "encode_danish",
    "encode_iso28560_2",
    "find_checksums",
    "find_item_id",
    "models_by_name",
    "parse_mapping_table",
    "usage_from_category",
]
