"""Sans-IO codec: APDU lengths, framing round trips (hypothesis), incremental parsers, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceProtocolError
from drivers.payment import messages as m
from drivers.payment.codec import (
    Apdu,
    ApduStreamParser,
    EventKind,
    FrameParser,
    decode_apdu,
    decode_frame,
    encode_apdu,
    encode_frame,
    split_apdu,
)
from drivers.payment.fields import (
    bcd_decode,
    bcd_encode,
    encode_bmp,
    encode_tlv,
    parse_bitmaps,
    parse_tlv,
    password_bcd,
)
from drivers.payment.status_information import parse_status_information

apdus = st.builds(
    Apdu,
    st.integers(0, 255),
    st.integers(0, 255),
    st.one_of(st.binary(max_size=300), st.binary(min_size=250, max_size=700)),
)


def test_extended_length_boundaries() -> None:
    assert encode_apdu(Apdu(6, 0xD3, b"x" * 254))[:3] == bytes((6, 0xD3, 254))
    assert encode_apdu(Apdu(6, 0xD3, b"x" * 255))[:5] == bytes((6, 0xD3, 0xFF, 0xFF, 0x00))
    assert encode_apdu(Apdu(6, 0xD3, b"x" * 861))[:5] == bytes.fromhex("06D3FF5D03")  # P015 §5.1
    with pytest.raises(ValueError):
        encode_apdu(Apdu(6, 1, b"x" * 65536))


@given(apdus)
@settings(max_examples=150, deadline=None)
def test_apdu_round_trip(apdu: Apdu) -> None:
    raw = encode_apdu(apdu)
    assert decode_apdu(raw) == apdu
    assert split_apdu(raw + b"\x80\x00") == (apdu, len(raw))
    assert split_apdu(raw[:-1]) is None if apdu.data else True


@given(apdus, st.binary(max_size=20))
@settings(max_examples=150, deadline=None)
def test_frame_round_trip_with_dle_doubling(apdu: Apdu, trailing: bytes) -> None:
    frame = encode_frame(apdu)
    body = frame[2:-4]
    assert body.count(b"\x10") == 2 * encode_apdu(apdu).count(b"\x10")  # every DLE doubled
    got, rest = decode_frame(frame + trailing)
    assert got == apdu and rest == trailing


@given(st.lists(apdus, min_size=1, max_size=4), st.data())
@settings(max_examples=80, deadline=None)
def test_frame_parser_any_chunking(frames: list[Apdu], data: st.DataObject) -> None:
    stream = b"\x06".join(encode_frame(a) for a in frames) + b"\x15"
    parser = FrameParser()
    events = []
    pos = 0
    while pos < len(stream):
        n = data.draw(st.integers(1, 40))
        events += parser.feed(stream[pos : pos + n])
        pos += n
    kinds = [e.kind for e in events]
    assert kinds.count(EventKind.ERROR) == 0
    assert [decode_apdu(e.payload) for e in events if e.kind is EventKind.FRAME] == frames
    assert kinds.count(EventKind.ACK) == len(frames) - 1 and kinds[-1] is EventKind.NAK


@given(st.lists(apdus, min_size=1, max_size=4), st.data())
@settings(max_examples=80, deadline=None)
def test_tcp_stream_parser_any_fragmentation(items: list[Apdu], data: st.DataObject) -> None:
    stream = b"".join(encode_apdu(a) for a in items)
    parser = ApduStreamParser()
    got: list[Apdu] = []
    pos = 0
    while pos < len(stream):
        n = data.draw(st.integers(1, 30))
        got += parser.feed(stream[pos : pos + n])
        pos += n
    assert got == items and parser.pending == 0


def test_tcp_stream_parser_keeps_partial_apdu() -> None:
    parser = ApduStreamParser()
    assert parser.feed(bytes.fromhex("800000 04FF")) == [Apdu(0x80, 0)]
    assert parser.pending == 2
    assert parser.feed(bytes.fromhex("01 0A 060F")) == [Apdu(4, 0xFF, b"\x0a")]
    assert parser.feed(b"\x00") == [Apdu(6, 0x0F)]


def test_frame_parser_t1_expiry_reports_error_and_recovers() -> None:
    frame = encode_frame(m.ack_apdu())
    parser = FrameParser()
    assert parser.feed(frame[:4]) == [] and parser.in_frame
    assert [e.kind for e in parser.expire()] == [EventKind.ERROR]
    assert parser.expire() == []
    assert [e.kind for e in parser.feed(frame)] == [EventKind.FRAME]


def test_frame_parser_restart_inside_frame_and_noise() -> None:
    frame = encode_frame(Apdu(4, 0xFF, b"\x0a"))
    events = FrameParser().feed(b"\x42" + frame[:5] + frame)
    # noise outside a frame is reported (to log) but is no error; the broken frame is one error
    assert [e.kind for e in events] == [EventKind.NOISE, EventKind.ERROR, EventKind.FRAME]


def test_frame_parser_a_run_of_noise_is_one_event_and_never_an_error() -> None:
    frame = encode_frame(m.ack_apdu())
    events = FrameParser().feed(b"\x42\x43\x10\x44\xff" * 20 + frame + b"\x99\x98" + frame)
    assert [e.kind for e in events] == [EventKind.NOISE, EventKind.FRAME, EventKind.NOISE, EventKind.FRAME]


def test_frame_parser_t1_break_is_one_error_and_its_tail_is_skipped() -> None:
    # the tail of a frame given up on (T1) holds data bytes 06 and 15: never taken for ACK / NAK
    frame = encode_frame(Apdu(0x04, 0x0F, bytes.fromhex("2700 04000000000615 0B000015")))
    parser = FrameParser()
    assert parser.feed(frame[:6]) == []
    assert [e.kind for e in parser.expire()] == [EventKind.ERROR]
    assert parser.feed(frame[6:]) == []  # the rest of the broken frame: skipped
    assert parser.expire() == []  # the line went quiet: resynchronised, no second error
    assert [e.kind for e in parser.feed(frame)] == [EventKind.FRAME]
    # a broken frame (DLE + junk) followed at once by a good one: one error, then the frame
    bad = frame[:4] + b"\x10\x07" + frame[4:]
    assert [e.kind for e in FrameParser().feed(bad + frame)] == [EventKind.ERROR, EventKind.FRAME]


def test_decode_frame_errors() -> None:
    frame = encode_frame(m.ack_apdu())
    for bad in (b"", b"\x06", frame[:-1], b"\x10\x03" + frame[2:], frame[:2] + b"\x10\x05" + frame[2:]):
        with pytest.raises(DeviceProtocolError):
            decode_frame(bad)
    # a frame whose LEN disagrees with its content is a protocol error, even with a good CRC
    with pytest.raises(DeviceProtocolError):
        decode_frame(encode_frame(b"\x80\x00\x02\x01"))


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_fuzz_frame_layer_only_events_or_protocol_errors(noise: bytes) -> None:
    # the incremental parser never raises: noise becomes NOISE (logged) or ERROR (NAK) events
    events = FrameParser().feed(noise)
    for ev in events:
        assert ev.kind in (EventKind.ACK, EventKind.NAK, EventKind.FRAME, EventKind.ERROR, EventKind.NOISE)
    # never more NAKs than frame starts: one per broken frame, not one per byte
    assert sum(ev.kind is EventKind.ERROR for ev in events) <= max(noise.count(b"\x10\x02"), 0)
    try:
        decode_frame(noise)
    except DeviceProtocolError:
        pass
    try:
        decode_apdu(noise)
    except DeviceProtocolError:
        pass


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_fuzz_message_parsers_raise_only_protocol_errors(data: bytes) -> None:
    parsers = (
        parse_status_information,
        m.parse_completion,
        m.parse_abort,
        m.parse_intermediate_status,
        m.parse_print_line,
        m.parse_text_block,
        parse_tlv,
        parse_bitmaps,
    )
    for parse in parsers:
        try:
            parse(data)  # type: ignore[operator]
        except DeviceProtocolError:
            pass


def test_bcd_and_password() -> None:
    assert bcd_encode(1250, 6) == bytes.fromhex("000000001250")
    assert bcd_decode(bytes.fromhex("000000001250")) == 1250
    with pytest.raises(ValueError):
        bcd_encode(10**12, 6)
    with pytest.raises(DeviceProtocolError):
        bcd_decode(b"\x1a")
    assert password_bcd("123456") == bytes.fromhex("123456")
    for bad in ("12345", "1234567", "12a456"):
        with pytest.raises(ValueError):
            password_bcd(bad)


def test_bitmaps_and_tlv() -> None:
    data = encode_bmp(0x27, b"\x00") + encode_bmp(0x8B, b"Maestro\x00") + encode_bmp(0x3C, b"x" * 120)
    bmps = parse_bitmaps(data)
    assert bmps.get(0x8B) == b"Maestro\x00" and len(bmps.get(0x3C) or b"") == 120
    with pytest.raises(DeviceProtocolError):
        parse_bitmaps(data + b"\x5f\x01")
    lenient = parse_bitmaps(data + b"\x5f\x01", lenient=True)
    assert lenient.unknown == 0x5F and lenient.get(0x27) == b"\x00"
    with pytest.raises(DeviceProtocolError):
        parse_bitmaps(encode_bmp(0x04, bcd_encode(1, 6))[:-1])
    long_value = b"y" * 300
    tlv = parse_tlv(encode_tlv(0x1F70, b"\x00") + encode_tlv(0x07, long_value))
    assert tlv[0].tag == 0x1F70 and tlv[0].value == b"\x00" and tlv[1].value == long_value
    with pytest.raises(DeviceProtocolError):
        parse_tlv(b"\x07\x05ab")
