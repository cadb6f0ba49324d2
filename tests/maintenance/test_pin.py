"""Technician PIN hashing, lockout and the ways into maintenance mode."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk.errors import ConfigError
from kiosk.maintenance.access import AccessState, CornerTaps, MaintenanceAccess
from kiosk.maintenance.logbuffer import attach_log_buffer
from kiosk.maintenance.pin import PinAttempt, PinGate, PinHash, hash_pin
from tests.maintenance.held_check import WAIT, held_gate

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


def test_attempts_made_while_a_check_runs_are_counted_one_by_one(pin_hash: str) -> None:
    """The UI checks PINs on a worker thread; PINs typed while a check runs must not slip past the lock."""
    gate, held = held_gate(pin_hash, max_tries=5, lockout_seconds=300)
    for i in range(4):
        assert gate.attempt("0000", now=10.0 + i).tries_left == 4 - i
        held.wait_until_running()
    held.release.clear()
    results: dict[str, PinAttempt] = {}

    def attempt(name: str, pin: str, now: float) -> threading.Thread:
        thread = threading.Thread(target=lambda: results.__setitem__(name, gate.attempt(pin, now)))
        thread.start()
        return thread

    fifth = attempt("fifth", "0000", 20.0)
    held.wait_until_running()  # the fifth wrong PIN is being checked now
    assert gate.locked_until(20.5) is None  # asking about the lock does not wait for the check
    later = [attempt("right", "4711", 21.0), attempt("sixth", "0000", 21.5)]
    held.release.set()
    for thread in (fifth, *later):
        thread.join(WAIT)
        assert not thread.is_alive()
    assert results["fifth"].locked_until == 20.0 + 300
    assert results["right"].locked and not results["right"].ok  # not even checked
    assert results["sixth"].locked
    assert held.checked == ["0000"] * 5  # exactly five compared; the right PIN never was
    assert gate.locked_until(319.9) == 320.0
    assert gate.attempt("4711", now=320.0).ok


def test_a_check_that_comes_back_after_cancel_opens_nothing(pin_hash: str) -> None:
    access = MaintenanceAccess(PinGate(pin_hash), technician_cards=["29990000000017"])
    assert access.card("29990000000017", now=0)
    attempt = access.gate.attempt("4711", now=1)  # as the worker thread does
    access.cancel()
    result = access.settle(attempt)
    assert attempt.ok and result.state is AccessState.CLOSED
    assert access.card("29990000000017", now=2)
    assert access.settle(access.gate.attempt("4711", now=3)).state is AccessState.OPEN
