"""Technician PIN hashing, lockout and the ways into maintenance mode."""

from __future__ import annotations

import logging

import pytest

from kiosk.errors import ConfigError
from kiosk.maintenance.access import AccessState, CornerTaps, MaintenanceAccess
from kiosk.maintenance.logbuffer import attach_log_buffer
from kiosk.maintenance.pin import PinGate, PinHash, hash_pin

# Small scrypt parameters keep the tests fast; the format and the check are the same.
FAST = {"log2_n": 8, "r": 2, "p": 1}


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin("4711", **FAST)


def test_hash_has_config_format_and_verifies(pin_hash: str) -> None:
    scheme, log2_n, r, p, _salt, _digest = pin_hash.split("$")
    assert (scheme, log2_n, r, p) == ("scrypt", "8", "2", "1")
    parsed = PinHash.parse(pin_hash)
    assert parsed.matches("4711")
    assert not parsed.matches("4712")
    assert "4711" not in pin_hash


def test_same_pin_gets_a_different_salt() -> None:
    assert hash_pin("4711", **FAST) != hash_pin("4711", **FAST)


def test_default_parameters_are_strong() -> None:
    text = hash_pin("123456")
    assert text.startswith("scrypt$14$8$1$")
    assert PinHash.parse(text).matches("123456")


@pytest.mark.parametrize("bad", ["", "md5$abc", "scrypt$14$8$1$!!!$abc", "scrypt$99$8$1$AAAA$" + "A" * 44])
def test_malformed_hash_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="pin_hash"):
        PinHash.parse(bad)


@pytest.mark.parametrize("bad", ["12", "12ab", "1" * 33])
def test_new_pin_rules(bad: str) -> None:
    with pytest.raises(ValueError):
        hash_pin(bad, **FAST)


def test_five_wrong_pins_lock_for_five_minutes(pin_hash: str) -> None:
    gate = PinGate(pin_hash, max_tries=5, lockout_seconds=300)
    results = [gate.attempt("0000", now=100.0 + i) for i in range(5)]
    assert [r.tries_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].locked_until == 104.0 + 300
    # The right PIN does not help while locked.
    during = gate.attempt("4711", now=350.0)
    assert not during.ok and during.locked
    assert gate.attempt("4711", now=403.9).locked
    after = gate.attempt("4711", now=404.0)
    assert after.ok and not after.locked


def test_correct_pin_resets_the_count(pin_hash: str) -> None:
    gate = PinGate(pin_hash, max_tries=3)
    gate.attempt("1", now=0)
    gate.attempt("2", now=1)
    assert gate.attempt("4711", now=2).ok
    assert gate.attempt("3", now=3).tries_left == 2


def test_corner_taps_need_five_in_three_seconds() -> None:
    taps = CornerTaps(count=5, window=3.0, size=120)
    h = 800
    assert not any(taps.tap(10, 790, h, t) for t in (0.0, 0.5, 1.0, 1.5))
    assert taps.tap(10, 790, h, 2.0)
    # Too slow: the first tap falls out of the window.
    assert not any(taps.tap(10, 790, h, t) for t in (10.0, 11.0, 12.0, 13.0, 14.0))
    # A tap elsewhere starts over.
    for t in (20.0, 20.1, 20.2, 20.3):
        taps.tap(5, 795, h, t)
    assert not taps.tap(400, 400, h, 20.4)
    assert not taps.tap(5, 795, h, 20.5)


def test_access_by_card_then_pin(pin_hash: str) -> None:
    access = MaintenanceAccess(PinGate(pin_hash), technician_cards=["29990000000017"])
    assert not access.card("21234000000015", now=0)
    assert access.state is AccessState.CLOSED
    assert access.card("29990000000017", now=0)
    assert access.state is AccessState.PIN
    result = access.pin("4711", now=1)
    assert result.state is AccessState.OPEN and result.attempt and result.attempt.ok
    access.close()
    assert access.state is AccessState.CLOSED


def test_access_by_gesture_times_out_and_locks(pin_hash: str) -> None:
    access = MaintenanceAccess(PinGate(pin_hash, max_tries=2, lockout_seconds=300), pin_timeout=30)
    for i in range(5):
        opened = access.tap(1, 799, 800, now=float(i) * 0.2)
    assert opened and access.state is AccessState.PIN
    assert access.tick(now=40.0) is AccessState.CLOSED
    for i in range(5):
        access.tap(1, 799, 800, now=50.0 + i * 0.2)
    assert access.pin("1", now=52).state is AccessState.PIN
    locked = access.pin("2", now=53)
    assert locked.state is AccessState.PIN and locked.attempt and locked.attempt.locked
    assert not access.pin("4711", now=54).attempt.ok  # type: ignore[union-attr]
    access.cancel()
    assert access.state is AccessState.CLOSED


def test_no_pin_configured_keeps_it_closed() -> None:
    access = MaintenanceAccess(PinGate(None), technician_cards=["29990000000017"])
    assert not access.card("29990000000017", now=0)
    assert access.state is AccessState.CLOSED


def test_log_buffer_is_redacted_and_bounded() -> None:
    logger = logging.getLogger("tests.maintenance.buffer")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = attach_log_buffer(capacity=3, logger=logger)
    logger.info("checkout pass_number=21234000000015 pin=1234")
    for i in range(3):
        logger.info("line %d", i)
    lines = handler.lines()
    assert len(lines) == 3 and lines[-1].endswith("line 2")
    logger.info("patron 21234000000015 PIN=9876")
    last = handler.lines(last=1)[0]
    assert "21234000000015" not in last and "9876" not in last
    logger.removeHandler(handler)
