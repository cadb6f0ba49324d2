"""Issue 12 item 6: the ZVT decoders raise only :class:`DeviceProtocolError`, whatever the bytes.

A bounded Hypothesis budget runs in ``make test``; ``make fuzz-zvt`` runs the same properties much longer
(``ZVT_FUZZ_EXAMPLES``). Inputs: random bytes, and well-formed TLV containers nested far deeper than any
terminal nests them (which used to exhaust the recursion limit in ``parse_tlv``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceProtocolError
from drivers.payment import messages as m
from drivers.payment.codec import FrameParser, decode_apdu, decode_frame, encode_frame
from drivers.payment.fields import MAX_TLV_DEPTH, ber_length, parse_bitmaps, parse_tlv
from drivers.payment.si_answers import parse_si
from drivers.payment.status_information import parse_status_information

EXAMPLES = int(os.environ.get("ZVT_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

DECODERS: tuple[Callable[[bytes], object], ...] = (
    parse_status_information,
    m.parse_completion,
    m.parse_abort,
    m.parse_intermediate_status,
    m.parse_print_line,
    m.parse_text_block,
    parse_tlv,
    parse_bitmaps,
    lambda d: parse_bitmaps(d, lenient=True),
    decode_apdu,
    decode_frame,
)


def nested_tlv(depth: int, leaf: bytes, tag: int = 0x26) -> bytes:
    """``depth`` constructed TLVs one inside the other around ``leaf`` (built without recursion)."""
    out = leaf
    for _ in range(depth):
        out = bytes((tag,)) + ber_length(len(out)) + out
    return out


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    """Random bytes, or a BMP 06 holding TLVs nested up to thousands deep, in a message's layout."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    depth = draw(st.integers(0, 3000))
    tlv = nested_tlv(depth, draw(st.binary(max_size=8)), draw(st.sampled_from([0x26, 0x25, 0x3F, 0xE1])))
    prefix = draw(st.sampled_from([b"\x27\x00", b"\x6c", b"", b"\x27\x00\x04\x00\x00\x00\x00\x12\x50"]))
    tail = draw(st.binary(max_size=8))
    return prefix + b"\x06" + ber_length(len(tlv)) + tlv + tail


def check(decoder: Callable[[bytes], object], data: bytes) -> None:
    try:
        decoder(data)
    except DeviceProtocolError:
        pass


@given(hostile())
@FUZZ
def test_decoders_raise_only_device_protocol_error(data: bytes) -> None:
    for decoder in DECODERS:
        check(decoder, data)
    parse_si(data)  # the driver's own reader never raises at all
    FrameParser().feed(data)
    FrameParser().feed(encode_frame(data[:0xFFFF]))


def test_deep_nesting_is_refused_cleanly_and_shallow_nesting_read() -> None:
    deep = nested_tlv(5000, b"\x07\x01A")
    try:
        parse_tlv(deep)
    except DeviceProtocolError as exc:
        assert "nested deeper" in str(exc)
    else:
        raise AssertionError("5000 levels of TLV were accepted")
    ok = nested_tlv(MAX_TLV_DEPTH, b"\x07\x01A", tag=0x25)
    assert m.parse_text_block(b"\x06" + ber_length(len(ok)) + ok) == ["A"]
    # an abort whose extended error text is unreadable is still an abort with its result code
    bad = b"\x6c\x06" + ber_length(len(deep)) + deep
    assert m.parse_abort(bad).result_code == 0x6C
    approved = bytes.fromhex("2700 04000000001250")
    si = parse_status_information(approved + b"\x06" + ber_length(len(deep)) + deep)
    assert si.approved and si.amount == 1250
