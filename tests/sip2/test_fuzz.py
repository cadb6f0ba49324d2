"""Fuzzing the SIP2 decoder and the sans-IO connection: only the documented error may escape.

Issue 11 item 7: a numeric field with thousands of digits made ``int()`` raise ``ValueError``
(Python's 4,300-digit limit).  The codec promises :class:`~sip2.errors.Sip2ProtocolError` for every
malformed input, and the connection turns an unreadable reply into a ``97`` (and, once its budget is
used, a ``Sip2ProtocolError``).  ``make test`` runs a bounded budget; ``make fuzz`` sets
``SIP2_FUZZ_EXAMPLES`` for a longer run and prints how many inputs each target saw.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sip2.codec import decode, decode_frame, encode
from sip2.connection import Sip2Connection, Sip2ResendInDoubt
from sip2.dialect import Dialect
from sip2.errors import Sip2ProtocolError
from sip2.messages import MESSAGE_TYPES, CheckoutRequest, ItemInformationRequest
from tests.sip2.strategies import message_strategy

EXAMPLES = int(os.environ.get("SIP2_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SEEN: Counter[str] = Counter()
_CODES = sorted(MESSAGE_TYPES)
_FIELD_CODES = (
    "AA",
    "AB",
    "AF",
    "AH",
    "AU",
    "AV",
    "BV",
    "CF",
    "CK",
    "BH",
    "CG",
    "BK",
    "AY",
    "AZ",
    "YZ",
    "CA",
    "CB",
    "CC",
    "BZ",
    "BP",
    "BQ",
    "XX",
)
_DIALECTS = (Dialect(), Dialect(encoding="utf-8", error_detection="auto"), Dialect(error_detection="off"))


def _field() -> st.SearchStrategy[bytes]:
    digits = st.integers(1, 6000).map(lambda n: b"9" * n)  # int() has a 4,300-digit limit
    weird = st.sampled_from([b"1E999999999", b"-0", b"NaN", b"Infinity", b"1,5", b"\xff\xfe", b"", b"  "])
    value = st.one_of(st.binary(max_size=40), digits, weird)
    return st.tuples(st.sampled_from(_FIELD_CODES).map(str.encode), value).map(lambda t: t[0] + t[1] + b"|")


def _frames() -> st.SearchStrategy[bytes]:
    soup = st.tuples(
        st.sampled_from(_CODES).map(str.encode),
        st.binary(max_size=60) | st.text("0123456789YN Z", max_size=60).map(str.encode),
        st.lists(_field(), max_size=8).map(b"".join),
        st.sampled_from([b"", b"AY1AZ", b"AY9AZFFFF", b"AZ0", b"AZ" + b"F" * 8]),
    ).map(b"".join)
    encoded = (
        st.sampled_from(_CODES)
        .flatmap(lambda code: message_strategy(MESSAGE_TYPES[code]))
        .map(lambda m: encode(m, Dialect(), sequence=3))
    )
    mutated = st.tuples(encoded, st.integers(0, 400), st.binary(min_size=1, max_size=8)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]) :]
    )
    return st.one_of(st.binary(max_size=300), soup, mutated)


def _decode_only_protocol_errors(data: bytes, dialect_index: int) -> None:
    SEEN["codec"] += 1
    try:
        decode_frame(data, _DIALECTS[dialect_index])
        decode(data, _DIALECTS[dialect_index])
    except Sip2ProtocolError:
        pass


def _connection_only_protocol_errors(chunks: list[bytes], checkout: bool, dialect_index: int) -> None:
    SEEN["connection"] += 1
    connection = Sip2Connection(_DIALECTS[dialect_index], max_resends=3)
    request = (
        CheckoutRequest(patron_id="2100", item_id="3100")
        if checkout
        else ItemInformationRequest(item_id="3100")
    )
    connection.start_request(request)
    try:
        for chunk in chunks:
            connection.receive_data(chunk)
    except Sip2ResendInDoubt:
        assert checkout  # documented: a 96 after our 97 for a state-changing request
    except Sip2ProtocolError:
        pass


def test_decoder_raises_only_sip2_protocol_error() -> None:
    run = FUZZ(given(_frames(), st.integers(0, len(_DIALECTS) - 1))(_decode_only_protocol_errors))
    before = SEEN["codec"]
    run()
    print(f"\nfuzz: codec decoded {SEEN['codec'] - before} inputs")


def test_connection_raises_only_sip2_protocol_error() -> None:
    chunks = st.lists(_frames().map(lambda f: f + b"\r"), min_size=1, max_size=6)
    run = FUZZ(
        given(chunks, st.booleans(), st.integers(0, len(_DIALECTS) - 1))(_connection_only_protocol_errors)
    )
    before = SEEN["connection"]
    run()
    print(f"\nfuzz: connection fed {SEEN['connection'] - before} reply sequences")


def test_thousands_of_digits_are_not_a_number() -> None:
    """The exact input of the issue: ``int()`` on 5,000 digits raised ValueError."""
    raw = b"1804000120260101    120000CF" + b"9" * 5000 + b"|AB3100|AJTitle|\r"
    message = decode(raw)
    assert message.hold_queue_length is None  # type: ignore[attr-defined]
    assert message.extra("CF") == ("9" * 5000,)
    amount = decode(b"1804000120260101    120000BV1E999999999|AB3100|AJT|\r")
    assert amount.fee_amount is None  # type: ignore[attr-defined]
