"""The simulator's dialect switch and strict mode, seen from a bare socket (issue 11)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest

from sip2.codec import encode
from sip2.dialect import Dialect
from sip2.fields import summary
from sip2.messages import (
    ItemInformationRequest,
    ItemInformationResponse,
    PatronInformationRequest,
    RequestSCResend,
)
from sip2.simulator import IlsSimulator, demo
from sip2.simulator.dialects import STRICT_PROTOCOL_ERRORS, SimDialect
from tests.simulator.rawsip import USERS, SipSocket


@pytest.fixture
def strict() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users=USERS, dialect="koha", strict=True).start()
    yield simulator
    simulator.stop()


def _connected(sim: IlsSimulator) -> SipSocket:
    sc = SipSocket(sim.port)
    assert sc.login()
    return sc


def test_dialects_write_their_own_fee_lines() -> None:
    assert SimDialect.named("3m").fine_item("7", demo_amount(), "04", "Dik Trom") == '7 $0.50 "FINE" Dik Trom'
    assert (
        SimDialect.named("evergreen").fine_item("7", demo_amount(), "04", "Dik Trom")
        == "0.50 Overdue Materials Dik Trom"
    )
    assert SimDialect.named("koha").fine_item("7", demo_amount(), "04", "Te laat") == "Te laat 0.50"
    assert SimDialect.named("default", strict=True).fee_format == "evergreen"  # strict: no fee ids
    with pytest.raises(ValueError):
        SimDialect.named("aleph")


def demo_amount() -> Decimal:
    return Decimal("0.5")


def test_strict_pads_lists_to_the_window_asked_for(strict: IlsSimulator) -> None:
    sc = _connected(strict)
    sc.send(
        PatronInformationRequest(
            summary=summary("fine"),
            patron_id=demo.FEES,
            patron_password=demo.FEES_PIN,
            start_item=1,
            end_item=999,
        )
    )
    raw = sc.read_raw()
    assert raw.count(b"|AV") == 999 and re.search(rb"\|AV[^|$\"]+ 0\.50\|", raw)  # Koha: text, amount
    sc.close()


def test_strict_writes_due_dates_in_utc(strict: IlsSimulator) -> None:
    sc = _connected(strict)
    reply = sc.call(ItemInformationRequest(item_id=demo.ON_LOAN))
    assert isinstance(reply, ItemInformationResponse) and reply.due_date and reply.due_date[8:12] == "   Z"
    assert reply.transaction_date[8:12] == "    "  # transaction dates stay local
    sc.close()


def test_strict_refuses_bad_checksums_then_closes(strict: IlsSimulator) -> None:
    sc = _connected(strict)
    bad = encode(ItemInformationRequest(item_id=demo.AVAILABLE), Dialect(), 1)
    bad = bad[:-3] + (b"0" if bad[-3:-2] != b"0" else b"1") + bad[-2:]
    for _ in range(STRICT_PROTOCOL_ERRORS - 1):
        sc.send_raw(bad)
        assert isinstance(sc.read().message, RequestSCResend)
    sc.send_raw(bad)
    assert sc.read_raw() == b"" or sc.is_closed()
    sc.close()


def test_strict_refuses_a_request_without_checksum_after_a_checksummed_login(strict: IlsSimulator) -> None:
    sc = _connected(strict)
    sc.send_raw(encode(ItemInformationRequest(item_id=demo.AVAILABLE), Dialect(error_detection="off")))
    assert isinstance(sc.read().message, RequestSCResend)
    sc.close()


def test_close_after_replies() -> None:
    sim = IlsSimulator(users=USERS).start()
    sim.faults.close_after_replies = 1
    try:
        sc = _connected(sim)  # the login is answered ...
        assert sc.is_closed()  # ... then the connection is gone
        sc.close()
    finally:
        sim.stop()
