"""Screen texts for terminal events, and the simulator's state file."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.payment.sim_books import COMMITTED, Books
from drivers.payment.texts import TEXTS, intermediate_key, terminal_status_key, text_for


def test_intermediate_status_keys() -> None:
    assert intermediate_key(0x0A) == "insert_card"
    assert intermediate_key(0x0B) == "remove_card"
    assert intermediate_key(0x4A) == "insert_card"  # 0x40 + code: the same message
    assert intermediate_key(0x15) == "wrong_pin"
    assert intermediate_key(0xEE) == "please_wait"  # unknown codes never leave the screen blank
    assert terminal_status_key(0x00) == "terminal_ready"
    assert terminal_status_key(0xE1) == "remove_card"
    assert terminal_status_key(0x42) == "terminal_unknown_status"


def test_every_key_has_english_and_dutch() -> None:
    from drivers.payment.texts import INTERMEDIATE_KEYS, TERMINAL_STATUS_KEYS

    for key in {*INTERMEDIATE_KEYS.values(), *TERMINAL_STATUS_KEYS.values(), "terminal_unknown_status"}:
        assert set(TEXTS[key]) == {"en", "nl"}, key
    assert text_for("insert_card", "nl") == "Steek of houd uw betaalpas tegen de automaat"
    assert text_for("insert_card", "de") == text_for("insert_card", "en")
    assert text_for("no_such_key") == "no_such_key"


def test_books_state_file_round_trip_and_corruption(tmp_path: Path) -> None:
    path = tmp_path / "books.json"
    books = Books(path)
    tx = books.new(250, "authorised")
    books.set_state(tx.receipt_no, COMMITTED)
    again = Books(path)
    assert (again.receipt_no, again.trace) == (1, 1)
    assert [(t.amount, t.state, t.stored) for t in again.payments()] == [(250, COMMITTED, True)]
    assert again.last() == again.payments()[0]
    assert "card" not in path.read_text().replace("card_name", "")  # no card data, only the card name
    path.write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        Books(path)
