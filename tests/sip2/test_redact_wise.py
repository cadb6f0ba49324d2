"""Redaction of messages for logs, Wise SIP2+ fee parsing, fields helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sip2.codec import encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ConfigurationError, Sip2ProtocolError
from sip2.fields import PatronStatus, parse_timestamp, summary, timestamp
from sip2.messages import (
    ACSStatus,
    CheckoutRequest,
    LoginRequest,
    PatronInformationResponse,
    WiseUnpaidRegistrationsResponse,
)
from sip2.redact import redact, redact_wire, short_hash
from sip2.wise import format_fee, parse_fee, parse_fees


def test_redact_removes_passwords_hashes_ids_and_hides_personal_data() -> None:
    login = LoginRequest(user_id="kiosk", password="pw-123", location_code="K1")
    assert "pw-123" not in redact(login) and "CO" not in redact(login) and "CN=kiosk" in redact(login)
    checkout = CheckoutRequest(
        institution_id="W",
        patron_id="2100123",
        item_id="3100456",
        terminal_password="tp",
        patron_password="9876",
    )
    text = redact(checkout)
    assert "2100123" not in text and "3100456" not in text and "9876" not in text and "tp" not in text.split()
    assert f"AA=#{short_hash('2100123')}" in text
    info = PatronInformationResponse(
        personal_name="Jan Jansen",
        home_address="Dorpsstraat 1",
        email_address="j@x.nl",
        charged_items=("3100456",),
        patron_status=PatronStatus(card_reported_lost=True),
    )
    text = redact(info)
    assert (
        "Jansen" not in text and "Dorpsstraat" not in text and "j@x.nl" not in text and "3100456" not in text
    )
    assert "card_reported_lost" in text
    assert "pw-123" not in repr(login) and "9876" not in repr(checkout)


def test_redact_wire() -> None:
    wire = encode(LoginRequest(user_id="kiosk", password="pw-123"), Dialect(), sequence=0)
    assert "pw-123" not in redact_wire(wire) and "CO***" in redact_wire(wire)
    wire = encode(CheckoutRequest(patron_id="2100123", patron_password="9876", item_id="31"), Dialect())
    assert "2100123" not in redact_wire(wire) and "9876" not in redact_wire(wire)


def test_wise_fee_round_trip_and_tolerance() -> None:
    line = format_fee(
        "REG-77",
        "Te laat ingeleverd",
        Decimal("1.50"),
        "20261101",
        middle=("31000001",),
        fee_type="01",
        arrangement_date="20261201",
    )
    fee = parse_fee(line)
    assert (
        fee.fee_id,
        fee.description,
        fee.amount,
        fee.date,
        fee.status,
        fee.fee_type,
        fee.arrangement_date,
    ) == ("REG-77", "Te laat ingeleverd", Decimal("1.50"), "20261101", "I", "01", "20261201")
    # A site with extra parts after the status and a decimal comma.
    fee = parse_fee("20261101~Reservering~2,50~D~0,00~extra~R9~03~")
    assert fee.amount == Decimal("2.50") and fee.status == "D" and fee.fee_id == "R9" and fee.fee_type == "03"
    response = WiseUnpaidRegistrationsResponse(registrations=(line, "", line))
    assert len(parse_fees(response)) == 2
    for bad in ("a~b~c", "20261101~x~abc~I~~ID~01~", "20261101~x~1.00~Q~~ID~01~", "20261101~x~1.00~I~~~01~"):
        with pytest.raises(Sip2ProtocolError):
            parse_fee(bad)


def test_fields_helpers() -> None:
    when = dt.datetime(2026, 11, 24, 10, 10, 10)
    assert timestamp(when) == "20261124    101010"
    utc = timestamp(when.replace(tzinfo=dt.UTC), utc=True)
    assert utc == "20261124   Z101010" and parse_timestamp(utc) == when.replace(tzinfo=dt.UTC)
    assert parse_timestamp("20261124    101010") == when.astimezone()  # local time, aware
    assert parse_timestamp("12/15/2026") == dt.datetime(2026, 12, 15).astimezone()
    assert parse_timestamp("2026-12-15") == dt.datetime(2026, 12, 15).astimezone()
    assert parse_timestamp("soon") is None and parse_timestamp("20261399    000000") is None
    assert summary("charged") == "  Y       " and summary(None) == " " * 10
    with pytest.raises(ValueError):
        summary("everything")
    status = PatronStatus.from_field("Y  Y          ")
    assert status.charge_privileges_denied and status.hold_privileges_denied and status.blocked
    assert status.to_field() == "Y  Y          " and not PatronStatus().blocked
    assert ACSStatus(supported_messages="YN").supports("patron_status")
    assert not ACSStatus(supported_messages="YN").supports("renew_all")


def test_dialect_validation() -> None:
    for bad in (
        {"terminator": "lf"},
        {"encoding": "utf-16"},
        {"error_detection": "maybe"},
        {"timestamps": "mars"},
    ):
        with pytest.raises(Sip2ConfigurationError):
            Dialect(**bad)  # type: ignore[arg-type]
