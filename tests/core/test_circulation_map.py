"""SIP2 replies to session events: real reply objects from the SIP2 package, decoded from bytes."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core import events as ev
from kiosk.services import circulation_map as cmap
from sip2.fields import PatronStatus
from sip2.messages import CheckinResponse, CheckoutResponse, PatronInformationResponse, RenewResponse


def test_fee_lines_in_the_layouts_seen_in_the_wild() -> None:
    assert cmap.fee_line('900001 EUR 0.50 "Te laat ingeleverd"') == cmap.FeeLine(
        "900001", Decimal("0.50"), "Te laat ingeleverd"
    )
    assert cmap.fee_line("F7 2,25 Reserveringskosten") == cmap.FeeLine(
        "F7", Decimal("2.25"), "Reserveringskosten"
    )
    assert cmap.fee_line("F8") is None and cmap.fee_line("") is None


def test_due_dates_and_nfc_text() -> None:
    assert cmap.due_text("20261215    235900") == "2026-12-15"
    assert cmap.due_text("12/15/2026") == "2026-12-15"
    assert cmap.due_text("na de vakantie") == "na de vakantie"
    assert cmap.text("Cafe\u0301") == "Café"


def test_patron_reply_never_carries_contact_data_into_the_event() -> None:
    reply = PatronInformationResponse(
        patron_status=PatronStatus(charge_privileges_denied=True), language="001", patron_id="2",
        personal_name="Jan de Vries", valid_patron=True, valid_patron_password=False,
        home_address="Dorpsstraat 1", email_address="jan@example.nl", screen_messages=("Boete", "open"),
    )  # fmt: skip
    found = cmap.patron_found(3, reply, None)
    assert found.pin_required and found.pin_valid is None
    assert found.flags == frozenset({"charge_privileges_denied"}) and found.language == "001"
    assert found.screen_message == "Boete open" and "Dorpsstraat" not in repr(found)
    assert cmap.patron_found(3, reply, "0000").pin_valid is False


def test_item_replies() -> None:
    refused = cmap.checked_out(1, "I1", CheckoutResponse(ok=False, screen_messages=("Gereserveerd",)))
    assert refused == ev.ItemRefused(1, "I1", "loan", "item.refused", "Gereserveerd")
    hold = cmap.checked_in(
        1, "I2", CheckinResponse(ok=True, alert=True, alert_type="02", sort_bin="B3", title="T")
    )
    assert isinstance(hold, ev.ItemCheckedIn) and hold.hold_for_other and hold.sort_bin == "B3"
    transit = cmap.checked_in(1, "I3", CheckinResponse(ok=True, alert=True, alert_type="04"))
    assert isinstance(transit, ev.ItemCheckedIn) and not transit.hold_for_other
    renewed = cmap.renewed(1, "I4", RenewResponse(ok=True, due_date="20270105    235900", title="T"))
    assert renewed == ev.ItemRenewed(1, "I4", "T", "2027-01-05")
