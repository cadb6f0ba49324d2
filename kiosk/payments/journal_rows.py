"""How the payment journal's SQLite rows read as values, and a payment reads for a technician.

Pure mapping, no SQL: :class:`~kiosk.payments.journal.PaymentJournal` selects the rows (``payment``,
``payment_fee``; tables in :mod:`kiosk.store.schema`) and hands them here. The technician's view never
has the pass number (it is not even selected into a record).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from kiosk.payments.states import Line, PaymentLine, PaymentRecord, State


def line_of(row: sqlite3.Row) -> PaymentLine:
    """One ``payment_fee`` row as a :class:`PaymentLine`."""
    return PaymentLine(
        row["seq"], row["fee_id"], row["amount_cents"], row["bk"], Line(row["state"]), row["sends"]
    )


def record_of(row: sqlite3.Row, fees: Sequence[sqlite3.Row]) -> PaymentRecord:
    """A ``payment`` row and its ``payment_fee`` rows (in ``seq`` order) as a :class:`PaymentRecord`."""
    return PaymentRecord(
        payment_id=row["payment_id"],
        state=State(row["state"]),
        mode=row["mode"],
        amount_cents=row["amount_cents"],
        currency=row["currency"],
        prior_receipt=row["prior_receipt"],
        receipt_no=row["receipt_no"],
        trace=row["trace"],
        tid=row["tid"],
        term_date=row["term_date"],
        money=row["money"],
        reason=row["reason"],
        created=row["created"],
        updated=row["updated"],
        fees=tuple(line_of(f) for f in fees),
    )


def export_view(rec: PaymentRecord) -> dict[str, Any]:
    """A JSON-ready view of ``rec`` for technicians: no pass number."""
    data = {
        k: getattr(rec, k)
        for k in (
            "payment_id",
            "mode",
            "amount_cents",
            "currency",
            "receipt_no",
            "trace",
            "tid",
            "term_date",
            "money",
            "reason",
            "created",
            "updated",
        )
    }
    data["state"] = rec.state.value
    data["fees"] = [
        {
            "fee_id": f.fee_id,
            "amount_cents": f.amount_cents,
            "bk": f.bk,
            "state": f.state.value,
            "sends": f.sends,
        }
        for f in rec.fees
    ]
    result: dict[str, Any] = json.loads(json.dumps(data))
    return result
