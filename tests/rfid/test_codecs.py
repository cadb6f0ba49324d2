"""Frame codecs and CRCs against every frame example in the rfid note (§4.1, §4.2), fed byte by byte."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.rfid import feig_codec as fc
from drivers.rfid import m3_codec as mc
from drivers.rfid.crc import crc16_feig, crc16_genibus
from drivers.rfid.errors import (
    ReaderError,
    ReaderOverflow,
    TagAirError,
    TagLocked,
    TagNotFound,
    TagRefused,
    TagWriteFailed,
)
from drivers.rfid.reader import normalise_uid, uid_bytes

UID = uid_bytes("E004010050338607")


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def feed_bytewise(decoder: fc.FrameDecoder | mc.FrameDecoder, raw: bytes) -> list[object]:
    out: list[object] = []
    for i, byte in enumerate(raw):
        got = decoder.feed(bytes((byte,)))
        if i < len(raw) - 1:
            assert got == [], f"frame complete after {i + 1} of {len(raw)} bytes"
        out += got
    return out


def test_crc_check_values() -> None:
    assert crc16_feig(b"123456789") == 0x6F91  # CRC-16/MCRF4XX
    assert crc16_genibus(b"123456789") == 0xD64E  # CRC-16/GENIBUS


# --- FEIG ---------------------------------------------------------------------------------------------------

ANNEX_F_WRITE = h("1E FF B0 24 01 E0 07 00 00 01 47 67 7E 00 03 04 04 03 02 01 14 13 12 11 24 23 22 21 7C 34")
ANNEX_F_READ = h("17 00 B0 00 03 04 00 04 03 02 01 00 14 13 12 11 00 24 23 22 21 B4 5B")
BLOCKS_012 = h("01020304 11121314 21222324")


def test_annex_f_write_frame_is_what_the_host_builds() -> None:
    data = fc.write_multiple_data(h("E0 07 00 00 01 47 67 7E"), 0, BLOCKS_012, 4)
    assert fc.build_request(fc.Request(0xFF, fc.CMD_ISO, data)) == ANNEX_F_WRITE
    (req,) = feed_bytewise(fc.FrameDecoder(responses=False), ANNEX_F_WRITE)
    assert req == fc.Request(0xFF, 0xB0, data)


def test_annex_f_read_answer_decodes_to_tag_order() -> None:
    (resp,) = feed_bytewise(fc.FrameDecoder(), ANNEX_F_READ)
    assert isinstance(resp, fc.Response)
    assert (resp.addr, resp.cmd, resp.status) == (0x00, 0xB0, 0x00)
    assert fc.parse_read_multiple(resp.data) == (4, BLOCKS_012)
    assert fc.build_response(resp) == ANNEX_F_READ


@pytest.mark.parametrize(
    ("frame", "data"),
    [
        ("07 FF B0 01 00 1C 56", fc.inventory_data()),
        ("0F FF B0 2B 01 E0 04 01 00 50 33 86 07 9E D4", fc.system_info_data(UID)),
        ("10 FF B0 27 01 E0 04 01 00 50 33 86 07 C2 F1 33", fc.write_afi_data(UID, 0xC2)),
        ("11 FF B0 23 01 E0 04 01 00 50 33 86 07 00 08 3B DE", b"\x23\x01" + UID + b"\x00\x08"),
    ],
)
def test_note_example_frames(frame: str, data: bytes) -> None:
    assert fc.build_request(fc.Request(0xFF, fc.CMD_ISO, data)) == h(frame)
    assert feed_bytewise(fc.FrameDecoder(responses=False), h(frame)) == [fc.Request(0xFF, 0xB0, data)]


def test_advanced_frame_go_feig_vector() -> None:
    raw = h("02 00 08 FF 52 00 4A C3")
    assert feed_bytewise(fc.FrameDecoder(responses=False), raw) == [fc.Request(0xFF, 0x52, b"\x00", True)]
    assert fc.build_request(fc.Request(0xFF, 0x52, b"\x00", advanced=True)) == raw


def test_long_answer_needs_the_advanced_frame() -> None:
    big = fc.Response(0, 0xB0, 0, bytes(300))
    with pytest.raises(ValueError, match="advanced"):
        fc.build_response(big)
    raw = fc.build_response(fc.Response(0, 0xB0, 0, bytes(300), advanced=True))
    assert feed_bytewise(fc.FrameDecoder(), raw) == [fc.Response(0, 0xB0, 0, bytes(300), True)]


def test_decoder_with_trailing_data_bad_crc_and_junk() -> None:
    dec = fc.FrameDecoder()
    good = fc.build_response(fc.Response(0, 0xB0, 0, b"\x00"))
    bad = bytearray(good)
    bad[-1] ^= 1
    out = dec.feed(good + bytes(bad) + b"\x01" + good[:3])
    assert out[0] == fc.Response(0, 0xB0, 0, b"\x00")
    assert isinstance(out[1], fc.FrameError) and out[1].reason == "CRC error"
    assert isinstance(out[2], fc.FrameError) and "length" in out[2].reason
    assert dec.pending == 3
    assert dec.feed(good[3:]) == [fc.Response(0, 0xB0, 0, b"\x00")]


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=240), st.booleans())
def test_feig_request_round_trip(addr: int, cmd: int, data: bytes, advanced: bool) -> None:
    req = fc.Request(addr, cmd, data, advanced)
    assert fc.FrameDecoder(responses=False).feed(fc.build_request(req)) == [req]


@given(st.binary(min_size=4, max_size=64).filter(lambda b: len(b) % 4 == 0))
def test_block_reversal_is_its_own_inverse(data: bytes) -> None:
    assert fc.reverse_blocks(fc.reverse_blocks(data, 4), 4) == data


@pytest.mark.parametrize(
    ("status", "data", "error"),
    [
        (0x01, b"", TagNotFound),
        (0x02, b"", TagAirError),
        (0x03, b"\x00", TagWriteFailed),
        (0x83, b"", TagAirError),
        (0x95, b"\x12", TagLocked),
        (0x95, b"\x10", TagRefused),
        (0x95, b"\x0f", TagRefused),
        (0x93, b"", ReaderOverflow),
        (0x04, b"", ReaderError),
        (0x11, b"", ReaderError),
        (0x80, b"", ReaderError),
        (0x81, b"", ReaderError),
        (0x82, b"", ReaderError),
        (0x7F, b"", ReaderError),
    ],
)
def test_feig_status_to_typed_error(status: int, data: bytes, error: type[Exception]) -> None:
    exc = fc.status_error(status, data, "E004010050338607")
    assert type(exc) is error
    assert f"0x{status:02X}" in str(exc)


def test_feig_answer_parsers_reject_what_does_not_add_up() -> None:
    with pytest.raises(ValueError):
        fc.parse_inventory(b"\x02" + bytes(10))
    with pytest.raises(ValueError):
        fc.parse_read_multiple(b"\x02\x04" + bytes(5))
    with pytest.raises(ValueError):
        fc.parse_system_info(bytes(12))
    info = fc.parse_system_info(b"\x00" + UID + b"\xc2\x03\x1f\x01")
    assert info == (0, UID, 0xC2, 4, 32, 1)


# --- 3M ----------------------------------------------------------------------------------------------------


def test_3m_spec_bcc_example_and_helsinki_captures() -> None:
    assert crc16_genibus(h("00 09 03 00 02 00 00 00 03")) == 0x12E6
    # Helsinki's captured start-up answers (D5 start byte, same BCC over everything after it)
    for frame in ("D5 00 09 04 00 11 0A 05 02 1B 97 2A", "D5 00 09 04 00 11 0A 05 01 19 E2 3B"):
        raw = h(frame)
        assert crc16_genibus(raw[1:-2]) == raw[-2] << 8 | raw[-1]
    # the docstring example that does not check (a copy-paste error in the source, rfid note §4.2)
    raw = h("D6 00 08 11 0A 05 02 19 E2 3B")
    assert crc16_genibus(raw[1:-2]) != raw[-2] << 8 | raw[-1]
    assert mc.FrameDecoder().feed(raw) == []  # LEN 8 announces one byte more than it carries


@pytest.mark.parametrize(
    ("frame", "request_"),
    [
        ("D6 00 05 FE 00 05 FA 40", mc.Frame(0xFE, b"\x00\x05")),
        ("D6 00 0C 09 E0 04 01 00 50 33 86 07 C2 16 3E", mc.addressed(mc.CMD_WRITE_AFI, UID, 0xC2)),
        ("D6 00 0C 0C E0 04 01 00 50 33 86 07 00 2D 40", mc.addressed(mc.CMD_EAS_CONTROL, UID, 0)),
    ],
)
def test_3m_note_example_frames(frame: str, request_: mc.Frame) -> None:
    assert mc.build(request_) == h(frame)
    assert feed_bytewise(mc.FrameDecoder(responses=False), h(frame)) == [request_]


def test_3m_decoder_junk_trailing_and_responses() -> None:
    answer = mc.Frame(mc.CMD_GET_AFI, UID + b"\x07", mc.OK)
    raw = mc.build(answer)
    dec = mc.FrameDecoder()
    assert feed_bytewise(dec, raw) == [answer]
    out = dec.feed(b"\x00\x13" + raw + raw[:4])
    assert out == [mc.FrameError("bytes outside a frame", b"\x00\x13"), answer]
    assert dec.pending == 4


@given(st.integers(0, 255), st.binary(max_size=200))
def test_3m_round_trip(cmd: int, data: bytes) -> None:
    frame = mc.Frame(cmd, data)
    assert mc.FrameDecoder(responses=False).feed(mc.build(frame)) == [frame]


def test_3m_inventory_answer_keeps_duplicates_and_checks_its_length() -> None:
    body = b"\x00\x03\x02" + b"\x00" + UID + b"\x00" + UID
    assert mc.parse_inventory(body) == [(0, UID), (0, UID)]
    with pytest.raises(ValueError):
        mc.parse_inventory(body[:-1])


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (0x06, TagNotFound),
        (0x16, TagWriteFailed),
        (0x12, TagLocked),
        (0x11, TagRefused),
        (0x21, TagRefused),
        (0x02, ReaderError),
        (0x32, ReaderError),
    ],
)
def test_3m_error_to_typed_error(code: int, error: type[Exception]) -> None:
    assert type(mc.error_for(code, "E004010050338607")) is error


def test_uid_forms() -> None:
    assert normalise_uid("e0:04:01:50:33:86:07:ae") == "E0040150338607AE"
    with pytest.raises(ValueError):
        normalise_uid("E00401")
