"""The blocking client over real TCP against the scripted ACS: normal calls, every fault path."""

from __future__ import annotations

import logging
import select
import socket
import threading
from decimal import Decimal

import pytest

from sip2.client import Sip2Client
from sip2.dialect import Dialect
from sip2.errors import Sip2ConfigurationError, Sip2ConnectionError, Sip2OutcomeUnknown, Sip2ProtocolError
from sip2.messages import CheckoutRequest, CheckoutResponse, ItemInformationRequest
from tests.foundation.waiting import wait_until
from tests.sip2.conftest import (
    ITEM,
    ITEM_2,
    PATRON,
    PIN,
    SHORT,
    FakeAcs,
    ShortWait,
    settings_for,
)


def connected(acs: FakeAcs, **overrides: object) -> Sip2Client:
    client = Sip2Client(settings_for(acs.port, **overrides))
    client.connect()
    return client


def test_connect_logs_in_and_reads_status(acs: FakeAcs) -> None:
    client = connected(acs)
    assert client.online
    assert acs.codes() == ["93", "99"]
    assert client.supports("fee_paid") and client.supports("checkout") and not client.supports("hold")
    client.close()
    assert not client.online


def test_supported_overrides_win_over_bx(acs: FakeAcs) -> None:
    client = connected(acs, supported_overrides={"hold": True, "fee_paid": False})
    assert client.supports("hold") and not client.supports("fee_paid")
    client.close()


def test_login_refused_is_a_connection_error(acs: FakeAcs) -> None:
    client = Sip2Client(settings_for(acs.port, password="wrong"))
    with pytest.raises(Sip2ConnectionError, match="login refused"):
        client.connect()
    assert not client.online


def test_nothing_listening_is_a_connection_error(free_port: int) -> None:
    with pytest.raises(Sip2ConnectionError):
        Sip2Client(settings_for(free_port)).connect()


def test_server_that_accepts_but_never_answers_is_a_connection_error() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        # The listener never answers: the short connect timeout is the thing under test.
        client = Sip2Client(settings_for(listener.getsockname()[1], connect_timeout=SHORT))
        with pytest.raises(Sip2ConnectionError, match="did not answer"):
            client.connect()
    finally:
        listener.close()


def test_offline_backoff_fails_fast_without_touching_the_network(free_port: int) -> None:
    client = Sip2Client(settings_for(free_port))
    for _ in range(6):  # each failed attempt doubles the backoff: 1, 2, 4, 8, 16, then 32 s
        with pytest.raises(Sip2ConnectionError):
            client.connect()
    server = FakeAcs(port=free_port).start()  # the ILS is back, but the backoff window is not over
    with pytest.raises(Sip2ConnectionError, match="offline"):
        client.item_information(ITEM)  # inside the backoff window: no new attempt
    assert server.connections == 0 and not client.online
    server.stop()


def test_kiosk_calls(acs: FakeAcs) -> None:
    client = connected(acs)
    status = client.patron_status(PATRON, PIN)
    assert status.valid_patron and status.valid_patron_password
    assert client.patron_status(PATRON, "0000").valid_patron_password is False
    loan = client.checkout(PATRON, ITEM, pin=PIN)
    assert loan.ok and loan.due_date == "20261215    235900" and loan.title == "Het diner"
    refused = client.checkout(PATRON, ITEM)
    assert not refused.ok and refused.screen_messages == ("Al uitgeleend",)
    info = client.patron_information(PATRON, PIN, summary="charged")
    assert info.charged_items == (ITEM,) and info.charged_items_count == 1
    assert client.item_information(ITEM).charged
    assert client.renew(PATRON, ITEM).renewal_ok
    assert client.renew_all(PATRON).renewed_items == (ITEM,)
    returned = client.checkin(ITEM)
    assert returned.ok and returned.sort_bin == "1"
    paid = client.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1", transaction_id="T-1")
    assert paid.payment_accepted and paid.transaction_id == "T-1"
    assert client.end_patron_session(PATRON).end_session
    assert client.sc_status().online
    assert client.last_round_trip is not None
    assert acs.applied == {"checkout": 1, "renew": 1, "checkin": 1, "fee_paid": 1}
    client.close()


def test_unpaid_registrations_need_the_wise_dialect(acs: FakeAcs) -> None:
    client = connected(acs)
    with pytest.raises(Sip2ConfigurationError):
        client.unpaid_registrations(PATRON)
    client.close()
    wise = connected(acs, dialect=Dialect(wise_sip2plus=True))
    fees = wise.unpaid_registrations(PATRON, PIN)
    assert [(f.fee_id, f.amount, f.description, f.status) for f in fees] == [
        ("FEE1", Decimal("2.50"), "Te laat", "I"),
        ("FEE2", Decimal("1.00"), "Te laat", "I"),
    ]
    wise.close()


def test_sequence_numbers_wrap_and_reset_on_reconnect(acs: FakeAcs) -> None:
    client = connected(acs)
    for _ in range(10):
        client.item_information(ITEM)
    assert [ay for _, _, ay, _ in acs.received] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    acs.drop_all()
    client.item_information(ITEM)  # connection lost -> new connection, login again, AY from 0
    assert [(c, m.CODE, ay) for c, m, ay, _ in acs.received if c == 2] == [
        (2, "93", 0),
        (2, "99", 1),
        (2, "17", 2),
    ]
    client.close()


def test_checksum_error_in_reply_gets_97_and_the_checkout_is_applied_once(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["11"] = ["corrupt"]
    assert client.checkout(PATRON, ITEM).ok
    assert acs.codes()[-2:] == ["11", "97"] and acs.applied["checkout"] == 1
    client.close()


def test_96_from_the_acs_resends_the_same_bytes(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["11"] = ["96", "96"]
    assert client.checkout(PATRON, ITEM).ok
    assert acs.raw[-1] == acs.raw[-2] == acs.raw[-3] and acs.applied["checkout"] == 1
    client.close()


def test_endless_96_gives_up_with_a_protocol_error(acs: FakeAcs) -> None:
    client = connected(acs, retries=2)
    acs.script["11"] = ["96"] * 10
    with pytest.raises(Sip2ProtocolError):
        client.checkout(PATRON, ITEM)
    assert acs.applied["checkout"] == 0 and acs.codes().count("11") == 3


# A 96 that answers OUR 97 does not mean "not processed": the ACS may have applied the request and
# its reply got lost (or it is resending a 96 of its own).  State-changing requests are then settled
# by querying the ILS on a new connection, never resent blindly.
@pytest.mark.parametrize(
    ("reply_11", "reply_97", "applied_before"),
    [
        ("corrupt", "96", True),  # applied, reply unreadable, our 97 unreadable to the ACS
        ("apply_silent", "96", True),  # applied, reply lost, the 97 after the timeout gets a 96
        ("corrupt_96", "ok", False),  # not applied: its 96 arrived garbled, the 97 gets that 96 again
    ],
)
def test_96_after_our_97_to_a_checkout_is_settled_by_query_not_resent(
    acs: FakeAcs, monkeypatch: pytest.MonkeyPatch, reply_11: str, reply_97: str, applied_before: bool
) -> None:
    client = connected(acs)
    acs.script["11"] = [reply_11]
    acs.script["97"] = [reply_97]
    short = ShortWait(monkeypatch, "11") if reply_11 == "apply_silent" else None
    reply = client.checkout(PATRON, ITEM)
    assert short is None or short.used
    assert reply.ok and acs.applied["checkout"] == 1 and acs.charged[ITEM] == PATRON
    assert reply.recovered is applied_before
    assert acs.codes(1) == ["93", "99", "11", "97"]  # the 11 was not sent again on that socket
    assert acs.codes(2) == ["93", "99", "63"] + (["17"] if applied_before else ["11"])
    client.close()


@pytest.mark.parametrize(("reply_09", "reply_97"), [("corrupt", "96"), ("corrupt_96", "ok")])
def test_96_after_our_97_to_a_checkin_is_settled_by_query(acs: FakeAcs, reply_09: str, reply_97: str) -> None:
    acs.charged[ITEM] = PATRON
    client = connected(acs)
    acs.script["09"] = [reply_09]
    acs.script["97"] = [reply_97]
    reply = client.checkin(ITEM)
    assert reply.ok and acs.applied["checkin"] == 1 and ITEM not in acs.charged
    assert reply.recovered is (reply_09 == "corrupt")
    assert acs.codes(1).count("09") == 1 and acs.codes(2)[:3] == ["93", "99", "17"]
    client.close()


@pytest.mark.parametrize(("reply_37", "reply_97"), [("corrupt", "96"), ("corrupt_96", "ok")])
def test_96_after_our_97_to_fee_paid_pays_once(acs: FakeAcs, reply_37: str, reply_97: str) -> None:
    client = connected(acs)
    acs.script["37"] = [reply_37]
    acs.script["97"] = [reply_97]
    reply = client.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1", transaction_id="BK-7")
    assert reply.payment_accepted and acs.applied["fee_paid"] == 1 and "FEE1" not in acs.fees
    assert reply.recovered is (reply_37 == "corrupt") and reply.transaction_id == "BK-7"
    assert acs.codes(1) == ["93", "99", "63", "37", "97"]  # snapshot, the 37, no blind second 37
    assert acs.codes(2) == ["93", "99", "63"] + ([] if reply_37 == "corrupt" else ["37"])
    sent = [m for _, m, _, _ in acs.received if m.CODE == "37"]
    assert {m.transaction_id for m in sent} == {"BK-7"}  # type: ignore[attr-defined]
    client.close()


def test_96_after_our_97_to_a_raw_fee_paid_is_outcome_unknown_not_resend_error(acs: FakeAcs) -> None:
    from sip2.errors import Sip2ResendError
    from sip2.messages import FeePaidRequest

    client = connected(acs)
    acs.script["37"] = ["corrupt"]
    acs.script["97"] = ["96"]
    with pytest.raises(Sip2OutcomeUnknown) as info:  # no fee snapshot: the query cannot settle it
        client.request(
            FeePaidRequest(
                fee_amount=Decimal("2.50"),
                institution_id="WIERDEN",
                patron_id=PATRON,
                fee_id="FEE1",
                transaction_id="BK-1",
            )
        )
    assert not isinstance(info.value, Sip2ResendError) and info.value.request.CODE == "37"
    assert acs.applied["fee_paid"] == 1 and acs.codes().count("37") == 1
    client.close()


def test_96_after_our_97_with_the_resend_budget_used_up_is_still_settled_by_query(acs: FakeAcs) -> None:
    client = connected(acs, retries=1)
    acs.script["11"] = ["96", "corrupt"]  # one 96 to the 11 itself (resent: safe), then applied
    acs.script["97"] = ["96"]
    reply = client.checkout(PATRON, ITEM)
    assert reply.ok and reply.recovered and acs.applied["checkout"] == 1
    assert acs.codes(1) == ["93", "99", "11", "11", "97"] and acs.codes(2) == ["93", "99", "63", "17"]
    client.close()


def test_96_after_our_97_to_a_renew_of_a_loaned_item_is_outcome_unknown(acs: FakeAcs) -> None:
    acs.charged[ITEM] = PATRON
    client = connected(acs)
    acs.script["29"] = ["corrupt"]
    acs.script["97"] = ["96"]
    with pytest.raises(Sip2OutcomeUnknown):
        client.renew(PATRON, ITEM)
    assert acs.codes().count("29") == 1 and acs.applied["renew"] == 1
    client.close()


def test_96_after_our_97_to_a_read_only_request_resends_it(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["17"] = ["corrupt"]
    acs.script["97"] = ["96"]
    assert client.item_information(ITEM).item_id == ITEM
    assert acs.codes() == ["93", "99", "17", "97", "17"] and acs.connections == 1
    client.close()


def test_96_to_fee_paid_itself_resends_the_same_bytes(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["37"] = ["96"]
    reply = client.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1", transaction_id="BK-8")
    assert reply.payment_accepted and not reply.recovered and acs.applied["fee_paid"] == 1
    assert acs.codes() == ["93", "99", "63", "37", "37"] and acs.connections == 1
    assert acs.raw[-1] == acs.raw[-2]
    client.close()


def test_timeout_sends_97_on_the_same_socket(acs: FakeAcs, monkeypatch: pytest.MonkeyPatch) -> None:
    client = connected(acs)
    acs.script["11"] = ["apply_silent"]
    short = ShortWait(monkeypatch, "11")  # the 11 goes unanswered; the 97 is answered at once
    reply = client.checkout(PATRON, ITEM)
    assert short.used and reply.ok and not reply.recovered
    assert acs.codes() == ["93", "99", "11", "97"] and acs.connections == 1
    assert acs.applied["checkout"] == 1
    client.close()


def test_stale_reply_with_other_sequence_is_discarded(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["17"] = ["late_ay"]
    assert client.item_information(ITEM).item_id == ITEM
    client.close()


@pytest.mark.parametrize("action", ["apply_close", "close"])
def test_dead_socket_during_checkout_is_resolved_by_query(acs: FakeAcs, action: str) -> None:
    client = connected(acs)
    acs.script["11"] = [action]
    reply = client.checkout(PATRON, ITEM)
    assert reply.ok and acs.applied["checkout"] == 1
    assert reply.recovered is (action == "apply_close")
    second = [m.CODE for c, m, _, _ in acs.received if c == 2]
    assert second[:3] == ["93", "99", "63"]
    assert second[3:] == (["17"] if action == "apply_close" else ["11"])
    client.close()


@pytest.mark.parametrize("action", ["apply_close", "close"])
def test_dead_socket_during_checkin_is_resolved_by_query(acs: FakeAcs, action: str) -> None:
    acs.charged[ITEM] = PATRON
    client = connected(acs)
    acs.script["09"] = [action]
    reply = client.checkin(ITEM)
    assert reply.ok and acs.applied["checkin"] == 1 and ITEM not in acs.charged
    assert reply.recovered is (action == "apply_close")
    client.close()


@pytest.mark.parametrize("action", ["apply_close", "close", "apply_silent"])
def test_dead_socket_during_fee_paid_pays_once_with_the_same_bk(
    acs: FakeAcs, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    client = connected(acs)
    acs.script["37"] = [action]
    acs.script["97"] = []
    short = ShortWait(monkeypatch, "37") if action == "apply_silent" else None
    reply = client.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1", transaction_id="BK-42")
    assert short is None or short.used
    assert reply.payment_accepted and acs.applied["fee_paid"] == 1 and "FEE1" not in acs.fees
    sent = [m for _, m, _, _ in acs.received if m.CODE == "37"]
    assert {m.transaction_id for m in sent} == {"BK-42"}  # type: ignore[attr-defined]
    client.close()


def test_renew_with_lost_reply_on_a_loaned_item_is_outcome_unknown(acs: FakeAcs) -> None:
    acs.charged[ITEM] = PATRON
    client = connected(acs)
    acs.script["29"] = ["apply_close"]
    with pytest.raises(Sip2OutcomeUnknown) as info:
        client.renew(PATRON, ITEM)
    assert isinstance(info.value.request, type(info.value.request)) and info.value.request.CODE == "29"
    client.close()


def test_ils_gone_after_a_sent_checkout_is_outcome_unknown(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["11"] = ["apply_stop"]  # applied, then the ILS is gone before it could answer
    with pytest.raises(Sip2OutcomeUnknown):
        client.checkout(PATRON, ITEM_2)
    assert acs.applied["checkout"] == 1 and acs.connections == 1


def test_read_only_request_is_retried_on_a_new_connection(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.script["17"] = ["close"]
    assert client.item_information(ITEM).item_id == ITEM
    assert acs.connections == 2
    client.close()


def test_raw_request(acs: FakeAcs) -> None:
    client = connected(acs)
    reply = client.request(CheckoutRequest(institution_id="WIERDEN", patron_id=PATRON, item_id=ITEM))
    assert isinstance(reply, CheckoutResponse) and reply.ok
    client.close()


def test_one_request_in_flight_across_threads(acs: FakeAcs) -> None:
    client = connected(acs)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                assert client.item_information(ITEM).item_id == ITEM
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and not acs.overlap and acs.codes().count("17") == 40
    client.close()


def test_keepalive_and_background_reconnect(acs: FakeAcs) -> None:
    client = connected(acs, keepalive_interval=0.2)
    wait_until(lambda: acs.codes().count("99") >= 3, what="three statuses sent while idle")
    acs.drop_all()
    wait_until(lambda: acs.connections >= 2 and client.online, what="online again on a second connection")
    client.close()


@pytest.mark.parametrize("terminator", ["cr", "crlf"])
def test_crlf_replies_and_crlf_sending(terminator: str) -> None:
    server = FakeAcs(dialect=Dialect(terminator="crlf")).start()
    client = connected(server, dialect=Dialect(terminator=terminator))  # type: ignore[arg-type]
    assert client.checkout(PATRON, ITEM).ok and client.item_information(ITEM).charged
    client.close()
    server.stop()


def test_error_detection_off_sends_no_trailer() -> None:
    server = FakeAcs(dialect=Dialect(error_detection="off")).start()
    client = connected(server, dialect=Dialect(error_detection="off"))
    client.item_information(ITEM)
    assert all(b"AZ" not in raw and b"AY" not in raw for raw in server.raw)
    client.close()
    server.stop()


def test_auto_error_detection_stops_checksums_for_a_server_without_them(acs: FakeAcs) -> None:
    acs.script["93"] = ["no_az"]
    client = connected(acs, dialect=Dialect(error_detection="auto"))
    client.item_information(ITEM)
    assert [had_az for _, _, _, had_az in acs.received] == [True, False, False]
    client.close()


def test_secrets_never_reach_the_logs(acs: FakeAcs, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sip2")
    client = connected(acs, terminal_password="term-pw-77")
    client.checkout(PATRON, ITEM, pin=PIN)
    acs.script["11"] = ["corrupt"]
    client.checkout(PATRON, ITEM_2, pin=PIN)
    client.patron_status(PATRON, PIN)
    client.close()
    text = caplog.text + repr(client.settings)
    assert "SIP2 -> 11" in caplog.text  # requests are logged, in redacted form
    for secret in ("secret", "term-pw-77", PIN, PATRON, ITEM, "Test Patron", "Het diner"):
        assert secret not in text, secret


def test_raw_item_request_type_check(acs: FakeAcs) -> None:
    client = connected(acs)
    assert client.request(ItemInformationRequest(item_id=ITEM)).CODE == "18"
    client.close()


def test_background_reconnect_after_a_failed_first_connect(free_port: int) -> None:
    client = Sip2Client(settings_for(free_port, keepalive_interval=0.2, reconnect_backoff_max=0.2))
    with pytest.raises(Sip2ConnectionError):
        client.connect()
    server = FakeAcs(port=free_port).start()
    wait_until(lambda: client.online, what="online in the background")
    assert server.codes()[:2] == ["93", "99"]
    client.close()
    server.stop()


def test_settings_from_url() -> None:
    from sip2.settings import ClientSettings

    plain = ClientSettings.from_url("tcp://ils.example.org:6001", user="kiosk")
    assert (plain.host, plain.port, plain.tls, plain.user) == ("ils.example.org", 6001, False, "kiosk")
    assert ClientSettings.from_url("tls://ils.example.org:6443").tls
    for bad in ("http://x:1", "tcp://x", "tcp://:6001", "tcp://x:99999"):
        with pytest.raises(Sip2ConfigurationError):
            ClientSettings.from_url(bad)
    with pytest.raises(Sip2ConfigurationError):
        ClientSettings(host="x", port=1, read_timeout=0)


def test_raw_request_of_a_reply_type_is_refused_without_touching_the_connection(acs: FakeAcs) -> None:
    from sip2.errors import Sip2ValueError
    from sip2.messages import LoginResponse

    client = connected(acs)
    with pytest.raises(Sip2ValueError):
        client.request(LoginResponse(ok=True))
    with pytest.raises(Sip2ValueError):
        client.checkout(PATRON, "bad|item")
    assert client.online and client.item_information(ITEM).item_id == ITEM
    assert acs.connections == 1
    client.close()


def test_silent_login_gets_no_97(acs: FakeAcs) -> None:
    acs.script["93"] = ["silent"]
    client = Sip2Client(settings_for(acs.port, connect_timeout=SHORT))  # the 93 goes unanswered
    with pytest.raises(Sip2ConnectionError, match="did not answer"):
        client.connect()
    assert acs.codes() == ["93"]


@pytest.mark.parametrize(("zone", "marker"), [("utc", "   Z"), ("local", "    ")])
def test_timestamps_follow_the_dialect(acs: FakeAcs, zone: str, marker: str) -> None:
    client = connected(acs, dialect=Dialect(timestamps=zone))  # type: ignore[arg-type]
    client.checkout(PATRON, ITEM)
    sent = next(m for _, m, _, _ in acs.received if m.CODE == "11")
    assert sent.transaction_date[8:12] == marker  # type: ignore[attr-defined]
    assert sent.nb_due_date == sent.transaction_date  # type: ignore[attr-defined]
    client.close()


def test_idle_close_is_noticed_before_sending_a_checkout(acs: FakeAcs) -> None:
    client = connected(acs)
    acs.drop_all()  # the ILS closes the idle connection (SIPServer's timeout)
    # Wait until the close has reached the client's socket (it turns readable: EOF), however slow the machine.
    readable, _, _ = select.select([client.link._sock], [], [], 10)
    assert readable, "the ILS's close never arrived"
    reply = client.checkout(PATRON, ITEM)
    assert reply.ok and not reply.recovered and acs.applied["checkout"] == 1
    assert [m.CODE for c, m, _, _ in acs.received if c == 2] == ["93", "99", "11"]  # no query needed
    client.close()


@pytest.mark.parametrize("action", ["apply_close", "close"])
def test_wise_fee_paid_recovery_uses_the_registration_list(acs: FakeAcs, action: str) -> None:
    acs.fines_in_av = False  # the fee id is a Wise registration id, not listed in AV
    client = connected(acs, dialect=Dialect(wise_sip2plus=True))
    acs.script["37"] = [action]
    reply = client.fee_paid(PATRON, Decimal("1.00"), fee_id="FEE2", transaction_id="BK-9")
    assert reply.payment_accepted and acs.applied["fee_paid"] == 1 and "FEE2" not in acs.fees
    assert reply.recovered is (action == "apply_close")
    assert "41" in acs.codes(2)
    client.close()


def test_raw_fee_paid_without_evidence_is_outcome_unknown(acs: FakeAcs) -> None:
    from sip2.messages import FeePaidRequest

    client = connected(acs)
    acs.script["37"] = ["apply_close"]
    with pytest.raises(Sip2OutcomeUnknown):
        client.request(
            FeePaidRequest(
                fee_amount=Decimal("2.50"),
                institution_id="WIERDEN",
                patron_id=PATRON,
                fee_id="FEE1",
                transaction_id="BK-1",
            )
        )
    assert acs.applied["fee_paid"] == 1  # paid once, and not again
    client.close()


def test_bx_gates_fee_paid_and_renew_unless_overridden(acs: FakeAcs) -> None:
    acs.supported -= {"fee_paid", "renew", "renew_all"}
    client = connected(acs)
    for call in (
        lambda: client.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1"),
        lambda: client.renew(PATRON, ITEM),
        lambda: client.renew_all(PATRON),
    ):
        with pytest.raises(Sip2ConfigurationError, match="does not support"):
            call()
    assert "37" not in acs.codes() and "29" not in acs.codes()
    client.close()
    forced = connected(acs, supported_overrides={"fee_paid": True})
    assert forced.fee_paid(PATRON, Decimal("2.50"), fee_id="FEE1").payment_accepted
    forced.close()
