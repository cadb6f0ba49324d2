"""Log redaction: PINs, passwords and card data never reach a log; ids only as salted hashes."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.logsetup import RedactingFilter, redact, short_hash

PASS = "20250000012340"
PIN = "4321"


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_record_with_pin_password_and_pass_number(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("login password=%s pin: %s for pass_number=%s", "s3cr3t!", PIN, PASS)
    logger.info("sent 63000%sAO|AA%s|AD%s|AY1AZF00A", "20261124    120000", PASS, PIN)
    logger.info("9300CNkiosk|COtopsecret|CPKIOSK1|AY0AZF1D4")
    out = stream.getvalue()
    for secret in ("s3cr3t!", PIN, PASS, "topsecret"):
        assert secret not in out, out
    assert short_hash(PASS) in out
    assert "CO***" in out and "AD***" in out


def test_exception_text_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"bad pass {PASS} with pin={PIN}")
    except ValueError:
        logger.exception("failed")
    out = stream.getvalue()
    assert PASS not in out and f"pin={PIN}" not in out
    assert "ValueError" in out


def test_personal_fields_and_item_ids() -> None:
    text = (
        "64  Y           00120261124    120000000000000000000000AOWIERDEN|AA2025|"
        "AEJan Jansen|BDDorpstraat 1|BEjan@example.nl|ABITEM99|"
    )
    out = redact(text)
    for personal in ("Jan Jansen", "Dorpstraat", "jan@example.nl"):
        assert personal not in out
    assert "ITEM99" not in out and short_hash("ITEM99") in out


def test_hash_is_short_stable_and_distinct() -> None:
    assert short_hash(PASS) == short_hash(PASS)
    assert short_hash(PASS) != short_hash("20250000012357")
    assert len(short_hash(PASS)) == 9


def test_redaction_is_idempotent_and_keeps_ordinary_text() -> None:
    text = "ILS online, round trip 12 ms, queue depth 3"
    assert redact(text) == text
    once = redact(f"pass {PASS}")
    assert redact(once) == once
