"""The simulator with the project's own client (``sip2.client.Sip2Client``): lost replies are settled
by querying, so every transaction is applied exactly once -- the ILS's books prove it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from sip2.client import ClientSettings, Sip2Client
from sip2.dialect import Dialect
from sip2.simulator import IlsSimulator
from sip2.simulator import demo as d
from tests.simulator.rawsip import USERS


@pytest.fixture
def client(sim: IlsSimulator) -> Iterator[Sip2Client]:
    settings = ClientSettings(
        host="127.0.0.1",
        port=sim.port,
        user="kiosk",
        password=USERS["kiosk"],
        location="KIOSK1",
        institution=d.INSTITUTION,
        connect_timeout=15.0,  # generous: connect + login + status must not race a loaded CI machine
        read_timeout=15.0,
        keepalive_interval=0,
    )
    sip = Sip2Client(settings)
    sip.connect()
    try:
        yield sip
    finally:
        sip.close()


@pytest.mark.parametrize("where", ["drop_before_reply", "drop_after_apply"])
def test_checkout_with_a_lost_reply_is_applied_once(
    sim: IlsSimulator, client: Sip2Client, where: str
) -> None:
    setattr(sim.faults, where, True)
    sim.faults.drop_count = 1
    reply = client.checkout(d.NORMAL, d.AVAILABLE)
    assert reply.ok
    assert sim.library.loans[d.AVAILABLE].patron_id == d.NORMAL
    assert sim.library.times_applied("checkout", item_id=d.AVAILABLE) == 1
    assert sim.library.times_applied("renew", item_id=d.AVAILABLE) == 0
    assert sim.connections_accepted == 2


@pytest.mark.parametrize("where", ["drop_before_reply", "drop_after_apply"])
def test_checkin_with_a_lost_reply_is_applied_once(sim: IlsSimulator, client: Sip2Client, where: str) -> None:
    setattr(sim.faults, where, True)
    sim.faults.drop_count = 1
    reply = client.checkin(d.ON_LOAN)
    assert reply.ok
    assert d.ON_LOAN not in sim.library.loans
    assert sim.library.times_applied("checkin", item_id=d.ON_LOAN) == 1


@pytest.mark.parametrize("where", ["drop_before_reply", "drop_after_apply"])
def test_fee_paid_with_a_lost_reply_is_booked_once(sim: IlsSimulator, client: Sip2Client, where: str) -> None:
    setattr(sim.faults, where, True)
    sim.faults.drop_count = 1
    reply = client.fee_paid(d.FEES, Decimal("0.50"), fee_id=d.FEE_OVERDUE_ID, transaction_id="PAY-1")
    assert reply.payment_accepted
    assert [p.transaction_id for p in sim.library.payments] == ["PAY-1"]
    assert sim.library.balance(d.FEES) == Decimal("2.50")


def test_client_speaks_every_dialect_fault(sim: IlsSimulator) -> None:
    sim.faults.crlf = True
    sim.faults.unpadded_checksums = True
    sim.faults.garbage = False
    settings = ClientSettings(
        host="127.0.0.1",
        port=sim.port,
        user="kiosk",
        password=USERS["kiosk"],
        institution=d.INSTITUTION,
        keepalive_interval=0,
        connect_timeout=15.0,
        read_timeout=15.0,
        dialect=Dialect(encoding="utf-8", error_detection="auto"),
    )
    sim.faults.nfd_utf8 = True
    with Sip2Client(settings) as sip:
        info = sip.item_information(d.ACCENTED)
        assert info.title == "Crème brûlée & café: Franse desserts"  # NFD on the wire, NFC for the kiosk
        assert sip.patron_status(d.NORMAL, pin=d.NORMAL_PIN).valid_patron_password


def test_outage_and_recovery_on_the_same_port(sim: IlsSimulator, client: Sip2Client) -> None:
    assert client.checkout(d.NORMAL, d.AVAILABLE).ok
    sim.stop()
    sim.start()
    # the client notices the dead socket and reconnects for a read-only request
    assert client.item_information(d.AVAILABLE).charged
