"""Issue 11 items 3, 4, 6 and 8 over real sockets: error detection that stays on, a lost checkin of an
unknown item, UTC due dates, and a renewal whose reply was lost."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.services import circulation_map as cmap
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.services.circulation_online import RENEW_UNCONFIRMED, UNUSABLE_REPLY, OnlineDesk
from kiosk.store.queue import TransactionQueue
from sip2.client import Sip2Client
from sip2.dialect import Dialect
from sip2.errors import Sip2OutcomeUnknown
from sip2.fields import ON_LOAN, on_loan, parse_timestamp
from sip2.messages import ItemInformationResponse
from sip2.simulator import demo
from sip2.simulator.server import IlsSimulator
from tests.foundation.waiting import wait_until
from tests.sip2.conftest import ITEM, PATRON, PIN, FakeAcs, settings_for
from tests.sip2.proxy import CorruptingProxy


@pytest.fixture
def sim() -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users={"kiosk": "secret"}).start()
    yield simulator
    simulator.stop()


def _client(port: int, **overrides: Any) -> Sip2Client:
    client = Sip2Client(settings_for(port, **overrides))
    client.connect()
    return client


# --- item 3: error detection is never switched off silently ---------------------------------------


def test_a_corrupted_request_then_a_corrupted_reply_never_yields_the_corrupted_reply(
    sim: IlsSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sip2.connection")
    proxy = CorruptingProxy(sim.port)
    client = _client(proxy.port, dialect=Dialect(error_detection="auto"))
    try:
        assert "the ACS uses AY/AZ" in caplog.text  # decided once, at login, and logged
        title = client.item_information(demo.ACCENTED).title
        proxy.corrupt_request(b"AB")  # the ILS reads a wrong checksum and answers 96
        assert client.item_information(demo.ACCENTED).title == title
        proxy.corrupt_reply(b"AJ")  # the title arrives damaged, the AZ no longer matches
        assert client.item_information(demo.ACCENTED).title == title
        assert (proxy.corrupted_requests, proxy.corrupted_replies) == (1, 1)
    finally:
        client.close()
        proxy.close()


def test_strict_server_refuses_requests_without_a_checksum_after_a_checksummed_login() -> None:
    strict = IlsSimulator(users={"kiosk": "secret"}, strict=True).start()
    proxy = CorruptingProxy(strict.port)
    client = _client(proxy.port, dialect=Dialect(error_detection="auto"))
    try:
        proxy.corrupt_request(b"AB")
        assert client.item_information(demo.AVAILABLE).title  # resent with AY/AZ, answered
    finally:
        client.close()
        proxy.close()
        strict.stop()


# --- item 4: "on loan" and the unknown item -------------------------------------------------------


def test_on_loan_has_one_definition() -> None:
    assert {"04", "05", "07", "11"} == ON_LOAN
    for status in ("01", "02", "03", "06", "08", "09", "10", "12", "13"):
        assert not on_loan(status) and not ItemInformationResponse(circulation_status=status).charged
    for status in ON_LOAN:
        assert ItemInformationResponse(circulation_status=status, title="T").charged
    from kiosk.store import replay

    assert replay.CHARGED is ON_LOAN


def test_lost_checkin_reply_for_an_unknown_item_is_not_returned(sim: IlsSimulator) -> None:
    client = _client(sim.port)
    sim.faults.drop_after_apply, sim.faults.drop_codes = True, frozenset({"09"})
    try:
        with pytest.raises(Sip2OutcomeUnknown):
            client.checkin("NO-SUCH-ITEM-1")
        sim.faults.clear()
        returned = client.checkin(demo.ON_LOAN_OTHER)  # a known item still settles as before
        assert returned.ok
    finally:
        client.close()


# --- item 8: a renewal whose reply was lost is not "refused" --------------------------------------


def test_lost_renew_reply_is_settled_by_the_due_date(sim: IlsSimulator) -> None:
    client = _client(sim.port)
    before = sim.library.loans[demo.ON_LOAN].due
    sim.faults.drop_after_apply, sim.faults.drop_codes, sim.faults.drop_count = True, frozenset({"29"}), 1
    try:
        reply = client.renew(demo.NORMAL, demo.ON_LOAN, pin=demo.NORMAL_PIN)
        assert reply.ok and reply.recovered
        due = parse_timestamp(reply.due_date)
        assert due is not None and due > before.astimezone()
        assert sim.library.times_applied("renew", item_id=demo.ON_LOAN) == 1  # renewed once, not twice
    finally:
        client.close()


def _counter(client: Sip2Client) -> OnlineDesk:
    return OnlineDesk(client, lambda event: None)


def test_kiosk_shows_a_renewal_whose_reply_was_lost_as_renewed(sim: IlsSimulator) -> None:
    client = _client(sim.port)
    sim.faults.drop_after_apply, sim.faults.drop_codes, sim.faults.drop_count = True, frozenset({"29"}), 1
    try:
        result = _counter(client).carry_out(fx.Renew(3, demo.NORMAL, (demo.ON_LOAN,), demo.NORMAL_PIN))
        assert isinstance(result, ev.ItemRenewed), result
    finally:
        client.close()


def test_kiosk_says_could_not_confirm_when_the_ils_cannot_tell() -> None:
    acs = FakeAcs().start()
    acs.charged[ITEM] = PATRON
    client = _client(acs.port)
    acs.script["29"] = ["apply_stop"]  # renewed, then the ILS is gone: nothing can be asked
    try:
        result = _counter(client).carry_out(fx.Renew(3, PATRON, (ITEM,), PIN))
        assert isinstance(result, ev.ServiceUnavailable), result
        assert result.reason == RENEW_UNCONFIRMED and result.reason != "offline.unavailable"
    finally:
        client.close()
        acs.stop()


# --- item 6: UTC due dates, and a reply the kiosk cannot map --------------------------------------


def _service(sim: IlsSimulator, tmp: str, events: list[ev.Event]) -> tuple[CirculationService, Any]:
    store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
    settings = settings_for(sim.port)
    service = CirculationService(
        lambda: Sip2Client(settings),
        store,
        OfflinePolicy(),
        events.append,
        validate_pass=lambda number: True,
        offline_after=30.0,
    )
    service.start()
    wait_until(lambda: service.online, what="online")
    return service, store


def _answer(events: list[ev.Event]) -> ev.Event:
    wait_until(lambda: any(isinstance(e, ev.ResultEvent) for e in events), what="an answer to the request")
    return next(e for e in events if isinstance(e, ev.ResultEvent))


def test_utc_due_dates_load_the_account() -> None:
    strict = IlsSimulator(users={"kiosk": "secret"}, strict=True).start()  # due dates as YYYYMMDD   ZHHMMSS
    events: list[ev.Event] = []
    with tempfile.TemporaryDirectory() as tmp:
        service, store = _service(strict, tmp, events)
        try:
            service.submit(fx.LoadAccount(5, demo.FEES, demo.FEES_PIN))
            answer = _answer(events)
            assert isinstance(answer, ev.AccountLoaded), answer
            overdue = [loan for loan in answer.account.loans if loan.item_id == demo.OVERDUE]
            assert overdue and overdue[0].overdue
            due = strict.library.loans[demo.OVERDUE].due
            assert overdue[0].due == due.astimezone().date().isoformat()
        finally:
            service.stop()
            store.close()
            strict.stop()


def test_a_reply_the_kiosk_cannot_map_ends_the_request(
    sim: IlsSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unmappable(item_id: str, info: Any) -> Any:
        raise TypeError("can't compare offset-naive and offset-aware datetimes")

    monkeypatch.setattr(cmap, "loan_line", unmappable)
    events: list[ev.Event] = []
    with tempfile.TemporaryDirectory() as tmp:
        service, store = _service(sim, tmp, events)
        try:
            service.submit(fx.LoadAccount(5, demo.NORMAL, demo.NORMAL_PIN))
            answer = _answer(events)
            assert answer == ev.ServiceUnavailable(5, "account", UNUSABLE_REPLY), answer
            assert service.online  # the link is fine; only this reply was unusable
        finally:
            service.stop()
            store.close()


def test_timestamps_are_aware_and_comparable() -> None:
    utc = parse_timestamp("20261124   Z230000")
    local = parse_timestamp("20261124    101010")
    assert utc is not None and local is not None and utc.tzinfo is not None and local.tzinfo is not None
    assert (utc > local) == (utc.timestamp() > local.timestamp())
    assert utc == dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)
