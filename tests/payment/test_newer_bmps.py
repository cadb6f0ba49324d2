"""Issue 12 item 2: an unknown or newer BMP never refuses an approved payment (driver ⇄ simulator over
a pty). BMP AA (date YYMMDD) is read; a BMP nobody knows ends what can be read, and the approval stands.
"""

from __future__ import annotations

import dataclasses

import pytest

from drivers.payment import Outcome
from drivers.payment.fields import BMP_LENGTHS, parse_bitmaps
from drivers.payment.sim_books import COMMITTED
from drivers.payment.status_information import parse_status_information
from tests.payment.conftest import SIM_SETTINGS, make_rig


@pytest.mark.parametrize("vending", [True, False])
def test_bmp_aa_before_the_amount_is_read_and_the_payment_committed(vending: bool) -> None:
    rig = make_rig("pty", settings=dataclasses.replace(SIM_SETTINGS, extra_bmps=bytes.fromhex("AA261206")))
    try:
        result = rig.term.authorize(1250, vending=vending)
        assert result.outcome is Outcome.APPROVED_COMMITTED and result.amount == 1250
        assert [(p.amount, p.state) for p in rig.sim.books.payments()] == [(1250, COMMITTED)]
    finally:
        rig.term.close()


def test_an_unknown_bmp_before_the_amount_never_refuses_the_approval() -> None:
    unknown = 0x7E
    assert unknown not in BMP_LENGTHS
    rig = make_rig("pty", settings=dataclasses.replace(SIM_SETTINGS, extra_bmps=bytes((unknown, 1, 2, 3))))
    try:
        result = rig.term.authorize(1250, vending=True)
        assert result.outcome is Outcome.APPROVED_COMMITTED and result.amount == 1250
        assert [(p.amount, p.state) for p in rig.sim.books.payments()] == [(1250, COMMITTED)]
    finally:
        rig.term.close()


def test_parsing_keeps_what_came_before_an_unknown_bmp() -> None:
    si = parse_status_information(bytes.fromhex("2700 04000000001250 7E0102 870004"))
    assert (si.result_code, si.amount, si.unparsed, si.receipt_no) == (0, 1250, 0x7E, None)
    si = parse_status_information(bytes.fromhex("2700 AA261206 04000000001250 870004"))
    assert (si.amount, si.date, si.unparsed, si.receipt_no) == (1250, "12-06", None, 4)


def test_the_bmp_table_matches_the_spec_lengths() -> None:
    # P015 §1.3: E9 (max. input length) is one byte, not an LLVAR; AA is the 3-byte date YYMMDD
    assert BMP_LENGTHS[0xAA] == 3 and BMP_LENGTHS[0xE9] == 1
    assert parse_bitmaps(bytes.fromhex("E908 EA01 EB0102030405060708")).items[0] == (0xE9, b"\x08")
