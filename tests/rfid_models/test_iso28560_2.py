"""ISO 28560-2 (ISO/IEC 15962 data elements): a hand-built tag, compactions, strictness, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import TagDataError
from drivers.rfid.models import TagData, decode_iso28560_2, encode_iso28560_2
from drivers.rfid.models import compaction as cp

from .vectors import FAST, ISO2_FINNISH


def test_hand_built_finnish_tag() -> None:
    data = decode_iso28560_2(ISO2_FINNISH)
    assert data == TagData("iso28560-2", "", "1234", "FI-He", "FI", 3, 2, "item-circulating", 0x10)


def test_isil_compaction_by_hand() -> None:
    # F I - H in the upper-case table, latch lower (28), e; two one-bits of padding
    assert cp.encode_isil("FI-He") == bytes.fromhex("32408e17")
    assert cp.decode_isil(bytes.fromhex("32408e17")) == "FI-He"
    # digits latch to the 4-bit table (code 30): "NL-1" = N L - latch-numeric 1, padded with ones
    bits = "011100110000000111100001"
    assert cp.encode_isil("NL-1") == int(bits + "1" * (-len(bits) % 8), 2).to_bytes(3, "big")


def test_shift_applies_to_one_character_only() -> None:
    bits = "0000111111000100010" + "11111"  # A, shift numeric, 1, B (back in upper case), padding
    assert cp.decode_isil(int(bits, 2).to_bytes(3, "big")) == "A1B"


@pytest.mark.parametrize(
    ("compaction", "text", "stored"),
    [
        (cp.INTEGER, "12345", bytes.fromhex("3039")),
        (cp.NUMERIC, "0012", (10012).to_bytes(2, "big")),
        (cp.FIVE_BIT, "AB", bytes([0b00001000, 0b10000000])),
        (cp.SIX_BIT, "A1", bytes([0b00000111, 0b00010000])),
        (cp.SEVEN_BIT, "a", bytes([0b11000010])),
        (cp.OCTET, "h\u00e9", b"h\xe9"),
        (cp.UTF8, "x\u20ac", "x\u20ac".encode()),
    ],
)
def test_compaction_schemes(compaction: int, text: str, stored: bytes) -> None:
    assert cp.encode_compacted(compaction, text) == stored
    assert cp.decode_compacted(compaction, stored) == text


def test_element_with_offset_padding() -> None:
    # precursor E1: offset flag, octet compaction, OID 1; 2 padding bytes after "ABC"
    memory = bytes.fromhex("e1020341424300000501200000")
    data = decode_iso28560_2(memory)
    assert (data.item_id, data.usage, data.raw_usage) == ("ABC", "item-not-circulating", 0x20)


def test_other_elements_go_to_extra() -> None:
    memory = bytes.fromhex("6103414243") + bytes([0x66, 2]) + b"R1" + b"\x00"
    assert decode_iso28560_2(memory).extra == (("shelf_location", "R1"),)


@pytest.mark.parametrize(
    ("memory", "reason"),
    [
        (bytes.fromhex("0304328e0000"), "first data element"),
        (bytes.fromhex("61014161014200"), "twice"),
        (bytes.fromhex("6120414243"), "past the end"),
        (bytes.fromhex("618041"), "over 127"),
        (bytes.fromhex("6101410f2000"), "not a library data element"),  # OID 15 + 0x20
        (bytes.fromhex("00000000"), "no data elements"),
        (bytes.fromhex("61014114011700"), "set information"),
        (bytes.fromhex("610141050210100000"), "type of usage"),
        (bytes.fromhex("6102410100"), "control characters"),
        (bytes.fromhex("0101410000"), "no text compaction"),
    ],
)
def test_malformed_memory_is_refused(memory: bytes, reason: str) -> None:
    with pytest.raises(TagDataError, match=reason):
        decode_iso28560_2(memory)


def test_extended_oid() -> None:
    # precursor 6F = octet compaction, OID 15 + extension byte 2 → relative OID 17, the title
    memory = bytes.fromhex("61014d") + bytes([0x6F, 0x02, 0x02]) + b"Hi" + b"\x00"
    assert decode_iso28560_2(memory).extra == (("title", "Hi"),)


def test_memory_size_is_enforced() -> None:
    data = TagData("iso28560-2", "", "x" * 40, None, None, 1, 1, "item-circulating", None)
    with pytest.raises(TagDataError, match="do not fit"):
        encode_iso28560_2(data, memory_size=32)
    assert len(encode_iso28560_2(data, memory_size=112)) == 112


_printable = st.characters(codec="utf-8").filter(lambda c: c.isprintable())
_isil_tail = st.text(st.sampled_from("ABCxyz0123456789:/-"), min_size=1, max_size=10).filter(
    lambda s: not s.endswith("-")
)


@FAST
@given(
    item_id=st.text(_printable, min_size=1, max_size=24),
    country=st.sampled_from(["FI", "SE", "NO"]),
    tail=_isil_tail,
    parts=st.integers(1, 300),
    data=st.data(),
    category=st.integers(0, 15),
)
def test_round_trip(
    item_id: str, country: str, tail: str, parts: int, data: st.DataObject, category: int
) -> None:
    part = data.draw(st.integers(1, parts))
    isil = f"{country}-{tail}"
    original = TagData("iso28560-2", "", item_id, isil, country, parts, part, "x", category << 4 | 3)
    decoded = decode_iso28560_2(encode_iso28560_2(original, memory_size=112))
    assert decoded == TagData(
        "iso28560-2", "", item_id, isil, country, parts, part, decoded.usage, category << 4 | 3
    )


@FAST
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20))
def test_every_text_compaction_round_trips(text: str) -> None:
    for compaction in range(cp.INTEGER, cp.UTF8 + 1):
        try:
            stored = cp.encode_compacted(compaction, text)
        except TagDataError:
            continue
        assert cp.decode_compacted(compaction, stored) == text
