"""``kiosk sip2 fees`` reads fine items with the one fee-line parser (issue 11 item 1) and asks for a
window, not BQ999 (item 2), against the simulator in the 3M and Evergreen dialects (strict: padded)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from sip2.simulator import IlsSimulator, demo
from sip2.simulator.models import FEE_OVERDUE, Fee
from tests.cli_sip2.conftest import PASSWORD, PATIENT, run_cli


@pytest.fixture(params=["3m", "evergreen"])
def strict_sim(request: pytest.FixtureRequest) -> Iterator[IlsSimulator]:
    simulator = IlsSimulator(users={"kiosk": PASSWORD}, dialect=request.param, strict=True).start()
    library = simulator.library
    created = library.now()
    library.fees["2001"] = Fee(
        "2001", demo.FEES, FEE_OVERDUE, Decimal("0.50"), Decimal("0.50"), "Perl 5 desktop reference", created
    )
    try:
        yield simulator
    finally:
        simulator.stop()


def test_fees_are_read_in_the_ils_format(tmp_path: Path, strict_sim: IlsSimulator) -> None:
    fee_format = strict_sim.dialect.fee_format
    (tmp_path / "config.toml").write_text(
        f'[sip2]\nurl = "tcp://127.0.0.1:{strict_sim.port}"\nuser = "kiosk"\npassword = "{PASSWORD}"\n'
        f'fee_format = "{fee_format}"\n' + PATIENT,
        encoding="utf-8",
    )
    result = run_cli(tmp_path, "fees", demo.FEES)
    assert result.status == 0, result.stderr
    fees = result.out["fees"]
    # Three fees; never 999 padding entries, never "5" read out of "Perl 5".
    assert sorted(fee["amount"] for fee in fees) == ["0.50", "0.50", "2.50"]
    if fee_format == "3m":
        assert {fee["fee_id"] for fee in fees} == {"2001", demo.FEE_OVERDUE_ID, demo.FEE_HOLD_ID}
    else:
        assert {fee["fee_id"] for fee in fees} == {None}  # Evergreen's own format has no fee id
    assert result.out["fee_format"] == fee_format and result.out["fee_amount"] == "3.50"
