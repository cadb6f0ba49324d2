"""Issue 11 items 1 and 2: one fee-line parser with the real formats, and padded lists are not items.

The kiosk's account screen (:class:`~kiosk.services.circulation_online.OnlineDesk`) and its payment
flow (:class:`~kiosk.payments.ils.IlsFees`) are driven against the ILS simulator in each dialect over
TCP; the CLI is tested in ``tests/cli_sip2/test_fee_formats.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.payments.ils import IlsFees, parse_fine_item
from kiosk.payments.states import Line
from kiosk.services import circulation_map as cmap
from kiosk.services.circulation_online import OnlineDesk
from sip2.client import Sip2Client
from sip2.codec import decode
from sip2.dialect import Dialect
from sip2.fees import BALANCE_FEE_ID, FineItem, parse_fee_line
from sip2.simulator import demo
from sip2.simulator.server import IlsSimulator
from tests.sip2.conftest import settings_for

THREE_M = '2001 $0.50 "FINE" Perl 5 desktop reference'


@pytest.mark.parametrize(
    ("raw", "fee_format", "expected"),
    [
        (THREE_M, "3m", FineItem("2001", Decimal("0.50"), "Perl 5 desktop reference", "FINE")),
        (THREE_M, "generic", FineItem("2001", Decimal("0.50"), "Perl 5 desktop reference", "FINE")),
        ('77 €1,25 "LOST" Max Havelaar', "3m", FineItem("77", Decimal("1.25"), "Max Havelaar", "LOST")),
        ('78 3.00 "FEE" Reservering', "3m", FineItem("78", Decimal("3.00"), "Reservering", "FEE")),
        (
            "2.50 Overdue Materials Café Ñandú – Über / Müller, Zoë",
            "evergreen",
            FineItem(None, Decimal("2.50"), "Overdue Materials Café Ñandú – Über / Müller, Zoë"),
        ),
        ("Te laat ingeleverd 0.50", "koha", FineItem(None, Decimal("0.50"), "Te laat ingeleverd")),
        (
            "Charge-Number: 12, Amount-Due: 4.00, Fine-Type: FINE, Title: Dik Trom",
            "swyer_b",
            FineItem("12", Decimal("4.00"), "Dik Trom", "FINE"),
        ),
        (
            '900001 EUR 0.50 "Te laat ingeleverd"',
            "generic",
            FineItem("900001", Decimal("0.50"), "Te laat ingeleverd"),
        ),
        ("900003", "generic", FineItem("900003", None, "")),
    ],
)
def test_each_format_is_read_as_its_ils_writes_it(raw: str, fee_format: str, expected: FineItem) -> None:
    assert parse_fee_line(raw, fee_format) == expected


def test_the_three_places_agree_on_the_3m_line() -> None:
    """Today the CLI read ``5`` (from "Perl 5") as the amount, Evergreen's format gave fee id = amount."""
    assert parse_fine_item(THREE_M, "3m") == ("2001", Decimal("0.50"))
    assert cmap.fee_line(THREE_M, "3m") == cmap.FeeLine("2001", Decimal("0.50"), "Perl 5 desktop reference")
    legacy = cmap.fee_line("2.50 Overdue Materials Dik Trom / Kieviet", "evergreen")
    assert legacy is not None and legacy.fee_id == BALANCE_FEE_ID and legacy.amount == Decimal("2.50")


@pytest.mark.parametrize("fee_format", ["generic", "3m", "evergreen", "koha", "swyer_b"])
@pytest.mark.parametrize("raw", ['9 $1.00 "FINE" "Title"', '"FEE" $ 2.00 € "x"', '1.00 " $ €', "$ 3,00 EUR"])
def test_no_quote_or_currency_sign_reaches_the_screen(raw: str, fee_format: str) -> None:
    line = parse_fee_line(raw, fee_format)
    assert line is not None
    assert '"' not in line.description and not any(sign in line.description.split() for sign in "$€")


def test_padded_lists_are_not_items() -> None:
    padded = (
        b"64              00020260101    120000"
        + b"0000" * 6
        + b"AOX|AA2|AEP|"
        + b"AU|" * 500
        + b"AUITEM-1|AT|AV |BLY|\r"
    )
    info = decode(padded)
    assert info.charged_items == ("ITEM-1",)  # type: ignore[attr-defined]
    assert info.overdue_items == () and info.fine_items == ()  # type: ignore[attr-defined]


# --- against the simulator, over TCP --------------------------------------------------------------


@pytest.fixture(params=["default", "3m", "evergreen", "koha"])
def dialect_sim(request: pytest.FixtureRequest) -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users={"kiosk": "secret"}, dialect=request.param).start()
    yield simulator
    simulator.stop()


def _client(sim: IlsSimulator) -> Sip2Client:
    fee_format = {"default": "generic"}.get(sim.dialect.name, sim.dialect.name)
    client = Sip2Client(settings_for(sim.port, dialect=Dialect(fee_format=fee_format)))
    client.connect()
    return client


def _account(client: Sip2Client, patron: str, pin: str) -> Any:
    posted: list[ev.Event] = []
    counter = OnlineDesk(client, posted.append)
    loaded = counter.carry_out(fx.LoadAccount(7, patron, pin))
    assert isinstance(loaded, ev.AccountLoaded), loaded
    return loaded.account


def test_account_screen_and_payment_in_every_dialect(dialect_sim: IlsSimulator) -> None:
    client = _client(dialect_sim)
    try:
        account = _account(client, demo.FEES, demo.FEES_PIN)
        amounts = sorted(fee.amount for fee in account.fees)
        assert amounts == [Decimal("0.50"), Decimal("2.50")]
        for fee in account.fees:
            assert '"' not in fee.description and "$" not in fee.description and "EUR" not in fee.description
            assert fee.description  # the ILS's text is listed
        ids = {fee.fee_id for fee in account.fees}
        with_ids = dialect_sim.dialect.name in ("default", "3m")
        assert ids == ({demo.FEE_OVERDUE_ID, demo.FEE_HOLD_ID} if with_ids else {BALANCE_FEE_ID})
        ils = IlsFees(client)
        open_fees = ils.open_fees(demo.FEES)
        if with_ids:
            assert open_fees == {demo.FEE_OVERDUE_ID: Decimal("0.50"), demo.FEE_HOLD_ID: Decimal("2.50")}
            assert ils.pay(demo.FEES, demo.FEE_OVERDUE_ID, Decimal("0.50"), "BK-1").line is Line.ACCEPTED
            assert not dialect_sim.library.fees[demo.FEE_OVERDUE_ID].is_open
            assert dialect_sim.library.fees[demo.FEE_HOLD_ID].is_open
        else:
            # No fee ids from this ILS: the member pays the balance, a 37 without CG.
            assert open_fees == {BALANCE_FEE_ID: Decimal("3.00")}
            assert ils.pay(demo.FEES, BALANCE_FEE_ID, Decimal("3.00"), "BK-1").line is Line.ACCEPTED
            assert not any(fee.is_open for fee in dialect_sim.library.open_fees_of(demo.FEES))
            assert dialect_sim.library.payments[-1].fee_id is None
            assert ils.check(demo.FEES, BALANCE_FEE_ID, Decimal("3.00")) is Line.ACCEPTED
    finally:
        client.close()


def test_strict_server_pads_lists_and_the_kiosk_shows_only_items() -> None:
    sim = IlsSimulator(users={"kiosk": "secret"}, dialect="3m", strict=True).start()
    client = _client(sim)
    try:
        everything = client.patron_information(demo.NORMAL, demo.NORMAL_PIN, summary="charged", end=999)
        loans = sorted(loan.item_id for loan in sim.library.loans.values() if loan.patron_id == demo.NORMAL)
        assert sorted(everything.charged_items) == loans  # 999 AU fields on the wire, the loans here
        account = _account(client, demo.NORMAL, demo.NORMAL_PIN)
        assert sorted(loan.item_id for loan in account.loans) == loans
    finally:
        client.close()
        sim.stop()
