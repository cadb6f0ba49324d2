"""Library pass number validation (Dutch 14-digit scheme, legacy lengths, pluggable, off)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.passnumber import (
    mask_pass_number,
    mod10_check_digit,
    register_scheme,
    schemes,
    validate_pass_number,
)


@pytest.mark.parametrize(("body", "check"), [("3023400051786", 1), ("3319100010586", 4)])
def test_worked_examples_from_the_library_literature(body: str, check: int) -> None:
    # notes/product.md §2: jerseycat.org FAQ and the Dynix barcode guide (item numbers, same scheme)
    assert mod10_check_digit(body) == check


def test_a_valid_dutch_pass() -> None:
    # 2010500000001: odd positions 2,1,5,0,0,0,1 doubled → 4,2,1(10-9),0,0,0,2 = 9; even all 0 → check 1
    result = validate_pass_number("20105000000011")
    assert result.valid and result.number == "20105000000011" and result.scheme == "dutch14"
    assert "20105000000011" not in repr(result) and "0011" in repr(result)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("20105000000012", "check digit"),
        ("30234000517861", "starts with 2"),  # an item number, valid check digit
        ("2010500000001", "14 digits, this one 13"),
        ("2010500000001X", "digits only"),
        ("   ", "empty"),
    ],
)
def test_invalid_passes_say_why(text: str, reason: str) -> None:
    result = validate_pass_number(text)
    assert not result.valid and reason in result.reason


def test_scanner_decorations_are_stripped() -> None:
    assert validate_pass_number(" A20105000000011B\r\n").number == "20105000000011"
    assert validate_pass_number("2010 5000 0000 11").valid


def test_legacy_lengths_only_where_configured() -> None:
    assert not validate_pass_number("1234567890").valid
    legacy = validate_pass_number("1234567890", legacy_lengths=(10, 11))
    assert legacy.valid and legacy.scheme == "legacy10"
    assert not validate_pass_number("123456789A", legacy_lengths=(10,)).valid


def test_validation_off_and_pluggable_schemes() -> None:
    assert validate_pass_number("ABC-1", scheme="off").valid
    assert not validate_pass_number("", scheme="off").valid
    register_scheme("even-length", lambda n: "" if len(n) % 2 == 0 else "odd length")
    assert "even-length" in schemes()
    assert validate_pass_number("1234", scheme="even-length").valid
    assert validate_pass_number("123", scheme="even-length").reason == "odd length"
    with pytest.raises(ValueError, match="unknown pass number scheme 'nope'"):
        validate_pass_number("1", scheme="nope")


@settings(deadline=None)  # a loaded 2-core CI machine must not turn into failures
@given(st.text(alphabet="0123456789", min_size=13, max_size=13).map(lambda s: "2" + s[1:]))
def test_exactly_one_check_digit_completes_every_pass_body(body: str) -> None:
    valid = [d for d in "0123456789" if validate_pass_number(body + d).valid]
    assert valid == [str(mod10_check_digit(body))]


@settings(deadline=None)  # a loaded 2-core CI machine must not turn into failures
@given(
    st.text(alphabet="0123456789", min_size=13, max_size=13).map(lambda digits: "2" + digits),
    st.integers(1, 13),
)
def test_a_single_mistyped_digit_is_caught(number: str, position: int) -> None:
    fixed = number[:-1] + str(mod10_check_digit(number[:-1]))
    wrong_digit = str((int(fixed[position]) + 1) % 10)
    typo = fixed[:position] + wrong_digit + fixed[position + 1 :]
    assert validate_pass_number(fixed).valid and not validate_pass_number(typo).valid


def test_masking() -> None:
    assert mask_pass_number("20105000000011") == "**********0011"
    assert mask_pass_number("123") == "***"
