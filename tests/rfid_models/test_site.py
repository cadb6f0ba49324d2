"""Site layouts: the worked example of docs/rfid-models.md, config errors, proof, round trips, survey."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import TagDataError
from drivers.rfid.models import (
    DEFAULT_MODELS,
    Foreign,
    ItemIdRule,
    SiteLayout,
    TagData,
    TagModelConfigError,
    detect,
    find_checksums,
    find_item_id,
    models_by_name,
)

from .vectors import FAST

DOC = Path(__file__).resolve().parents[2] / "docs" / "rfid-models.md"
EXAMPLE_TAG = "05001234 56789012 3402014e 4c2d3030 30303132 33000100 00000087"


def _doc_config() -> dict[str, Any]:
    text = DOC.read_text("utf-8")
    example = text[text.index("### Worked example") :]
    block = re.search(r"```toml\n(.*?)```", example, re.S)
    assert block is not None
    return tomllib.loads(block.group(1))


def _layout() -> SiteLayout:
    return SiteLayout.from_mapping(_doc_config()["rfid"]["layout"])


def test_worked_example_from_the_docs_decodes_its_tag() -> None:
    config = _doc_config()
    layout = SiteLayout.from_mapping(config["rfid"]["layout"])
    assert EXAMPLE_TAG in DOC.read_text("utf-8")
    tag = bytes.fromhex(EXAMPLE_TAG.replace(" ", ""))
    data = layout.decode(tag)
    assert data == TagData(
        "site:example-nl",
        "",
        "0012345678901234",
        "NL-0000123",
        "NL",
        2,
        1,
        "item-circulating",
        None,
        (("media", "01"),),
    )
    assert ItemIdRule.from_mapping(config["rfid"]["item_id"]).to_ils(data.item_id) == "12345678901234"
    models = models_by_name(config["rfid"]["models"], [layout])
    assert detect(tag, models, own_isils=config["rfid"]["own_isils"]) == data
    assert isinstance(detect(tag, models, own_isils=["NL-0000999"]), Foreign)
    # The same bytes mean nothing to the public models: no guess.
    assert type(detect(tag, DEFAULT_MODELS)).__name__ == "Unknown"


def test_the_layout_makes_the_example_tag() -> None:
    tag = _layout().encode(
        {
            "item_id": "0012345678901234",
            "parts_in_set": 2,
            "part_number": 1,
            "owner_isil": "NL-0000123",
            "media": "01",
        }
    )
    assert tag.hex() == EXAMPLE_TAG.replace(" ", "")


@pytest.mark.parametrize(("index", "reason"), [(0, "byte 0 is not 05"), (5, "checksum"), (27, "checksum")])
def test_a_tag_that_does_not_prove_itself_is_refused(index: int, reason: str) -> None:
    tag = bytearray.fromhex(EXAMPLE_TAG.replace(" ", ""))
    tag[index] ^= 0x01
    with pytest.raises(TagDataError, match=reason):
        _layout().decode(bytes(tag))


def test_msb_first_layout_and_offset_blocks() -> None:
    config = _doc_config()["rfid"]["layout"] | {"byte_order": "msb-first", "first_block": 2, "name": "rev"}
    layout = SiteLayout.from_mapping(config)
    tag = layout.encode({"item_id": "42", "owner_isil": "NL-1"})
    assert tag[:8] == bytes(8) and tag[8:12] == bytes.fromhex("ffff4205")
    data = layout.decode(tag)
    assert (data.item_id, data.variant, data.model) == ("42", "msb-first", "site:rev")


def _minimal(**extra: object) -> dict[str, object]:
    table: dict[str, object] = {
        "name": "t",
        "block_count": 4,
        "require": [{"offset": 0, "hex": "aa"}],
        "fields": {"item_id": {"offset": 1, "width": 6, "encoding": "ascii"}},
    }
    table.update(extra)
    return table


def test_usage_field_with_site_values() -> None:
    layout = SiteLayout.from_mapping(
        _minimal(
            fields={
                "item_id": {"offset": 1, "width": 6, "encoding": "ascii"},
                "usage": {"offset": 7, "width": 1, "encoding": "binary"},
            },
            usage_values={"1": "item-circulating", "9": "patron-card"},
        )
    )
    assert layout.decode(layout.encode({"item_id": "P1", "usage": 9})).usage == "patron-card"
    with pytest.raises(TagDataError, match="usage value 3"):
        layout.decode(layout.encode({"item_id": "P1", "usage": 3}))


def test_space_padded_ascii_and_binary_digits() -> None:
    layout = SiteLayout.from_mapping(
        _minimal(
            fields={
                "item_id": {"offset": 1, "width": 4, "encoding": "binary", "digits": 10},
                "shelf": {"offset": 5, "width": 6, "encoding": "ascii", "pad": "space"},
            }
        )
    )
    data = layout.decode(layout.encode({"item_id": "123", "shelf": "A-3"}))
    assert (data.item_id, data.extra) == ("0000000123", (("shelf", "A-3"),))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown key"),
        ({"require": []}, "must prove itself"),
        ({"block_count": 0}, "block_count: expected an integer from 1"),
        ({"byte_order": "middle"}, "byte_order: 'middle' is not one of"),
        ({"name": "has space"}, "must be a word"),
        ({"fields": {}}, "at least item_id"),
        ({"fields": {"item_id": {"offset": 1, "width": 6, "encoding": "ebcdic"}}}, "encoding"),
        ({"fields": {"item_id": {"offset": 1, "width": 60, "encoding": "ascii"}}}, "width"),
        ({"fields": {"item_id": {"offset": 1, "width": 6, "encoding": "ascii", "size": 3}}}, "unknown key"),
        ({"fields": {"item_id": {"offset": 0, "width": 6, "encoding": "ascii"}}}, "overlap"),
        (
            {
                "fields": {
                    "item_id": {"offset": 1, "width": 6, "encoding": "ascii"},
                    "part_number": {"offset": 8, "width": 1, "encoding": "ascii"},
                }
            },
            "is a number",
        ),
        ({"checksum": {"kind": "md5"}}, "checksum.kind"),
        ({"checksum": {"kind": "sum8", "offset": 15, "covers": [[0, 15]]}}, "covers the checksum itself"),
        ({"checksum": {"kind": "sum8", "offset": 15, "covers": [[0, 99]]}}, "not inside"),
        ({"checksum": {"kind": "sum8", "offset": 15, "covers": "all"}}, "list of"),
        ({"checksum": {"kind": "sum8", "offset": 3}}, "overlap"),
        ({"require": [{"offset": 0, "hex": "zz"}]}, "not hex"),
        ({"usage_values": {"x": "item-circulating"}}, "usage_values"),
        ({"item_id_rule": {"add_prefx": "A"}}, "item_id_rule: unknown key"),
    ],
)
def test_config_errors_name_the_key(change: dict[str, object], message: str) -> None:
    with pytest.raises(TagModelConfigError, match=message):
        SiteLayout.from_mapping(_minimal(**change))


def test_checksum_without_require_is_enough_proof() -> None:
    layout = SiteLayout.from_mapping(_minimal(require=[], checksum={"kind": "xor8", "offset": 15}))
    tag = layout.encode({"item_id": "ABC"})
    assert layout.decode(tag).item_id == "ABC"
    assert layout.checksum is not None and layout.checksum.covers == ((0, 14),)


def test_unknown_model_name() -> None:
    with pytest.raises(TagModelConfigError, match="unknown tag data model 'dutch'"):
        models_by_name(["dutch"])
    assert models_by_name(["auto"], [_layout()])[0] == _layout()


_digits = st.text(st.sampled_from("0123456789"), min_size=1, max_size=16)


@FAST
@given(
    item_id=_digits,
    parts=st.integers(1, 255),
    data=st.data(),
    isil=st.text(st.sampled_from("ABCNL-0123456789"), min_size=1, max_size=11),
)
def test_layout_decodes_synthetic_tags_made_from_it(
    item_id: str, parts: int, data: st.DataObject, isil: str
) -> None:
    layout = _layout()
    part = data.draw(st.integers(1, parts))
    tag = layout.encode(
        {"item_id": item_id, "parts_in_set": parts, "part_number": part, "owner_isil": isil, "media": "7f"}
    )
    decoded = layout.decode(tag + bytes(data.draw(st.integers(0, 84))))
    assert (decoded.item_id, decoded.parts_in_set, decoded.part_number, decoded.owner_isil) == (
        item_id,
        parts,
        part,
        isil,
    )


def test_survey_finds_the_id_and_the_checksum_of_captured_tags() -> None:
    layout = _layout()
    ids = ["0012345678901234", "0012345678901299", "0099345678900001", "1000000000000000", "0000000000000042"]
    tags = [
        layout.encode(
            {
                "item_id": i,
                "parts_in_set": 1 + n % 3,
                "part_number": 1,
                "owner_isil": "NL-0000123",
                "media": f"{n:02x}",
            }
        )
        for n, i in enumerate(ids)
    ]
    id_hits = find_item_id(tags, ids, block_count=7)
    assert [
        (c.byte_order, c.field.offset, c.field.width, c.field.encoding)
        for c in id_hits
        if c.field is not None
    ] == [("lsb-first", 1, 8, "bcd")]
    sums = [c.checksum for c in find_checksums(tags, block_count=7)]
    assert layout.checksum in sums
    with pytest.raises(TagDataError, match="one barcode per"):
        find_item_id(tags, ids[:2], block_count=7)
