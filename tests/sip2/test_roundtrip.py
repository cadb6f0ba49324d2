"""Property tests: all message types round-trip in all dialects; random bytes raise only Sip2ProtocolError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sip2.codec import FrameBuffer, decode_frame, encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ProtocolError
from sip2.messages import Message
from tests.sip2.strategies import ALL_TYPES, message_strategy

DIALECTS = st.builds(
    Dialect,
    terminator=st.sampled_from(["cr", "crlf"]),
    encoding=st.sampled_from(["cp850", "utf-8", "latin-1"]),
    error_detection=st.sampled_from(["on", "off", "auto"]),
)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda cls: f"{cls.CODE}-{cls.__name__}")
def test_round_trip_every_message_type(cls: type[Message]) -> None:
    @FAST
    @given(message=message_strategy(cls), dialect=DIALECTS, sequence=st.none() | st.integers(0, 9))
    def check(message: Message, dialect: Dialect, sequence: int | None) -> None:
        wire = encode(message, dialect, sequence=sequence)
        assert wire.endswith(dialect.terminator_bytes)
        frame = decode_frame(wire, dialect)
        assert frame.message == message
        if dialect.sends_checksums:
            assert frame.checksum_valid is True
            assert frame.sequence == sequence
        else:
            assert frame.checksum is None
        # The same bytes arriving in two arbitrary pieces give the same single frame.
        buffer = FrameBuffer()
        cut = len(wire) // 3
        frames = buffer.feed(wire[:cut]) + buffer.feed(wire[cut:])
        assert len(frames) == 1 and decode_frame(frames[0], dialect).message == message

    check()


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=300), dialect=DIALECTS)
def test_random_bytes_raise_only_protocol_errors(data: bytes, dialect: Dialect) -> None:
    try:
        for frame in FrameBuffer(max_frame=200).feed(data + b"\r"):
            decode_frame(frame, dialect)
    except Sip2ProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    message=st.sampled_from(ALL_TYPES).flatmap(message_strategy),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    dialect=DIALECTS,
)
def test_corrupted_messages_raise_only_protocol_errors(
    message: Message, flips: list[tuple[int, int]], dialect: Dialect
) -> None:
    wire = bytearray(encode(message, dialect, sequence=1))
    for position, value in flips:
        wire[position % len(wire)] = value
    try:
        decode_frame(bytes(wire), dialect)
    except Sip2ProtocolError:
        pass


@pytest.mark.parametrize("cls", ALL_TYPES, ids=lambda cls: f"{cls.CODE}-{cls.__name__}")
def test_every_decoder_whole_byte_by_byte_and_with_trailing_data(cls: type[Message]) -> None:
    message = cls()  # every default: deterministic
    dialect = Dialect()
    wire = encode(message, dialect, sequence=7)
    assert decode_frame(wire, dialect).message == message
    buffer = FrameBuffer()
    frames = [frame for i in range(len(wire)) for frame in buffer.feed(wire[i : i + 1])]
    assert len(frames) == 1 and decode_frame(frames[0], dialect).message == message
    buffer = FrameBuffer()
    frames = buffer.feed(wire + b"\n" + wire[:5])
    assert len(frames) == 1 and buffer.pending == wire[:5]
    assert decode_frame(frames[0], dialect).message == message


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=80), max_size=6), dialect=DIALECTS)
def test_connection_fed_random_bytes_raises_only_protocol_errors(
    chunks: list[bytes], dialect: Dialect
) -> None:
    from sip2.connection import Reply, Sip2Connection, Transmit
    from sip2.messages import ItemInformationRequest

    connection = Sip2Connection(dialect, max_resends=2)
    connection.start_request(ItemInformationRequest(item_id="1"))
    try:
        for chunk in chunks:
            for event in connection.receive_data(chunk + b"\r"):
                assert isinstance(event, (Reply, Transmit))
    except Sip2ProtocolError:
        pass
