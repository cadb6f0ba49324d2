"""The simulator over real TCP on 127.0.0.1: every message, login rules, error detection, persistence."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sip2.codec import decode_frame, encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ConfigurationError
from sip2.fields import parse_timestamp, summary, timestamp
from sip2.messages import (
    ACSStatus,
    BlockPatron,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    ItemStatusUpdateRequest,
    ItemStatusUpdateResponse,
    LoginRequest,
    PatronEnableRequest,
    PatronEnableResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
)
from sip2.simulator import IlsSimulator
from sip2.simulator import demo as d
from sip2.wise import parse_fees
from tests.simulator.rawsip import USERS, SipSocket

INST = d.INSTITUTION


def checkout(sc: SipSocket, patron: str, item: str, **kw: object) -> CheckoutResponse:
    reply = sc.call(CheckoutRequest(institution_id=INST, patron_id=patron, item_id=item, **kw))  # type: ignore[arg-type]
    assert isinstance(reply, CheckoutResponse)
    return reply


# -- session -------------------------------------------------------------------------------------------


def test_login_refused_then_accepted_and_three_failures_close(sim: IlsSimulator) -> None:
    conn = SipSocket(sim.port)
    assert not conn.login(password="wrong")
    assert conn.login()
    other = SipSocket(sim.port)
    assert not other.login(user="nobody")
    assert not other.login(password="nope")
    other.send(LoginRequest(user_id="kiosk", password="third-wrong"))
    assert other.read_raw() == b""  # SIPServer resets after three bad logins


def test_only_login_and_status_before_login(sim: IlsSimulator) -> None:
    conn = SipSocket(sim.port)
    status = conn.call(SCStatusRequest())
    assert isinstance(status, ACSStatus)
    conn.send(PatronStatusRequest(institution_id=INST, patron_id=d.NORMAL))
    assert conn.read_raw() == b""
    assert sim.library.applied == []


def test_sc_status_reports_bx_timeout_and_retries(sc: SipSocket) -> None:
    reply = sc.call(SCStatusRequest(max_print_width=42))
    assert isinstance(reply, ACSStatus)
    assert reply.online and reply.checkout_ok and reply.checkin_ok
    assert reply.supported_messages == "Y" * 16
    assert reply.supports("fee_paid") and reply.supports("renew_all")
    assert reply.timeout_period == 100 and reply.retries_allowed == 3  # 10 s in tenths, 3 retries
    assert reply.institution_id == INST and reply.library_name == "Bibliotheek Wierden"
    assert reply.terminal_location == "KIOSK1"
    assert parse_timestamp(reply.date_time_sync) is not None


def test_replies_echo_sequence_number_and_answer_in_kind(sim: IlsSimulator) -> None:
    conn = SipSocket(sim.port)
    conn.login()
    conn.send(SCStatusRequest(), sequence=7)
    frame = conn.read()
    assert frame.sequence == 7 and frame.checksum_valid is True
    plain = Dialect(error_detection="off")
    conn.send_raw(encode(SCStatusRequest(), plain))
    raw = conn.read_raw()
    assert b"AZ" not in raw and raw.endswith(b"\r")
    assert isinstance(decode_frame(raw, plain).message, ACSStatus)


def test_bad_checksum_gets_96_and_is_not_applied(sc: SipSocket, sim: IlsSimulator) -> None:
    good = encode(CheckoutRequest(institution_id=INST, patron_id=d.NORMAL, item_id=d.AVAILABLE), sequence=1)
    body, digits = good[:-5], good[-5:-1]
    wrong = body + f"{(int(digits, 16) + 1) & 0xFFFF:04X}".encode() + b"\r"
    sc.send_raw(wrong)
    assert isinstance(sc.read().message, RequestSCResend)
    assert d.AVAILABLE not in sim.library.loans
    sc.send_raw(b"XX garbage that is no SIP2\r")
    assert isinstance(sc.read().message, RequestSCResend)
    sc.send_raw(good)
    assert isinstance(sc.read().message, CheckoutResponse)
    assert sim.library.loans[d.AVAILABLE].patron_id == d.NORMAL


def test_97_resends_the_last_reply_byte_for_byte(sc: SipSocket, sim: IlsSimulator) -> None:
    sc.send(CheckoutRequest(institution_id=INST, patron_id=d.NORMAL, item_id=d.AVAILABLE))
    first = sc.read_raw()
    sc.send(RequestACSResend())
    assert sc.read_raw() == first
    assert sim.library.times_applied("checkout") == 1


# -- patrons -------------------------------------------------------------------------------------------


def test_patron_status_valid_invalid_pin_and_flags(sc: SipSocket) -> None:
    ok = sc.call(PatronStatusRequest(institution_id=INST, patron_id=d.NORMAL, patron_password=d.NORMAL_PIN))
    assert isinstance(ok, PatronStatusResponse)
    assert ok.valid_patron and ok.valid_patron_password and not ok.patron_status.blocked
    assert ok.language == "005" and ok.currency == "EUR" and ok.fee_amount == Decimal("0.00")
    wrong = sc.call(PatronStatusRequest(institution_id=INST, patron_id=d.NORMAL, patron_password="0000"))
    assert isinstance(wrong, PatronStatusResponse) and wrong.valid_patron_password is False
    unknown = sc.call(PatronStatusRequest(institution_id=INST, patron_id="20000000000000"))
    assert isinstance(unknown, PatronStatusResponse) and unknown.valid_patron is False
    blocked = sc.call(PatronStatusRequest(institution_id=INST, patron_id=d.BLOCKED))
    assert isinstance(blocked, PatronStatusResponse)
    assert blocked.patron_status.charge_privileges_denied and blocked.patron_status.card_reported_lost
    assert blocked.screen_messages == ("Pas als verloren gemeld",)
    english = sc.call(PatronStatusRequest(institution_id=INST, patron_id=d.ENGLISH))
    assert isinstance(english, PatronStatusResponse) and english.language == "001"


def test_patron_information_summary_lists_and_ranges(sc: SipSocket) -> None:
    def info(
        patron: str, kind: str | None, start: int | None = None, end: int | None = None
    ) -> PatronInformationResponse:
        reply = sc.call(
            PatronInformationRequest(
                institution_id=INST, patron_id=patron, summary=summary(kind), start_item=start, end_item=end
            )
        )
        assert isinstance(reply, PatronInformationResponse)
        return reply

    none = info(d.NORMAL, None)
    assert none.charged_items_count == 3 and none.charged_items == () and none.charged_items_limit == 20
    charged = info(d.NORMAL, "charged")
    assert sorted(charged.charged_items) == sorted([d.ON_LOAN, d.RENEWAL_LIMIT, d.ON_HOLD_OTHER])
    assert len(info(d.NORMAL, "charged", 2, 3).charged_items) == 2
    assert info(d.NORMAL, "charged", 3, 3).charged_items == charged.charged_items[2:3]
    fines = info(d.FEES, "fine")
    assert (
        fines.fine_items_count == 2
        and fines.fee_amount == Decimal("3.00")
        and fines.fee_limit == Decimal("10.00")
    )
    assert fines.fine_items[0].startswith(f"{d.FEE_OVERDUE_ID} EUR 0.50 ")
    assert info(d.FEES, "overdue").overdue_items == (d.OVERDUE,)
    assert info(d.HOLD_READY, "hold").hold_items == (d.HOLD_SHELF,)
    assert info(d.ENGLISH, "unavailable_holds").unavailable_hold_items == (d.ON_HOLD_OTHER,)
    assert info("20000000000000", "charged").valid_patron is False


def test_block_patron_answers_24_and_enable_lifts_it(sc: SipSocket, sim: IlsSimulator) -> None:
    blocked = sc.call(
        BlockPatron(
            institution_id=INST,
            patron_id=d.NORMAL,
            card_retained=True,
            blocked_card_message="Pas ingehouden door automaat",
        )
    )
    assert isinstance(blocked, PatronStatusResponse) and blocked.patron_status.charge_privileges_denied
    assert not checkout(sc, d.NORMAL, d.AVAILABLE).ok
    enabled = sc.call(PatronEnableRequest(institution_id=INST, patron_id=d.NORMAL))
    assert isinstance(enabled, PatronEnableResponse) and not enabled.patron_status.blocked
    assert enabled.valid_patron
    assert checkout(sc, d.NORMAL, d.AVAILABLE).ok
    assert sim.library.times_applied("block") == 1 and sim.library.times_applied("enable") == 1


def test_end_session(sc: SipSocket) -> None:
    reply = sc.call(EndPatronSessionRequest(institution_id=INST, patron_id=d.ENGLISH))
    assert (
        isinstance(reply, EndSessionResponse) and reply.end_session and reply.screen_messages == ("Goodbye!",)
    )


# -- circulation ---------------------------------------------------------------------------------------


def test_checkout_ok_with_due_date(sc: SipSocket, sim: IlsSimulator) -> None:
    reply = checkout(sc, d.NORMAL, d.AVAILABLE, patron_password=d.NORMAL_PIN)
    assert reply.ok and not reply.renewal_ok and reply.desensitize and reply.magnetic_media is False
    assert reply.title == "Het diner" and reply.media_type == "001"
    assert parse_timestamp(reply.due_date) == sim.library.loans[d.AVAILABLE].due.astimezone()


@pytest.mark.parametrize(
    ("patron", "item", "fragment"),
    [
        (d.BLOCKED, d.AVAILABLE, "geblokkeerd"),
        (d.EXPIRED, d.AVAILABLE, "verlopen"),
        (d.NORMAL, d.HOLD_SHELF, "gereserveerd voor een andere"),
        (d.NORMAL, d.ON_LOAN_OTHER, "uitgeleend aan een andere"),
        (d.MAX_LOANS, d.YOUTH_AVAILABLE, "maximum aantal"),
        (d.EXCESSIVE_FEES, d.AVAILABLE, "openstaande kosten"),
    ],
)
def test_checkout_refusals_carry_a_screen_message(
    sc: SipSocket, sim: IlsSimulator, patron: str, item: str, fragment: str
) -> None:
    reply = checkout(sc, patron, item)
    assert not reply.ok and reply.due_date == "" and not reply.desensitize
    assert any(fragment in message for message in reply.screen_messages)
    assert sim.library.applied == []


def test_recheckout_is_a_renewal_and_magnetic_media_is_not_desensitized(sc: SipSocket) -> None:
    renewal = checkout(sc, d.NORMAL, d.ON_LOAN)
    assert renewal.ok and renewal.renewal_ok
    magnetic = checkout(sc, d.NORMAL, d.MAGNETIC)
    assert magnetic.ok and magnetic.magnetic_media is True and magnetic.desensitize is False
    assert magnetic.media_type == "004"


def test_rental_fee_needs_fee_acknowledged(sc: SipSocket, sim: IlsSimulator) -> None:
    refused = checkout(sc, d.NORMAL, d.RENTAL_DVD)
    assert not refused.ok and refused.fee_type == "06" and refused.fee_amount == Decimal("1.00")
    assert refused.currency == "EUR"
    accepted = checkout(sc, d.NORMAL, d.RENTAL_DVD, fee_acknowledged=True)
    assert accepted.ok and accepted.fee_amount == Decimal("1.00")
    assert sim.library.balance(d.NORMAL) == Decimal("1.00")


def test_offline_replay_with_no_block_and_original_dates(sc: SipSocket, sim: IlsSimulator) -> None:
    lent_at = sim.library.now().replace(microsecond=0) - timedelta(days=3)
    due = lent_at + timedelta(days=21)
    reply = checkout(
        sc,
        d.EXPIRED,
        d.AVAILABLE,
        no_block=True,
        transaction_date=timestamp(lent_at),
        nb_due_date=timestamp(due),
    )
    assert reply.ok
    loan = sim.library.loans[d.AVAILABLE]
    assert loan.checked_out == lent_at and loan.due == due
    returned_at = loan.due - timedelta(hours=2)
    back = sc.call(
        CheckinRequest(
            institution_id=INST,
            item_id=d.OVERDUE,
            no_block=True,
            transaction_date=timestamp(returned_at),
            return_date=timestamp(returned_at),
            current_location="KIOSK1",
        )
    )
    assert isinstance(back, CheckinResponse) and back.ok
    assert sim.library.checkins[-1].returned == returned_at
    assert sim.library.applied[-1].no_block


def test_checkin_hold_alert_sort_bin_and_hold_patron(sc: SipSocket, sim: IlsSimulator) -> None:
    reply = sc.call(CheckinRequest(institution_id=INST, item_id=d.ON_HOLD_OTHER, current_location="KIOSK1"))
    assert isinstance(reply, CheckinResponse)
    assert reply.ok and reply.alert and reply.sort_bin == "RESERVERINGEN" and reply.alert_type == "01"
    assert reply.hold_patron_id == d.ENGLISH and reply.patron_id == d.NORMAL
    assert d.ON_HOLD_OTHER not in sim.library.loans


def test_checkin_transit_and_not_on_loan_and_unknown(sc: SipSocket) -> None:
    assert checkout(sc, d.OTHER_MEMBER, d.OTHER_LIBRARY).ok
    transit = sc.call(CheckinRequest(institution_id=INST, item_id=d.OTHER_LIBRARY, current_location="KIOSK1"))
    assert isinstance(transit, CheckinResponse) and transit.alert and transit.alert_type == "04"
    assert transit.sort_bin == "TRANSPORT ENTER"
    shelf = sc.call(CheckinRequest(institution_id=INST, item_id=d.AVAILABLE, current_location="KIOSK1"))
    assert isinstance(shelf, CheckinResponse) and shelf.ok and not shelf.alert
    unknown = sc.call(CheckinRequest(institution_id=INST, item_id="39999999999999", current_location="K"))
    assert isinstance(unknown, CheckinResponse) and not unknown.ok and unknown.screen_messages


def test_renew_and_renew_all(sc: SipSocket, sim: IlsSimulator) -> None:
    renewed = sc.call(RenewRequest(institution_id=INST, patron_id=d.NORMAL, item_id=d.ON_LOAN))
    assert isinstance(renewed, RenewResponse) and renewed.ok and renewed.renewal_ok
    limit = sc.call(RenewRequest(institution_id=INST, patron_id=d.NORMAL, item_id=d.RENEWAL_LIMIT))
    assert isinstance(limit, RenewResponse) and not limit.ok
    not_mine = sc.call(RenewRequest(institution_id=INST, patron_id=d.NORMAL, item_id=d.AVAILABLE))
    assert isinstance(not_mine, RenewResponse) and not not_mine.ok
    everything = sc.call(RenewAllRequest(institution_id=INST, patron_id=d.NORMAL))
    assert isinstance(everything, RenewAllResponse) and everything.ok
    assert everything.renewed_items == (d.ON_LOAN,) and everything.renewed_count == 1
    assert set(everything.unrenewed_items) == {d.RENEWAL_LIMIT, d.ON_HOLD_OTHER}
    assert everything.unrenewed_count == 2
    assert sim.library.loans[d.ON_LOAN].renewals == 2


# -- items, holds, fees --------------------------------------------------------------------------------


def test_item_information_statuses(sc: SipSocket) -> None:
    def status(item: str) -> ItemInformationResponse:
        reply = sc.call(ItemInformationRequest(institution_id=INST, item_id=item))
        assert isinstance(reply, ItemInformationResponse)
        return reply

    assert status(d.AVAILABLE).circulation_status == "03"
    on_loan = status(d.ON_LOAN)
    assert on_loan.charged and on_loan.due_date and on_loan.owner == INST
    assert status(d.HOLD_SHELF).circulation_status == "08"
    dvd = status(d.RENTAL_DVD)
    assert dvd.fee_type == "06" and dvd.fee_amount == Decimal("1.00") and dvd.currency == "EUR"
    assert status(d.ON_HOLD_OTHER).hold_queue_length == 1
    assert status(d.ACCENTED).title == "Crème brûlée & café: Franse desserts"  # cp850 round trip
    assert status("39999999999999").circulation_status == "01"


def test_item_status_update(sc: SipSocket, sim: IlsSimulator) -> None:
    reply = sc.call(
        ItemStatusUpdateRequest(institution_id=INST, item_id=d.AVAILABLE, item_properties="Beschadigd")
    )
    assert isinstance(reply, ItemStatusUpdateResponse) and reply.item_properties_ok
    assert sim.library.items[d.AVAILABLE].properties == "Beschadigd"
    bad = sc.call(ItemStatusUpdateRequest(institution_id=INST, item_id="3", item_properties="x"))
    assert isinstance(bad, ItemStatusUpdateResponse) and not bad.item_properties_ok


def test_hold_place_and_cancel(sc: SipSocket, sim: IlsSimulator) -> None:
    placed = sc.call(
        HoldRequest(
            hold_mode="+",
            institution_id=INST,
            patron_id=d.NORMAL,
            item_id=d.ON_LOAN_OTHER,
            pickup_location="WIERDEN",
        )
    )
    assert isinstance(placed, HoldResponse) and placed.ok and placed.queue_position == 1
    assert placed.expiration_date and placed.pickup_location == "WIERDEN"
    assert sim.library.items[d.ON_LOAN_OTHER].holds == [d.NORMAL]
    removed = sc.call(
        HoldRequest(hold_mode="-", institution_id=INST, patron_id=d.NORMAL, item_id=d.ON_LOAN_OTHER)
    )
    assert isinstance(removed, HoldResponse) and removed.ok
    refused = sc.call(
        HoldRequest(hold_mode="+", institution_id=INST, patron_id=d.BLOCKED, item_id=d.AVAILABLE)
    )
    assert isinstance(refused, HoldResponse) and not refused.ok


def test_fee_paid_validates_and_keeps_a_ledger(sc: SipSocket, sim: IlsSimulator) -> None:
    def pay(amount: str, fee_id: str | None, bk: str, currency: str = "EUR") -> FeePaidResponse:
        reply = sc.call(
            FeePaidRequest(
                fee_type="04",
                payment_type="02",
                currency=currency,
                fee_amount=Decimal(amount),
                institution_id=INST,
                patron_id=d.FEES,
                fee_id=fee_id,
                transaction_id=bk,
            )
        )
        assert isinstance(reply, FeePaidResponse)
        return reply

    assert not pay("0.50", "123", "BK1").payment_accepted
    assert not pay("9.99", d.FEE_OVERDUE_ID, "BK1").payment_accepted
    assert not pay("0.50", d.FEE_OVERDUE_ID, "BK1", currency="USD").payment_accepted
    assert sim.library.payments == []
    accepted = pay("0.50", d.FEE_OVERDUE_ID, "BK1")
    assert accepted.payment_accepted and accepted.transaction_id == "BK1"
    assert sim.library.payments[0].allocations == {d.FEE_OVERDUE_ID: Decimal("0.50")}
    repeated = pay("0.50", d.FEE_OVERDUE_ID, "BK1")  # same 37 again: the fee is no longer open
    assert not repeated.payment_accepted
    assert pay("1.00", None, "BK2").payment_accepted
    assert pay("1.00", None, "BK2").payment_accepted  # applied again: not idempotent
    assert sim.library.times_applied("fee_paid", transaction_id="BK2") == 2
    assert sim.library.balance(d.FEES) == Decimal("0.50")


def test_wise_unpaid_registrations(sc: SipSocket) -> None:
    reply = sc.call(WiseUnpaidRegistrationsRequest(institution_id=INST, patron_id=d.FEES))
    assert isinstance(reply, WiseUnpaidRegistrationsResponse)
    fees = parse_fees(reply)
    assert [(f.fee_id, f.amount, f.status, f.fee_type) for f in fees] == [
        (d.FEE_OVERDUE_ID, Decimal("0.50"), "I", "04"),
        (d.FEE_HOLD_ID, Decimal("2.50"), "I", "09"),
    ]
    assert fees[1].description == "Reserveringskosten"


def test_wise_dialog_closes_the_connection_without_sip2plus() -> None:
    with IlsSimulator(users=USERS, wise_sip2plus=False) as plain:
        conn = SipSocket(plain.port)
        conn.login()
        conn.send(WiseUnpaidRegistrationsRequest(institution_id=INST, patron_id=d.FEES))
        assert conn.read_raw() == b""


# -- server ---------------------------------------------------------------------------------------------


def test_only_loopback_is_bound() -> None:
    with pytest.raises(Sip2ConfigurationError):
        IlsSimulator(host="0.0.0.0")


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "ils.json"
    first = IlsSimulator(users=USERS, state_file=state).start()
    try:
        conn = SipSocket(first.port)
        conn.login()
        assert checkout(conn, d.NORMAL, d.AVAILABLE).ok
        conn.close()
    finally:
        first.stop()
    second = IlsSimulator(users=USERS, state_file=state).start()
    try:
        assert second.library.loans[d.AVAILABLE].patron_id == d.NORMAL
        assert second.library.times_applied("checkout", item_id=d.AVAILABLE) == 1
        conn = SipSocket(second.port)
        conn.login()
        assert not checkout(conn, d.FEES, d.AVAILABLE).ok  # still on loan to NORMAL
        conn.close()
    finally:
        second.stop()


def test_stop_and_start_keep_port_and_books(sim: IlsSimulator, sc: SipSocket) -> None:
    port = sim.port
    assert checkout(sc, d.NORMAL, d.AVAILABLE).ok
    sim.stop()
    assert sc.is_closed()
    with pytest.raises(OSError):
        SipSocket(port, timeout=1)
    sim.start()
    assert sim.port == port
    conn = SipSocket(port)
    assert conn.login()
    again = checkout(conn, d.NORMAL, d.AVAILABLE)
    assert again.ok and again.renewal_ok  # the loan survived the outage
    conn.close()


def test_many_concurrent_connections_share_one_library(sim: IlsSimulator) -> None:
    errors: list[BaseException] = []
    winners: list[tuple[str, str]] = []
    lock = threading.Lock()

    def borrow(patron: str, item: str) -> None:
        try:
            conn = SipSocket(sim.port)
            conn.login()
            for _ in range(3):
                status = conn.call(PatronStatusRequest(institution_id=INST, patron_id=patron))
                assert isinstance(status, PatronStatusResponse) and status.patron_id == patron
            if checkout(conn, patron, item).ok:
                with lock:
                    winners.append((patron, item))
            conn.close()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    # 5 members race for 3 items over 15 connections: each item is lent exactly once
    patrons = [d.NORMAL, d.FEES, d.HOLD_READY, d.ENGLISH, d.OTHER_MEMBER]
    items = [d.AVAILABLE, d.AVAILABLE_2, d.AVAILABLE_3]
    threads = [threading.Thread(target=borrow, args=(p, i)) for p in patrons for i in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(item for _, item in winners) == sorted(items)
    for patron, item in winners:
        assert sim.library.loans[item].patron_id == patron
    assert sim.library.times_applied("checkout") == 3
    assert sim.connections_accepted == 15
