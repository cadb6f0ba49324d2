"""The simulated ILS's library model, without the protocol: demo data and the rules of a real ACS."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sip2.simulator import Library
from sip2.simulator import demo as d
from sip2.simulator.circulation import due_date
from sip2.simulator.passes import check_digit, is_valid_barcode, item_barcode, pass_number

NOW = datetime(2026, 3, 2, 14, 30, 0)


@pytest.fixture
def lib() -> Library:
    return Library.demo(clock=lambda: NOW)


def test_check_digit_matches_published_examples() -> None:
    # jerseycat.org and the Dynix barcode guide (notes/product.md)
    assert check_digit("3023400051786") == "1"
    assert check_digit("3319100010586") == "4"
    with pytest.raises(ValueError):
        check_digit("123")


def test_demo_numbers_are_valid_dutch_14_digit_numbers() -> None:
    passes = [
        d.NORMAL,
        d.BLOCKED,
        d.EXPIRED,
        d.FEES,
        d.HOLD_READY,
        d.ENGLISH,
        d.MAX_LOANS,
        d.EXCESSIVE_FEES,
        d.OTHER_MEMBER,
    ]
    assert len(set(passes)) == len(passes)
    for number in passes:
        assert number.startswith("2") and is_valid_barcode(number)
    assert d.AVAILABLE.startswith("3") and is_valid_barcode(d.AVAILABLE)
    assert pass_number("0301", 1001) == d.NORMAL
    assert not is_valid_barcode(d.NORMAL[:-1] + str((int(d.NORMAL[-1]) + 1) % 10))
    with pytest.raises(ValueError):
        item_barcode("12", 1)


def test_normal_checkout_sets_due_date_and_journals(lib: Library) -> None:
    result = lib.checkout(d.NORMAL, d.AVAILABLE, pin=d.NORMAL_PIN)
    assert result.ok and not result.renewal
    loan = lib.loans[d.AVAILABLE]
    assert loan.patron_id == d.NORMAL
    assert loan.due == datetime(2026, 3, 23, 23, 59)
    assert lib.times_applied("checkout", item_id=d.AVAILABLE) == 1


@pytest.mark.parametrize(
    ("patron", "item", "fragment"),
    [
        (d.BLOCKED, d.AVAILABLE, "geblokkeerd"),
        (d.EXPIRED, d.AVAILABLE, "verlopen"),
        (d.EXCESSIVE_FEES, d.AVAILABLE, "kosten boven"),
        (d.MAX_LOANS, d.YOUTH_AVAILABLE, "maximum aantal"),
        (d.NORMAL, d.ON_LOAN_OTHER, "andere lener"),
        (d.NORMAL, d.HOLD_SHELF, "gereserveerd"),
        ("29999999999999", d.AVAILABLE, "niet bekend"),
        (d.NORMAL, "39999999999999", "niet bekend"),
    ],
)
def test_checkout_refusals(lib: Library, patron: str, item: str, fragment: str) -> None:
    before = dict(lib.loans)
    result = lib.checkout(patron, item)
    assert not result.ok
    assert fragment in result.screen_message
    assert lib.loans == before
    assert lib.applied == []


def test_wrong_pin_refuses_and_english_patron_gets_english(lib: Library) -> None:
    assert lib.checkout(d.NORMAL, d.AVAILABLE, pin="0000").screen_message == "De pincode is onjuist."
    result = lib.checkout(d.ENGLISH, d.ON_LOAN_OTHER, pin=d.ENGLISH_PIN)
    assert not result.ok and "on loan to another member" in result.screen_message


def test_hold_patron_collects_hold(lib: Library) -> None:
    result = lib.checkout(d.HOLD_READY, d.HOLD_SHELF)
    assert result.ok
    assert lib.items[d.HOLD_SHELF].holds == [] and lib.items[d.HOLD_SHELF].hold_shelf_for is None


def test_recheckout_by_same_patron_is_a_renewal_until_the_limit(lib: Library) -> None:
    first = lib.checkout(d.NORMAL, d.ON_LOAN)
    assert first.ok and first.renewal and lib.loans[d.ON_LOAN].renewals == 1
    assert lib.times_applied("renew") == 1 and lib.times_applied("checkout") == 0
    limit = lib.checkout(d.NORMAL, d.RENEWAL_LIMIT)
    assert not limit.ok and limit.renewal and "niet meer verlengd" in limit.screen_message
    held = lib.renew(d.NORMAL, d.ON_HOLD_OTHER)
    assert not held.ok and "gereserveerd" in held.screen_message


def test_rental_fee_must_be_acknowledged(lib: Library) -> None:
    refused = lib.checkout(d.NORMAL, d.RENTAL_DVD)
    assert not refused.ok and refused.fee_required == Decimal("1.00")
    accepted = lib.checkout(d.NORMAL, d.RENTAL_DVD, fee_acknowledged=True)
    assert accepted.ok and accepted.fee is not None and accepted.fee.amount == Decimal("1.00")
    assert lib.balance(d.NORMAL) == Decimal("1.00")


def test_magnetic_media_is_reported(lib: Library) -> None:
    result = lib.checkout(d.NORMAL, d.MAGNETIC)
    assert result.ok and result.magnetic and result.media_type == "004"


def test_no_block_offline_replay_honours_dates_and_skips_blocks(lib: Library) -> None:
    offline_at = NOW - timedelta(days=2)
    nb_due = datetime(2026, 3, 21, 23, 59)
    result = lib.checkout(
        d.BLOCKED, d.ON_LOAN_OTHER, no_block=True, transaction_date=offline_at, nb_due_date=nb_due
    )
    assert result.ok
    loan = lib.loans[d.ON_LOAN_OTHER]
    assert (loan.patron_id, loan.checked_out, loan.due) == (d.BLOCKED, offline_at, nb_due)
    assert lib.checkins[-1].patron_id == d.HOLD_READY  # the missed return was recorded
    assert lib.applied[-1].no_block


def test_checkin_of_reserved_item_alerts_with_sort_bin_and_hold_patron(lib: Library) -> None:
    result = lib.checkin(d.ON_HOLD_OTHER, institution=d.INSTITUTION)
    assert result.ok and result.alert and result.alert_type == "01"
    assert result.sort_bin == "RESERVERINGEN" and result.hold_patron_id == d.ENGLISH
    assert d.ON_HOLD_OTHER not in lib.loans
    assert lib.items[d.ON_HOLD_OTHER].hold_shelf_for == d.ENGLISH


def test_checkin_transit_overdue_fine_and_not_on_loan(lib: Library) -> None:
    lib.checkout(d.NORMAL, d.OTHER_LIBRARY)
    transit = lib.checkin(d.OTHER_LIBRARY, institution=d.INSTITUTION)
    assert transit.alert and transit.alert_type == "04" and transit.sort_bin == "TRANSPORT ENTER"
    late = lib.checkin(d.OVERDUE, institution=d.INSTITUTION)
    assert late.fine is not None and late.fine.amount == Decimal("2.50")  # 10 days x 0.25
    again = lib.checkin(d.OVERDUE, institution=d.INSTITUTION)
    assert again.ok and "niet uitgeleend" in again.screen_message
    assert lib.times_applied("checkin", item_id=d.OVERDUE) == 1


def test_checkin_with_original_return_date_charges_no_fine(lib: Library) -> None:
    due = lib.loans[d.OVERDUE].due
    result = lib.checkin(d.OVERDUE, return_date=due - timedelta(hours=1), no_block=True)
    assert result.ok and result.fine is None
    assert lib.checkins[-1].returned == due - timedelta(hours=1)


def test_renew_all_splits_renewed_and_unrenewed(lib: Library) -> None:
    result = lib.renew_all(d.NORMAL)
    assert result.ok
    assert result.renewed == [d.ON_LOAN]
    assert sorted(result.unrenewed) == sorted([d.RENEWAL_LIMIT, d.ON_HOLD_OTHER])
    assert not lib.renew_all(d.EXPIRED).ok


def test_fee_payment_is_validated_and_not_idempotent(lib: Library) -> None:
    assert not lib.pay_fee(d.FEES, "0.50", fee_id="999999", transaction_id="B1").accepted
    assert not lib.pay_fee(d.FEES, "0.75", fee_id=d.FEE_OVERDUE_ID, transaction_id="B1").accepted
    assert not lib.pay_fee(d.FEES, "-1", transaction_id="B1").accepted
    assert not lib.pay_fee(d.FEES, "abc", transaction_id="B1").accepted
    assert not lib.pay_fee(d.FEES, "1.00", currency="USD", transaction_id="B1").accepted
    assert lib.payments == []
    paid = lib.pay_fee(d.FEES, "0.50", fee_id=d.FEE_OVERDUE_ID, transaction_id="B1", currency="EUR")
    assert paid.accepted and not lib.fees[d.FEE_OVERDUE_ID].is_open
    # the same 37 again: the fee is no longer open, so it is refused
    assert not lib.pay_fee(d.FEES, "0.50", fee_id=d.FEE_OVERDUE_ID, transaction_id="B1").accepted
    # without a fee id a repeated payment is applied again (a real ILS is not idempotent)
    assert lib.pay_fee(d.FEES, "1.00", transaction_id="B2").accepted
    assert lib.pay_fee(d.FEES, "1.00", transaction_id="B2").accepted
    assert len(lib.payments_for("B2")) == 2
    assert lib.times_applied("fee_paid", transaction_id="B2") == 2
    assert lib.balance(d.FEES) == Decimal("0.50")
    assert not lib.pay_fee(d.FEES, "1.00", transaction_id="B3").accepted  # more than is open


def test_paying_excessive_fees_lifts_the_loan_block(lib: Library) -> None:
    assert not lib.checkout(d.EXCESSIVE_FEES, d.AVAILABLE).ok
    assert lib.pay_fee(d.EXCESSIVE_FEES, "12.50", fee_id=d.FEE_REPLACEMENT_ID, transaction_id="T").accepted
    assert lib.checkout(d.EXCESSIVE_FEES, d.AVAILABLE).ok


def test_patron_view_flags_and_lists(lib: Library) -> None:
    normal = lib.patron_view(d.NORMAL)
    assert normal is not None and normal.status == " " * 14
    assert sorted(normal.charged_items) == sorted([d.ON_LOAN, d.RENEWAL_LIMIT, d.ON_HOLD_OTHER])
    blocked = lib.patron_view(d.BLOCKED)
    assert blocked is not None and blocked.status[0] == "Y" and blocked.status[4] == "Y"
    fees = lib.patron_view(d.FEES)
    assert fees is not None and fees.overdue_items == [d.OVERDUE] and fees.balance == Decimal("3.00")
    assert [f.fee_id for f in fees.fine_items] == [d.FEE_OVERDUE_ID, d.FEE_HOLD_ID]
    hold = lib.patron_view(d.HOLD_READY)
    assert hold is not None and hold.hold_items == [d.HOLD_SHELF]
    english = lib.patron_view(d.ENGLISH)
    assert english is not None and english.unavailable_holds == [d.ON_HOLD_OTHER]
    assert english.patron.language == "001"
    full = lib.patron_view(d.MAX_LOANS)
    assert full is not None and full.status[5] == "Y"
    excessive = lib.patron_view(d.EXCESSIVE_FEES)
    assert excessive is not None and excessive.status[11] == "Y" and excessive.status[0] == "Y"
    assert lib.patron_view("20000000000000") is None


def test_block_and_enable(lib: Library) -> None:
    lib.block_patron(d.NORMAL, card_retained=True, message="Pas ingehouderd")
    assert not lib.checkout(d.NORMAL, d.AVAILABLE).ok
    lib.enable_patron(d.NORMAL)
    assert lib.checkout(d.NORMAL, d.AVAILABLE).ok
    lib.enable_patron(d.BLOCKED)  # a staff block is not lifted by the SC
    assert lib.patrons[d.BLOCKED].blocked


def test_holds_add_change_delete(lib: Library) -> None:
    placed = lib.place_hold(d.FEES, d.ON_HOLD_OTHER)
    assert placed.ok and placed.queue_position == 2
    assert not lib.place_hold(d.FEES, d.ON_HOLD_OTHER).ok
    assert lib.place_hold(d.FEES, d.ON_HOLD_OTHER, mode="*", pickup_location="ENTER").ok
    assert lib.place_hold(d.FEES, d.ON_HOLD_OTHER, mode="-").ok
    assert lib.items[d.ON_HOLD_OTHER].holds == [d.ENGLISH]
    assert not lib.place_hold(d.EXPIRED, d.AVAILABLE).ok


def test_state_round_trips_through_json(lib: Library, tmp_path: Path) -> None:
    lib.checkout(d.NORMAL, d.AVAILABLE)
    lib.pay_fee(d.FEES, "0.50", transaction_id="X1")
    lib.checkin(d.OVERDUE)
    path = tmp_path / "state.json"
    lib.save(path)
    other = Library(clock=lambda: NOW)
    other.load(path)
    assert other.to_dict() == lib.to_dict()
    assert other.loans[d.AVAILABLE].patron_id == d.NORMAL
    assert other.counter == lib.counter
    with pytest.raises(ValueError):
        other.load_dict({"version": 99})


def test_offline_loan_with_transaction_date_as_nb_due_date_gets_the_loan_period(lib: Library) -> None:
    # An SC that lent offline sends its transaction date as "nb due date": not a due date to keep.
    offline_at = NOW - timedelta(days=1)
    result = lib.checkout(
        d.NORMAL, d.AVAILABLE, no_block=True, transaction_date=offline_at, nb_due_date=offline_at
    )
    assert result.ok
    loan = lib.loans[d.AVAILABLE]
    assert loan.checked_out == offline_at
    # The book's loan period (three weeks in the demo rules) runs from the original transaction date.
    assert loan.due == due_date(offline_at, 21)
