"""The legacy 3M 501 layout and blank tags."""

from __future__ import annotations

import pytest

from drivers.errors import TagDataError
from drivers.rfid.models import blank_kind, decode_3m_501, encode_3m_501

from .vectors import M3_BOOK


def test_book_as_biblio_rfid_writes_it() -> None:
    data = decode_3m_501(M3_BOOK)
    assert (data.model, data.item_id, data.parts_in_set, data.part_number) == ("3m-501", "1301234567", 1, 1)
    assert dict(data.extra) == {"item_type": "book", "branch": "3", "library": "5", "custom": "0"}
    assert encode_3m_501("1301234567", branch=3, library=5) == M3_BOOK[:32]


def test_set_nibbles_part_high_parts_low() -> None:
    tag = encode_3m_501("A1", parts_in_set=3, part_number=2, item_type=9, branch=5, library=77, custom=-1)
    assert tag[:4] == bytes([0x04, 0x23, 0x00, 0x09])
    data = decode_3m_501(tag)
    assert (data.parts_in_set, data.part_number) == (3, 2)
    assert dict(data.extra)["item_type"] == "book with cd/cd-rom"
    extra = dict(data.extra)
    assert (extra["branch"], extra["library"], extra["custom"]) == ("5", "77", "-1")


@pytest.mark.parametrize(
    ("index", "value", "reason"),
    [
        (0, 0x05, "block 0"),
        (2, 0x01, "block 0"),
        (3, 0x42, "item type"),
        (1, 0x32, "part 3 of 2"),
        (4, 0x00, "padding"),
        (5, 0xFF, "ASCII"),
        (6, 0x07, "control"),
    ],
)
def test_implausible_tags_are_refused(index: int, value: int, reason: str) -> None:
    tag = bytearray(M3_BOOK)
    tag[index] = value
    with pytest.raises(TagDataError, match=reason):
        decode_3m_501(bytes(tag))


def test_blank_kinds() -> None:
    assert blank_kind(bytes(112)) == "zeros"
    assert blank_kind(b"\x55" * 24 + bytes(4)) == "3m-blank"
    assert blank_kind(b"\x55" * 24 + bytes(4) + b"\x55" * 8) == "3m-blank"
    assert blank_kind(b"\x55" * 28) is None
    assert blank_kind(M3_BOOK) is None
    assert blank_kind(b"") is None


def test_encoder_refuses_bad_values() -> None:
    for kwargs in ({"parts_in_set": 16, "part_number": 1}, {"item_type": 42}, {"branch": 4096}):
        with pytest.raises(TagDataError):
            encode_3m_501("1", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TagDataError):
        encode_3m_501("x" * 17)
