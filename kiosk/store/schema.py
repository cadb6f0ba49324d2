"""The schema of the kiosk's database and its migrations (``PRAGMA user_version``), for both stores.

The offline queue (:mod:`kiosk.store.queue`) and the payment journal (:mod:`kiosk.payments.journal`)
share one SQLite file, and a file has one ``user_version``: so there is ONE list of steps for the file,
and whichever store opens it first brings it up to date (:func:`kiosk.store.sqlite.migrate`).

Version 0 is the schema as release 0.1.0 created it (no version written; its files must open and keep
their rows). Step ``i`` brings a file from version ``i`` to ``i + 1``; steps are only ever appended.
To change a table, append a step that uses sqlite-utils (``table.transform(...)``,
``table.add_column(...)``, ``table.create_index(...)``) and add a test with a file at the version before.
"""

from __future__ import annotations

import sqlite_utils

from kiosk.store.sqlite import Step

QUEUE_TABLE = "transactions"


def _queue_tables(db: sqlite_utils.Database) -> None:
    """The offline queue: one row per unconfirmed loan or return (the pass number encrypted)."""
    db[QUEUE_TABLE].create(  # type: ignore[union-attr]
        {
            "seq": int, "txn_id": str, "kind": str, "item_id": str, "pass_enc": bytes,
            "created_at": float, "state": str, "attempts": int, "result_code": str,
            "updated_at": float,
        },
        pk="seq", not_null={"txn_id", "kind", "item_id", "created_at", "state", "attempts"},
        defaults={"attempts": 0, "result_code": ""}, if_not_exists=True,
    )  # fmt: skip
    db[QUEUE_TABLE].create_index(["txn_id"], unique=True, if_not_exists=True)  # type: ignore[union-attr]
    db[QUEUE_TABLE].create_index(["state"], if_not_exists=True)  # type: ignore[union-attr]


def _journal_tables(db: sqlite_utils.Database) -> None:
    """The payment journal: payments, their fee lines, every state they passed, terminal bookkeeping."""
    db["payment"].create(  # type: ignore[union-attr]
        {
            "payment_id": str, "state": str, "mode": str, "amount_cents": int, "currency": str,
            "pass_enc": bytes, "prior_receipt": int, "receipt_no": int, "trace": int, "tid": str,
            "term_date": str, "money": str, "reason": str, "created": float, "updated": float,
        },
        pk="payment_id",
        not_null={"state", "mode", "amount_cents", "currency", "reason", "created", "updated"},
        defaults={"reason": ""}, if_not_exists=True,
    )  # fmt: skip
    db["payment"].create_index(["state"], index_name="payment_state", if_not_exists=True)  # type: ignore[union-attr]
    db["payment_fee"].create(  # type: ignore[union-attr]
        {
            "payment_id": str, "seq": int, "fee_id": str, "amount_cents": int, "bk": str, "state": str,
            "sends": int,
        },
        pk=("payment_id", "seq"),
        not_null={"payment_id", "seq", "fee_id", "amount_cents", "bk", "state", "sends"},
        defaults={"sends": 0}, if_not_exists=True,
    )  # fmt: skip
    # AUTOINCREMENT (ids never reused: the history's order) is beyond sqlite-utils' create().
    db.execute(
        "CREATE TABLE IF NOT EXISTS payment_history (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " payment_id TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL)"
    )
    db["payment_meta"].create(  # type: ignore[union-attr]
        {"key": str, "value": str}, pk="key", not_null={"value"}, if_not_exists=True
    )


def _baseline(db: sqlite_utils.Database) -> None:
    """0 → 1: the 0.1.0 schema, created where missing (a 0.1.0 file already has it: nothing changes)."""
    _queue_tables(db)
    _journal_tables(db)


#: The migration steps of the kiosk's database, oldest first; ``len(STEPS)`` is the current version.
STEPS: tuple[Step, ...] = (_baseline,)
