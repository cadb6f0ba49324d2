"""The sans-IO connection: sequence numbers, reply matching, 96/97 bookkeeping -- no sockets."""

from __future__ import annotations

import pytest

from sip2.codec import decode_frame, encode
from sip2.connection import Reply, Sip2Connection, Sip2ResendInDoubt, Transmit
from sip2.dialect import Dialect
from sip2.errors import Sip2OutcomeUnknown, Sip2ProtocolError, Sip2ResendError
from sip2.messages import (
    CheckoutRequest,
    CheckoutResponse,
    FeePaidRequest,
    ItemInformationRequest,
    ItemInformationResponse,
    LoginResponse,
    RequestSCResend,
)

ON = Dialect()


def reply_for(data: bytes, response: object = None, dialect: Dialect = ON) -> bytes:
    sequence = decode_frame(data, dialect).sequence
    return encode(response or ItemInformationResponse(item_id="1"), dialect, sequence=sequence)  # type: ignore[arg-type]


def test_sequence_increments_wraps_and_resets() -> None:
    connection = Sip2Connection(ON)
    seen = []
    for _ in range(12):
        data = connection.start_request(ItemInformationRequest(item_id="1"))
        seen.append(decode_frame(data).sequence)
        [event] = connection.receive_data(reply_for(data))
        assert isinstance(event, Reply)
    assert seen == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    connection.reset()
    assert connection.next_sequence == 0


def test_one_request_in_flight() -> None:
    connection = Sip2Connection(ON)
    connection.start_request(ItemInformationRequest(item_id="1"))
    with pytest.raises(Sip2ProtocolError):
        connection.start_request(ItemInformationRequest(item_id="2"))
    with pytest.raises(Sip2ProtocolError):
        Sip2Connection(ON).start_request(LoginResponse())  # not a request


def test_reply_split_over_many_reads_and_followed_by_noise() -> None:
    connection = Sip2Connection(ON)
    data = connection.start_request(ItemInformationRequest(item_id="1"))
    wire = reply_for(data)
    events = []
    for i in range(len(wire)):
        events += connection.receive_data(wire[i : i + 1])
    assert [type(e) for e in events] == [Reply]
    assert connection.pending is None
    assert connection.receive_data(wire) == [] and connection.discarded_frames == 1  # unsolicited


def test_mismatched_code_and_sequence_are_discarded() -> None:
    connection = Sip2Connection(ON)
    data = connection.start_request(ItemInformationRequest(item_id="1"))
    assert connection.receive_data(encode(CheckoutResponse(), ON, sequence=0)) == []
    assert connection.receive_data(encode(ItemInformationResponse(), ON, sequence=5)) == []
    [event] = connection.receive_data(reply_for(data))
    assert isinstance(event, Reply) and connection.discarded_frames == 2


def test_checksum_error_requests_resend_bounded() -> None:
    connection = Sip2Connection(ON, max_resends=2)
    data = connection.start_request(ItemInformationRequest(item_id="1"))
    good = reply_for(data)
    bad = good[:-3] + (b"1" if good[-3:-2] != b"1" else b"2") + good[-2:]
    for _ in range(2):
        [event] = connection.receive_data(bad)
        assert isinstance(event, Transmit) and event.data.startswith(b"97AZ")
    with pytest.raises(Sip2ProtocolError):
        connection.receive_data(bad)


def test_after_97_a_reply_restamped_ay0_is_accepted() -> None:
    connection = Sip2Connection(ON)
    for _ in range(3):
        connection.start_request(ItemInformationRequest(item_id="1"))
        connection.abandon()
    connection.start_request(ItemInformationRequest(item_id="1"))  # AY3
    assert connection.on_timeout() is not None
    assert connection.on_timeout() is None  # only one 97 after a timeout
    [event] = connection.receive_data(encode(ItemInformationResponse(), ON, sequence=0))  # SIPServer style
    assert isinstance(event, Reply)


def test_96_resends_the_same_bytes_bounded() -> None:
    connection = Sip2Connection(ON, max_resends=2)
    data = connection.start_request(CheckoutRequest(item_id="1"))
    for _ in range(2):
        [event] = connection.receive_data(encode(RequestSCResend(), ON))
        assert isinstance(event, Transmit) and event.data == data
    with pytest.raises(Sip2ResendError):
        connection.receive_data(encode(RequestSCResend(), ON))


def test_unreadable_reply_requests_resend() -> None:
    connection = Sip2Connection(ON)
    connection.start_request(ItemInformationRequest(item_id="1"))
    [event] = connection.receive_data(b"18garbage\r")
    assert isinstance(event, Transmit) and event.data.startswith(b"97")


def test_on_mode_accepts_and_counts_replies_without_checksum() -> None:
    connection = Sip2Connection(ON)
    connection.start_request(ItemInformationRequest(item_id="1"))
    [event] = connection.receive_data(encode(ItemInformationResponse(), Dialect(error_detection="off")))
    assert isinstance(event, Reply) and not event.checksum_present
    assert connection.replies_without_checksum == 1 and connection.sends_checksums


def test_auto_mode_drops_checksums_after_96_to_a_correct_message() -> None:
    connection = Sip2Connection(Dialect(error_detection="auto"))
    connection.start_request(ItemInformationRequest(item_id="1"))
    [event] = connection.receive_data(encode(RequestSCResend(), ON))
    assert isinstance(event, Transmit) and b"AZ" not in event.data
    assert not connection.sends_checksums


def test_off_mode_never_sends_trailer() -> None:
    connection = Sip2Connection(Dialect(error_detection="off"))
    data = connection.start_request(ItemInformationRequest(item_id="1"))
    assert b"AY" not in data and b"AZ" not in data


def corrupted(wire: bytes) -> bytes:
    return wire[:-3] + (b"1" if wire[-3:-2] != b"1" else b"2") + wire[-2:]


@pytest.mark.parametrize("request_", [CheckoutRequest(item_id="1"), FeePaidRequest(fee_id="F")])
def test_96_after_our_97_is_in_doubt_for_a_state_changing_request(request_: object) -> None:
    connection = Sip2Connection(ON)
    data = connection.start_request(request_)  # type: ignore[arg-type]
    [event] = connection.receive_data(corrupted(reply_for(data, CheckoutResponse())))
    assert isinstance(event, Transmit) and event.data.startswith(b"97")
    with pytest.raises(Sip2ResendInDoubt) as info:  # not a Transmit of the original again
        connection.receive_data(encode(RequestSCResend(), ON))
    assert isinstance(info.value, Sip2OutcomeUnknown) and not isinstance(info.value, Sip2ResendError)
    assert info.value.request is request_ and connection.pending is None


def test_96_after_a_timeout_97_is_in_doubt_for_a_checkout() -> None:
    connection = Sip2Connection(ON)
    connection.start_request(CheckoutRequest(item_id="1"))
    assert connection.on_timeout() is not None
    with pytest.raises(Sip2ResendInDoubt):
        connection.receive_data(encode(RequestSCResend(), ON))


def test_96_after_our_97_resends_a_read_only_request_but_never_claims_not_processed() -> None:
    connection = Sip2Connection(ON, max_resends=2)
    data = connection.start_request(ItemInformationRequest(item_id="1"))
    [event] = connection.receive_data(corrupted(reply_for(data)))
    assert isinstance(event, Transmit) and event.data.startswith(b"97")
    for _ in range(2):
        [event] = connection.receive_data(encode(RequestSCResend(), ON))
        assert isinstance(event, Transmit) and event.data == data
    with pytest.raises(Sip2ProtocolError) as info:
        connection.receive_data(encode(RequestSCResend(), ON))
    assert not isinstance(info.value, Sip2ResendError)


def test_96_before_any_97_still_resends_a_checkout_then_97_makes_it_in_doubt() -> None:
    connection = Sip2Connection(ON, max_resends=1)
    data = connection.start_request(CheckoutRequest(item_id="1"))
    [event] = connection.receive_data(encode(RequestSCResend(), ON))
    assert isinstance(event, Transmit) and event.data == data  # the ACS could not read it: resend
    [event] = connection.receive_data(corrupted(reply_for(data, CheckoutResponse())))
    assert isinstance(event, Transmit) and event.data.startswith(b"97")
    with pytest.raises(Sip2ResendInDoubt):  # budget used up too, but never "not processed"
        connection.receive_data(encode(RequestSCResend(), ON))
