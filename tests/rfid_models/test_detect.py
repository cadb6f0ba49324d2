"""detect(): the model that proves itself, blanks, foreign tags, no guesses; fuzzing every decoder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import TagDataError
from drivers.rfid.models import (
    DEFAULT_MODELS,
    Blank,
    DanishModel,
    Foreign,
    Iso28560Part2Model,
    M3Legacy501Model,
    SiteLayout,
    TagData,
    TagModel,
    Unknown,
    decode_3m_501,
    decode_danish,
    decode_iso28560_2,
    detect,
    encode_danish,
)
from drivers.rfid.models.core import reverse_blocks
from drivers.rfid.models.detect import models_by_name

from .vectors import DANISH_DEICHMAN, DANISH_LIBDANRFID, FAST, ISO2_FINNISH, M3_BOOK

USER_MEMORY = 112  # 28 blocks of 4 bytes (ICODE SLI)


def _memory(image: bytes) -> bytes:
    return image + bytes(USER_MEMORY - len(image))


@pytest.mark.parametrize(
    ("image", "model", "item_id"),
    [
        (DANISH_LIBDANRFID, "danish", "11223344"),
        (DANISH_DEICHMAN, "danish", "1003011860976002"),
        (reverse_blocks(DANISH_DEICHMAN, 4), "danish", "1003011860976002"),
        (ISO2_FINNISH, "iso28560-2", "1234"),
        (M3_BOOK, "3m-501", "1301234567"),
    ],
)
def test_each_model_is_detected_in_full_user_memory(image: bytes, model: str, item_id: str) -> None:
    result = detect(_memory(image))
    assert isinstance(result, TagData)
    assert (result.model, result.item_id) == (model, item_id)


def test_blank_tags() -> None:
    assert detect(bytes(USER_MEMORY)) == Blank("zeros")
    assert detect(_memory(b"\x55" * 24)) == Blank("3m-blank")


def test_unknown_lists_every_models_objection() -> None:
    tag = bytearray(DANISH_DEICHMAN)
    tag[19] ^= 0xFF  # broken CRC: not Danish, and no other model may claim it
    result = detect(_memory(bytes(tag)))
    assert isinstance(result, Unknown)
    assert [reason.split(":")[0] for reason in result.reasons] == ["danish", "iso28560-2", "3m-501"]
    assert detect(b"") == Unknown(("no data",))
    assert result.reason.startswith("danish: ") and "; 3m-501: " in result.reason


def test_foreign_and_own_isils() -> None:
    finnish = _memory(ISO2_FINNISH)
    result = detect(finnish, own_isils=["NL-0000123"])
    assert isinstance(result, Foreign) and result.isil == "FI-He"
    assert result.data is not None and result.data.item_id == "1234"
    assert isinstance(detect(finnish, own_isils=["fi-he"]), TagData)  # ISILs ignore case
    assert isinstance(detect(finnish, own_isils=["FIHE"]), TagData)  # and the hyphen
    assert isinstance(detect(finnish), TagData)  # no own ISILs configured: nobody is foreign
    assert isinstance(detect(_memory(M3_BOOK), own_isils=["NL-1"]), TagData)  # no owner on the tag


def test_danish_tag_without_country_matches_the_library_part() -> None:
    tag = encode_danish(TagData("danish", "", "1", "0000123", None, 1, 1, "item-circulating", None))
    assert isinstance(detect(_memory(tag), own_isils=["NL-0000123"]), TagData)
    assert detect(_memory(tag), own_isils=["NL-0000999"]) == Foreign("0000123", decode_danish(tag))


def test_patron_card_is_decoded_not_an_item() -> None:
    card = encode_danish(
        TagData("danish", "", "21234000012345", "NL-0000123", "NL", 1, 1, "patron-card", None)
    )
    result = detect(_memory(card))
    assert isinstance(result, TagData) and result.usage == "patron-card" and not result.is_item


def test_configured_order_decides() -> None:
    only_iso = detect(_memory(DANISH_LIBDANRFID), [Iso28560Part2Model()])
    assert isinstance(only_iso, Unknown)  # a Danish tag is not ISO 28560-2 data, whatever the order
    assert detect(_memory(ISO2_FINNISH), [DanishModel()]) == Unknown(
        ("danish: no byte order gives a valid CRC",)
    )


def test_models_by_name_and_protocol() -> None:
    assert models_by_name(["danish", "3m-501"]) == (DanishModel(), M3Legacy501Model())
    assert models_by_name(["auto"]) == DEFAULT_MODELS
    for model in (
        *DEFAULT_MODELS,
        SiteLayout.from_mapping(
            {
                "name": "x",
                "block_count": 1,
                "require": [{"offset": 0, "hex": "01"}],
                "fields": {"item_id": {"offset": 1, "width": 3, "encoding": "ascii"}},
            }
        ),
    ):
        assert isinstance(model, TagModel)


_DECODERS = [decode_danish, decode_iso28560_2, decode_3m_501]
_FUZZ = FAST


@_FUZZ
@given(st.binary(max_size=140))
def test_fuzz_detect_never_raises(memory: bytes) -> None:
    assert isinstance(detect(memory), TagData | Unknown | Blank | Foreign)


@_FUZZ
@given(st.binary(min_size=20, max_size=112))
def test_fuzz_decoders_raise_only_tag_data_error(memory: bytes) -> None:
    for decoder in _DECODERS:
        try:
            assert isinstance(decoder(memory), TagData)
        except TagDataError:
            pass


@_FUZZ
@given(
    st.sampled_from([DANISH_LIBDANRFID, ISO2_FINNISH, M3_BOOK]),
    st.lists(st.tuples(st.integers(0, 31), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_fuzz_near_valid_tags(image: bytes, changes: list[tuple[int, int]]) -> None:
    tag = bytearray(_memory(image))
    for index, value in changes:
        tag[index] = value
    for decoder in _DECODERS:
        try:
            decoder(bytes(tag))
        except TagDataError:
            pass
    assert isinstance(detect(bytes(tag)), TagData | Unknown | Blank | Foreign)


@_FUZZ
@given(st.binary(min_size=28, max_size=60))
def test_fuzz_site_layout(memory: bytes) -> None:
    layout = SiteLayout.from_mapping(
        {
            "name": "f",
            "block_count": 7,
            "checksum": {"kind": "sum8", "offset": 27},
            "fields": {
                "item_id": {"offset": 0, "width": 8, "encoding": "bcd"},
                "parts_in_set": {"offset": 8, "width": 1, "encoding": "binary"},
                "part_number": {"offset": 9, "width": 2, "encoding": "bcd"},
                "usage": {"offset": 11, "width": 1, "encoding": "binary"},
                "owner_isil": {"offset": 12, "width": 10, "encoding": "ascii"},
            },
        }
    )
    tag = bytearray(memory)
    tag[27] = sum(tag[:27]) & 0xFF  # let the fuzzer past the checksum into the fields
    try:
        layout.decode(bytes(tag))
    except TagDataError:
        pass
