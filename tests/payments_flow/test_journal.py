"""The payment journal on a real SQLite file: durability settings, state rules, privacy of what is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.payments.journal import JournalError, PaymentJournal
from kiosk.payments.states import MONEY_COMMITTED, Line, State

PASS = "20000100001004"


@pytest.fixture
def journal(tmp_path: Path) -> PaymentJournal:
    j = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "queue.key")
    yield j
    j.close()


def test_pragmas_are_wal_and_synchronous_full(journal: PaymentJournal) -> None:
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_create_then_walk_the_vending_path(journal: PaymentJournal) -> None:
    rec = journal.create(PASS, [("900001", 250), ("900002", 50)], prior_receipt=7)
    assert rec.state is State.NEW and rec.amount_cents == 300 and rec.fee_ids == ("900001", "900002")
    assert [f.bk for f in rec.fees] == [f"{rec.payment_id}-1", f"{rec.payment_id}-2"]
    pid = rec.payment_id
    journal.advance(pid, State.AUTH_SENT)
    journal.advance(pid, State.SI_RECEIVED, receipt_no=8, trace=12, tid="52523535", term_date="11-24")
    for seq in (1, 2):
        journal.fee_sending(pid, seq)
        journal.fee_result(pid, seq, Line.ACCEPTED)
    journal.advance(pid, State.SIP2_ACCEPTED)
    journal.advance(pid, State.COMMITTED, money=MONEY_COMMITTED)
    done = journal.advance(pid, State.DONE)
    assert done.final and done.receipt_no == 8 and done.trace == 12 and done.money == MONEY_COMMITTED
    assert [f.state for f in done.fees] == [Line.ACCEPTED, Line.ACCEPTED]
    assert journal.history(pid) == [
        State.NEW,
        State.AUTH_SENT,
        State.SI_RECEIVED,
        State.SIP2_SENT,
        State.SIP2_SENT,
        State.SIP2_ACCEPTED,
        State.COMMITTED,
        State.DONE,
    ]
    assert journal.unfinished() == []


def test_forbidden_transitions_are_refused(journal: PaymentJournal) -> None:
    pid = journal.create(PASS, [("900001", 250)]).payment_id
    with pytest.raises(JournalError):
        journal.advance(pid, State.DONE)  # never DONE without the terminal and the ILS
    with pytest.raises(JournalError):
        journal.fee_sending(pid, 1)  # no Fee Paid before the terminal approved
    journal.advance(pid, State.AUTH_SENT)
    journal.advance(pid, State.DECLINED)
    with pytest.raises(JournalError):
        journal.advance(pid, State.AUTH_SENT)  # final is final
    with pytest.raises(JournalError):
        journal.advance("nope", State.AUTH_SENT)


def test_no_second_payment_while_one_is_unresolved(journal: PaymentJournal) -> None:
    pid = journal.create(PASS, [("900001", 250)]).payment_id
    journal.advance(pid, State.AUTH_SENT)
    journal.advance(pid, State.UNKNOWN)
    with pytest.raises(JournalError, match="unresolved"):
        journal.create(PASS, [("900002", 100)])
    journal.advance(pid, State.CANCELLED)
    assert journal.create(PASS, [("900002", 100)]).state is State.NEW


def test_fee_paid_at_most_once_unless_proven_not_applied(journal: PaymentJournal) -> None:
    pid = journal.create(PASS, [("900001", 250)], mode="outbox").payment_id
    journal.advance(pid, State.AUTH_SENT)
    journal.advance(pid, State.SI_RECEIVED)
    journal.advance(pid, State.COMMITTED)
    line = journal.fee_sending(pid, 1)
    assert line.state is Line.SENT and line.sends == 1
    with pytest.raises(JournalError, match="already sent"):
        journal.fee_sending(pid, 1)
    journal.fee_result(pid, 1, Line.NOT_APPLIED)  # recovery found the fee still open
    assert journal.fee_sending(pid, 1).sends == 2
    journal.fee_result(pid, 1, Line.ACCEPTED)
    with pytest.raises(JournalError, match="already accepted"):
        journal.fee_sending(pid, 1)


def test_pass_number_is_encrypted_and_wiped_when_final(journal: PaymentJournal, tmp_path: Path) -> None:
    pid = journal.create(PASS, [("900001", 250)]).payment_id
    assert journal.pass_of(pid) == PASS
    raw = (tmp_path / "kiosk.db").read_bytes() + (tmp_path / "kiosk.db-wal").read_bytes()
    assert PASS.encode() not in raw
    journal.advance(pid, State.CANCELLED)
    assert journal.pass_of(pid) is None
    row = sqlite3.connect(tmp_path / "kiosk.db").execute("SELECT pass_enc FROM payment").fetchone()
    assert row[0] is None


def test_hook_runs_after_the_write_is_committed(tmp_path: Path) -> None:
    seen: list[tuple[str, State, str]] = []

    def hook(pid: str, state: State) -> None:
        # another connection sees the state already: it was committed before the hook ran
        other = sqlite3.connect(tmp_path / "kiosk.db")
        seen.append((pid, state, other.execute("SELECT state FROM payment").fetchone()[0]))
        other.close()

    j = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "queue.key", on_write=hook)
    pid = j.create(PASS, [("900001", 250)]).payment_id
    j.advance(pid, State.AUTH_SENT)
    assert seen == [(pid, State.NEW, "NEW"), (pid, State.AUTH_SENT, "AUTH_SENT")]
    j.close()


def test_survives_reopen_and_refuses_a_lost_key(tmp_path: Path) -> None:
    j = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "queue.key")
    pid = j.create(PASS, [("900001", 250)]).payment_id
    j.advance(pid, State.AUTH_SENT)
    j.set_last_receipt(41)
    j.close()
    again = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "queue.key")
    assert [r.payment_id for r in again.unfinished()] == [pid]
    assert again.last_receipt() == 41 and again.pass_of(pid) == PASS
    again.close()
    (tmp_path / "queue.key").unlink()
    with pytest.raises(Exception, match="key file is missing"):
        PaymentJournal(tmp_path / "kiosk.db", tmp_path / "queue.key")


def test_purge_keeps_unfinished_and_recent(tmp_path: Path) -> None:
    now = [1_000_000.0]
    j = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "k.key", clock=lambda: now[0])
    old = j.create(PASS, [("1", 100)]).payment_id
    j.advance(old, State.CANCELLED)
    now[0] += 20 * 86400
    fresh = j.create(PASS, [("2", 100)]).payment_id
    assert j.purge(14) == 1
    assert [r.payment_id for r in j.all()] == [fresh]
    assert j.counts() == {"NEW": 1}
    j.close()


def test_bad_input_is_refused_clearly(journal: PaymentJournal) -> None:
    with pytest.raises(ValueError):
        journal.create(PASS, [])
    with pytest.raises(ValueError):
        journal.create(PASS, [("1", 0)])
    with pytest.raises(ValueError):
        journal.create(PASS, [("1", 100)], mode="cash")
    pid = journal.create(PASS, [("1", 100)]).payment_id
    with pytest.raises(ValueError):
        journal.advance(pid, State.AUTH_SENT, card_name="Maestro")  # no such column, on purpose
