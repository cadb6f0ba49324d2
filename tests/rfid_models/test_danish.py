"""Danish model / ISO 28560-3 basic block: published vectors, vendor variants, CRC proof, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import DriverError, TagDataError
from drivers.rfid.models import DANISH_VARIANTS, TagData, crc16_ccitt_false, decode_danish, encode_danish
from drivers.rfid.models.core import reverse_blocks
from drivers.rfid.models.danish import danish_crc

from .vectors import DANISH_DEICHMAN, DANISH_LIBDANRFID, FAST


def test_crc_check_values() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"RFID tag data model") == 0x1AEE  # libdanrfid's CRC self-check
    assert danish_crc(DANISH_LIBDANRFID) == 0x3E51
    assert danish_crc(DANISH_DEICHMAN) == 0xB02F


def test_libdanrfid_vector() -> None:
    data = decode_danish(DANISH_LIBDANRFID)
    assert data == TagData("danish", "lsb-first", "11223344", "DE-705", "DE", 1, 1, "item-circulating", 1)
    assert encode_danish(data) == DANISH_LIBDANRFID


def test_deichman_vector_both_block_orders() -> None:
    data = decode_danish(DANISH_DEICHMAN)
    assert (data.item_id, data.owner_isil, data.country) == ("1003011860976002", "NO-02030000", "NO")
    reversed_tag = reverse_blocks(DANISH_DEICHMAN, 4)
    assert reversed_tag[:4] == bytes.fromhex("31010111")
    flipped = decode_danish(reversed_tag)
    assert flipped.variant == "msb-first"
    assert flipped.item_id == data.item_id and flipped.owner_isil == data.owner_isil
    assert encode_danish(data, variant="msb-first") == reversed_tag


def test_bibliotheca_swapped_nibbles_crc_over_stored_byte() -> None:
    # Bibliotheca stores usage in the high nibble: 0x21 = version 1, not for circulation (libdanrfid).
    tag = bytearray(DANISH_LIBDANRFID)
    tag[0] = 0x21
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    data = decode_danish(bytes(tag))
    assert (data.variant, data.usage, data.raw_usage) == (
        "lsb-first/nibble-swapped",
        "item-not-circulating",
        2,
    )
    assert encode_danish(data, variant="lsb-first/nibble-swapped") == bytes(tag)


def test_swapped_nibbles_with_crc_over_canonical_byte() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[0] = 0x17  # discarded; CRC computed over this canonical byte ...
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    tag[0] = 0x71  # ... then the writer swapped the nibbles
    data = decode_danish(bytes(tag))
    assert (data.variant, data.usage) == ("lsb-first/nibble-swapped", "discarded")


def test_unknown_version_is_refused_even_with_a_valid_crc() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[0] = 0x32  # neither nibble says version 1
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagDataError):
        decode_danish(bytes(tag))


@pytest.mark.parametrize("index", [0, 1, 5, 18, 19, 20, 22, 30])
def test_one_changed_byte_fails_the_crc(index: int) -> None:
    tag = bytearray(DANISH_DEICHMAN)
    tag[index] ^= 0x40
    with pytest.raises(TagDataError):
        decode_danish(bytes(tag))


def test_short_memory_and_error_root() -> None:
    with pytest.raises(TagDataError, match="32") as caught:
        decode_danish(DANISH_DEICHMAN[:28])
    assert isinstance(caught.value, DriverError)


def test_set_fields_byte_1_parts_byte_2_part_number() -> None:
    data = TagData("danish", "", "SET-1", "NL-123", "NL", 3, 2, "item-circulating", None)
    tag = encode_danish(data)
    assert tag[1:3] == bytes([3, 2])
    assert (decode_danish(tag).parts_in_set, decode_danish(tag).part_number) == (3, 2)


def test_part_beyond_set_is_refused() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[1], tag[2] = 2, 3
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagDataError, match="part 3 of a set of 2"):
        decode_danish(bytes(tag))


def test_zero_set_fields_mean_one_part() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[1] = tag[2] = 0
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    assert (decode_danish(bytes(tag)).parts_in_set, decode_danish(bytes(tag)).part_number) == (1, 1)


def test_patron_card_usage() -> None:
    card = encode_danish(TagData("danish", "", "21234000012345", None, None, 1, 1, "patron-card", None))
    assert card[0] == 0x18
    assert decode_danish(card).usage == "patron-card"
    assert not decode_danish(card).is_item


def test_full_basic_block_with_eleven_character_library() -> None:
    tag = bytearray(40)
    tag[0:3] = bytes([0x11, 1, 1])
    tag[3:11] = b"12345678"
    tag[21:23] = b"DK"
    tag[23:34] = b"ABCDEFGHIJK"
    crc = crc16_ccitt_false(bytes(tag[:19] + tag[21:34]))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    assert decode_danish(bytes(tag)).owner_isil == "DK-ABCDEFGHIJK"


def test_odd_owner_fields_are_shown_raw_not_refused() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[21:23] = b"\x01\x02"
    tag[25] = 0x07  # "70\x07" is not text
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    data = decode_danish(bytes(tag))
    assert (data.item_id, data.owner_isil, data.country) == ("11223344", None, None)
    assert data.extra == (("country_raw", "0102"), ("library_raw", "373007000000000000"))


def test_encoder_takes_the_country_from_the_isil() -> None:
    tag = encode_danish(TagData("danish", "", "1", "NL-0000123", None, 1, 1, "item-circulating", None))
    assert tag[21:30] == b"NL0000123"


def test_garbage_behind_padding_is_refused() -> None:
    tag = bytearray(DANISH_LIBDANRFID)
    tag[14] = ord("X")  # "11223344\0\0\0X..." is not a padded id
    crc = danish_crc(bytes(tag))
    tag[19], tag[20] = crc & 0xFF, crc >> 8
    with pytest.raises(TagDataError, match="padding"):
        decode_danish(bytes(tag))


@pytest.mark.parametrize(
    "bad",
    [
        TagData("danish", "", "12345678901234567", None, None, 1, 1, "item-circulating", None),  # 17 chars
        TagData("danish", "", "", None, None, 1, 1, "item-circulating", None),
        TagData("danish", "", "caf\u00e9", None, None, 1, 1, "item-circulating", None),
        TagData("danish", "", "1", "NL-0123456789", "NL", 1, 1, "item-circulating", None),  # library > 9
        TagData("danish", "", "1", None, None, 2, 3, "item-circulating", None),
        TagData("danish", "", "1", None, None, 1, 1, "mystery", None),
    ],
)
def test_encoder_refuses_what_does_not_fit(bad: TagData) -> None:
    with pytest.raises(TagDataError):
        encode_danish(bad)


def test_encoder_refuses_unknown_variant() -> None:
    with pytest.raises(TagDataError, match="variant"):
        encode_danish(decode_danish(DANISH_LIBDANRFID), variant="big-endian")


_ids = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=16)
_library = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=9).filter(
    lambda text: text[2:3] != "-"
)  # "AB-x" without a country would be read as the ISIL AB-x


@FAST
@given(
    item_id=_ids,
    parts=st.integers(1, 255),
    data=st.data(),
    country=st.sampled_from([None, "NL", "DK", "NO"]),
    library=_library,
    category=st.integers(0, 15),
    variant=st.sampled_from(DANISH_VARIANTS),
    block_size=st.sampled_from([4, 8]),
)
def test_round_trip_random_ids(
    item_id: str,
    parts: int,
    data: st.DataObject,
    country: str | None,
    library: str,
    category: int,
    variant: str,
    block_size: int,
) -> None:
    part = data.draw(st.integers(1, parts))
    isil = f"{country}-{library}" if country and library else (library or None)
    original = TagData("danish", "", item_id, isil, country, parts, part, "x", category)
    decoded = decode_danish(
        encode_danish(original, block_size=block_size, variant=variant), block_size=block_size
    )
    assert (
        decoded.item_id,
        decoded.owner_isil,
        decoded.country,
        decoded.parts_in_set,
        decoded.part_number,
        decoded.raw_usage,
    ) == (item_id, isil, country, parts, part, category)
    # byte 0 = 0x11 reads the same with swapped nibbles, so that tag is reported unswapped
    expected = variant.split("/")[0] if category == 1 else variant
    assert decoded.variant == expected


@FAST
@given(item_id=_ids, index=st.integers(0, 31), flip=st.integers(1, 255))
def test_a_corrupted_byte_never_decodes_to_other_data(item_id: str, index: int, flip: int) -> None:
    original = TagData("danish", "", item_id, "NL-1234", "NL", 2, 1, "item-circulating", None)
    tag = bytearray(encode_danish(original))
    tag[index] ^= flip
    try:
        decoded = decode_danish(bytes(tag))
    except TagDataError:
        return
    assert (decoded.item_id, decoded.owner_isil, decoded.parts_in_set, decoded.part_number) == (
        item_id,
        "NL-1234",
        2,
        1,
    )
