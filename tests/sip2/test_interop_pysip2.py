"""The client against an independent SIP2 server: pysip2 0.1.0's AnyIO ACS with a small backend.

pysip2 validates every fixed field by regex, closes on blank timestamps and rejects CR/NUL/| in
values, so this also checks that what the client sends is strictly spec-conformant.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anyio
import pysip2
import pytest
from pysip2 import routes

from sip2.client import Sip2Client
from sip2.dialect import Dialect
from sip2.errors import Sip2ConnectionError
from tests.sip2.conftest import ITEM, PATRON, PIN, settings_for


class Backend:
    """A tiny library behind pysip2's server: one patron, two items, one fee."""

    def __init__(self) -> None:
        self.loans: dict[str, str] = {}
        self.fees: dict[str, str] = {"F1": "2.50"}
        self.received: list[str] = []
        self.app = pysip2.SIP2Server(institution_id="WIERDEN", library_name="Interop", login_required=True)
        app = self.app

        @app.route(routes.LOGIN)
        async def login(req: pysip2.LoginRequest, ctx: Any) -> pysip2.LoginResponse:
            self.received.append("93")
            ok = req.login_user_id == "kiosk" and req.login_password == "secret"
            return pysip2.LoginResponse(ok="1" if ok else "0")

        @app.route(routes.PATRON_STATUS)
        async def patron_status(req: pysip2.PatronStatusRequest, ctx: Any) -> pysip2.PatronStatusResponse:
            self.received.append("23")
            return pysip2.PatronStatusResponse(
                patron_status=" " * 14,
                language="000",
                transaction_date=ctx.now_18(),
                institution_id=req.institution_id,
                patron_identifier=req.patron_identifier,
                personal_name="Interop Patron",
                valid_patron="Y" if req.patron_identifier == PATRON else "N",
                valid_patron_password="Y" if req.patron_password == PIN else "N",
            )

        @app.route(routes.PATRON_INFORMATION)
        async def patron_info(
            req: pysip2.PatronInformationRequest, ctx: Any
        ) -> pysip2.PatronInformationResponse:
            self.received.append("63")
            charged = tuple(item for item, patron in self.loans.items() if patron == req.patron_identifier)
            return pysip2.PatronInformationResponse(
                patron_status=" " * 14,
                language="000",
                transaction_date=ctx.now_18(),
                hold_items_count="0000",
                overdue_items_count="0000",
                charged_items_count=f"{len(charged):04d}",
                fine_items_count=f"{len(self.fees):04d}",
                recall_items_count="0000",
                unavailable_holds_count="    ",
                institution_id=req.institution_id,
                patron_identifier=req.patron_identifier,
                personal_name="Interop Patron",
                valid_patron="Y",
                fee_amount="2.50",
                currency_type="EUR",
                charged_items=charged if req.summary[2] == "Y" else (),
                fine_items=tuple(f"{k} {v}" for k, v in self.fees.items()) if req.summary[3] == "Y" else (),
            )

        @app.route(routes.ITEM_INFORMATION)
        async def item_info(req: pysip2.ItemInformationRequest, ctx: Any) -> pysip2.ItemInformationResponse:
            self.received.append("17")
            charged = req.item_identifier in self.loans
            return pysip2.ItemInformationResponse(
                circulation_status="04" if charged else "03",
                security_marker="02",
                fee_type="01",
                transaction_date=ctx.now_18(),
                item_identifier=req.item_identifier,
                title_identifier="Het diner",
                due_date="20261215    235900" if charged else None,
                media_type="001",
            )

        @app.route(routes.CHECKOUT)
        async def checkout(req: pysip2.CheckoutRequest, ctx: Any) -> pysip2.CheckoutResponse:
            self.received.append("11")
            ok = req.item_identifier not in self.loans
            if ok:
                self.loans[req.item_identifier] = req.patron_identifier
            return pysip2.CheckoutResponse(
                ok="1" if ok else "0",
                renewal_ok="N",
                magnetic_media="N",
                desensitize="Y" if ok else "N",
                transaction_date=ctx.now_18(),
                institution_id=req.institution_id,
                patron_identifier=req.patron_identifier,
                item_identifier=req.item_identifier,
                title_identifier="Het diner",
                due_date="20261215    235900" if ok else "",
                screen_message=() if ok else ("Al uitgeleend",),
            )

        @app.route(routes.CHECKIN)
        async def checkin(req: pysip2.CheckinRequest, ctx: Any) -> pysip2.CheckinResponse:
            self.received.append("09")
            ok = self.loans.pop(req.item_identifier, None) is not None
            return pysip2.CheckinResponse(
                ok="1" if ok else "0",
                resensitize="Y",
                magnetic_media="N",
                alert="N",
                transaction_date=ctx.now_18(),
                institution_id=req.institution_id,
                item_identifier=req.item_identifier,
                permanent_location="Centrale",
                sort_bin="A1",
            )

        @app.route(routes.RENEW)
        async def renew(req: pysip2.RenewRequest, ctx: Any) -> pysip2.RenewResponse:
            self.received.append("29")
            ok = self.loans.get(req.item_identifier or "") == req.patron_identifier
            return pysip2.RenewResponse(
                ok="1" if ok else "0",
                renewal_ok="Y" if ok else "N",
                magnetic_media="N",
                desensitize="N",
                transaction_date=ctx.now_18(),
                institution_id=req.institution_id,
                patron_identifier=req.patron_identifier,
                item_identifier=req.item_identifier or "",
                title_identifier="Het diner",
                due_date="20270105    235900" if ok else "",
            )

        @app.route(routes.FEE_PAID)
        async def fee_paid(req: pysip2.FeePaidRequest, ctx: Any) -> pysip2.FeePaidResponse:
            self.received.append("37")
            ok = self.fees.get(req.fee_identifier or "") == req.fee_amount
            if ok:
                del self.fees[req.fee_identifier or ""]
            return pysip2.FeePaidResponse(
                payment_accepted="Y" if ok else "N",
                transaction_date=ctx.now_18(),
                institution_id=req.institution_id,
                patron_identifier=req.patron_identifier,
                transaction_id="ACS-" + (req.transaction_id or ""),
            )


@pytest.fixture
def pysip2_server() -> Iterator[tuple[Backend, int]]:
    backend = Backend()
    ready = threading.Event()
    stop = threading.Event()
    port: list[int] = []

    async def serve() -> None:
        async with backend.app.start(host="127.0.0.1", port=0) as bound:
            port.append(bound)
            ready.set()
            while not stop.is_set():
                await anyio.sleep(0.02)

    thread = threading.Thread(target=anyio.run, args=(serve,), daemon=True)
    thread.start()
    assert ready.wait(10), "pysip2 server did not start"
    yield backend, port[0]
    stop.set()
    thread.join(5)


@pytest.mark.parametrize("error_detection", ["on", "off"])
def test_full_session_against_pysip2(pysip2_server: tuple[Backend, int], error_detection: str) -> None:
    backend, port = pysip2_server
    client = Sip2Client(settings_for(port, dialect=Dialect(error_detection=error_detection)))  # type: ignore[arg-type]
    client.connect()
    assert client.supports("checkout") and client.supports("fee_paid") and not client.supports("hold")
    status = client.sc_status()
    assert status.online and status.institution_id == "WIERDEN"

    patron = client.patron_status(PATRON, PIN)
    assert patron.valid_patron and patron.valid_patron_password and patron.personal_name == "Interop Patron"
    assert client.patron_status(PATRON, "0000").valid_patron_password is False

    item = client.item_information(ITEM)
    assert item.circulation_status == "03" and item.title == "Het diner" and item.media_type == "001"

    loan = client.checkout(PATRON, ITEM, pin=PIN)
    assert loan.ok and loan.desensitize is True and loan.magnetic_media is False
    assert loan.due_date == "20261215    235900"
    refused = client.checkout(PATRON, ITEM, pin=PIN)
    assert not refused.ok and refused.screen_messages == ("Al uitgeleend",)

    info = client.patron_information(PATRON, PIN, summary="charged")
    assert info.charged_items == (ITEM,) and info.charged_items_count == 1
    assert info.unavailable_holds_count is None and info.fee_amount == Decimal("2.50")

    renewed = client.renew(PATRON, ITEM, pin=PIN)
    assert renewed.ok and renewed.renewal_ok and renewed.due_date == "20270105    235900"

    returned = client.checkin(ITEM)
    assert returned.ok and returned.sort_bin == "A1" and returned.permanent_location == "Centrale"

    paid = client.fee_paid(PATRON, Decimal("2.50"), fee_id="F1", transaction_id="T7")
    assert paid.payment_accepted and paid.transaction_id == "ACS-T7"
    assert backend.fees == {}

    assert backend.received.count("11") == 2 and backend.received.count("37") == 1
    client.close()


def test_wrong_password_against_pysip2(pysip2_server: tuple[Backend, int]) -> None:
    _, port = pysip2_server
    with pytest.raises(Sip2ConnectionError):
        Sip2Client(settings_for(port, password="nope")).connect()
