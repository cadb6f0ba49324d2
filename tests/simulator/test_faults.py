"""Fault modes over real TCP: each one changes what the SC sees on the wire, switchable at runtime."""

from __future__ import annotations

import socket
import time
from decimal import Decimal

import pytest

from sip2.codec import decode_frame, verify_checksum
from sip2.dialect import Dialect
from sip2.messages import (
    CheckoutRequest,
    FeePaidRequest,
    ItemInformationRequest,
    ItemInformationResponse,
    RequestACSResend,
    SCStatusRequest,
)
from sip2.simulator import Faults, IlsSimulator
from sip2.simulator import demo as d
from sip2.simulator.faults import GARBAGE
from tests.foundation.waiting import wait_until
from tests.simulator.rawsip import USERS, SipSocket

INST = d.INSTITUTION


def _checkout(item: str = d.AVAILABLE) -> CheckoutRequest:
    return CheckoutRequest(institution_id=INST, patron_id=d.NORMAL, item_id=item)


def test_latency_delays_the_reply(sim: IlsSimulator, sc: SipSocket) -> None:
    # Not "no reply within 50 ms" (a test thread descheduled for the whole latency on a loaded machine
    # would find the reply already there): the reply cannot come back before the latency has passed.
    # A lower bound only, which no amount of load can break.
    sim.faults.latency = 0.5
    sent = time.monotonic()
    sc.send(SCStatusRequest())
    assert sc.read().sequence == 1
    assert time.monotonic() - sent >= 0.5
    sim.faults.latency = 0.0


def test_drop_before_reply_loses_the_request(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.drop_before_reply = True
    sc.send(SCStatusRequest())  # not state-changing: answered
    assert sc.read().message.CODE == "98"
    sc.send(_checkout())
    assert sc.read_raw() == b""
    assert d.AVAILABLE not in sim.library.loans
    assert sim.library.times_applied("checkout") == 0


def test_drop_after_apply_applies_once_and_the_sc_can_query(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.drop_after_apply = True
    sim.faults.drop_count = 1
    sc.send(_checkout())
    assert sc.read_raw() == b""  # no reply ...
    assert sim.library.loans[d.AVAILABLE].patron_id == d.NORMAL  # ... but the ILS lent it
    assert sim.library.times_applied("checkout", item_id=d.AVAILABLE) == 1
    assert sim.faults.drop_count == 0
    again = SipSocket(sim.port)
    assert again.login()
    info = again.call(ItemInformationRequest(institution_id=INST, item_id=d.AVAILABLE))
    assert isinstance(info, ItemInformationResponse) and info.charged
    again.close()


def test_drop_codes_select_the_message(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.drop_after_apply = True
    sim.faults.drop_codes = frozenset({"09"})
    sc.send(_checkout())
    assert sc.read().message.CODE == "12"


def test_garbage_line_before_each_reply(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.garbage = True
    sc.send(SCStatusRequest())
    junk = sc.read_raw()
    assert junk == GARBAGE
    assert sc.read().message.CODE == "98"


def test_crlf_terminator(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.crlf = True
    sc.send(SCStatusRequest())
    raw = sc.read_raw(b"\r\n")
    assert raw.count(b"\r") == 1 and raw.endswith(b"\r\n")
    assert decode_frame(raw).checksum_valid is True


def test_no_checksums(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.no_checksums = True
    sc.send(SCStatusRequest())
    raw = sc.read_raw()
    assert b"AY" not in raw and b"AZ" not in raw
    assert decode_frame(raw).checksum is None


def test_unpadded_checksums(sim: IlsSimulator, sc: SipSocket) -> None:
    # A checksum has a leading zero only when the byte sum (mod 65536) is above 0xF000, i.e. for long
    # replies: 38 echoes AO, AA and BK, so long echoed values sweep the sum through that window.
    sim.faults.unpadded_checksums = True
    lengths = set()
    for length in range(0, 256, 8):
        sc.send(
            FeePaidRequest(
                fee_amount=Decimal("1.00"),
                institution_id="z" * 255,
                patron_id="z" * length,
                transaction_id="BK",
            )
        )
        raw = sc.read_raw().rstrip(b"\r")
        digits = raw[raw.rindex(b"AZ") + 2 :]
        assert not digits.startswith(b"0")
        assert verify_checksum(raw[: raw.rindex(b"AZ") + 2], digits)
        assert decode_frame(raw).checksum_valid is True
        lengths.add(len(digits))
    assert min(lengths) < 4


def test_corrupt_checksums_and_97(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.corrupt_checksums = True
    sc.send(SCStatusRequest())
    assert sc.read().checksum_valid is False
    sim.faults.corrupt_checksums = False
    sc.send(RequestACSResend())
    assert sc.read().checksum_valid is False  # 97 repeats the last reply as it was sent


def test_nfd_utf8(sim: IlsSimulator, sc: SipSocket) -> None:
    sim.faults.nfd_utf8 = True
    sc.send(ItemInformationRequest(institution_id=INST, item_id=d.ACCENTED))
    raw = sc.read_raw()
    assert "Cre\u0300me".encode() in raw  # e + combining grave, as Evergreen sends it
    assert decode_frame(raw).checksum_valid is True
    message = decode_frame(raw, Dialect(encoding="utf-8")).message
    assert isinstance(message, ItemInformationResponse)
    assert message.title == "Crème brûlée & café: Franse desserts"


def test_refuse_login(sim: IlsSimulator) -> None:
    sim.faults.refuse_login = True
    conn = SipSocket(sim.port)
    assert not conn.login()
    sim.faults.refuse_login = False
    assert conn.login()
    conn.close()


def test_never_answer_keeps_the_connection_open(sim: IlsSimulator) -> None:
    sim.faults.never_answer = True
    conn = SipSocket(sim.port, timeout=0.2)
    conn.send(SCStatusRequest())
    with pytest.raises(TimeoutError):  # silence can only get longer under load: a safe short timeout
        conn.sock.recv(4096)
    # The server thread registers the connection when it gets to it: wait for that, do not assume it.
    wait_until(lambda: sim.open_connections == 1, what="the server registered the connection")
    conn.close()


def test_reset_on_connect(sim: IlsSimulator) -> None:
    sim.faults.reset_on_connect = True
    conn = SipSocket(sim.port)
    assert conn.is_closed()


def test_idle_connections_are_closed() -> None:
    with IlsSimulator(users=USERS, idle_timeout=0.2) as simulator:
        # No login first: a test thread descheduled for 0.2 s between connecting and sending would find
        # the connection already closed. A connection that never says anything is idle all the same.
        conn = SipSocket(simulator.port)
        assert conn.is_closed()  # closed by the server after 0.2 s idle (read timeout 15 s)
        conn.close()


def test_fault_switches_from_text_and_clear() -> None:
    faults = Faults()
    faults.set("latency", "0.25")
    faults.set("crlf")
    faults.set("drop_codes", "11,37")
    faults.set("drop_count", "2")
    assert (faults.latency, faults.crlf, faults.drop_codes, faults.drop_count) == (
        0.25,
        True,
        frozenset({"11", "37"}),
        2,
    )
    faults.set("crlf", "off")
    assert not faults.crlf
    with pytest.raises(ValueError, match="unknown fault"):
        faults.set("teleport")
    faults.clear()
    assert faults == Faults()


def test_a_connection_that_sends_nothing_but_closes(sim: IlsSimulator) -> None:
    raw = socket.create_connection(("127.0.0.1", sim.port))
    raw.close()
    conn = SipSocket(sim.port)
    assert conn.login()  # the server keeps serving
    conn.close()
