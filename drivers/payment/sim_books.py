"""The simulated terminal's books: receipt and trace numbers and every transaction with its state.

Tests assert on these (``authorised`` → ``committed`` | ``reversed``), and a JSON state file keeps them
across restarts of ``kiosk terminal simulate`` (so Repeat Receipt after a "power loss" works). Nothing
here is card data: amounts, numbers, states and the card *name* only.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

log = logging.getLogger(__name__)

AUTHORISED, COMMITTED, REVERSED, DECLINED = "authorised", "committed", "reversed", "declined"


@dataclass(frozen=True)
class SimTransaction:
    """One transaction the simulator handled (a payment, or the reversal record of one)."""

    receipt_no: int
    trace: int
    amount: int
    state: str
    kind: str = "payment"  # "payment" | "reversal" | "end_of_day"
    date: str = "01-01"
    time: str = "00:00:00"
    card_name: str = "Maestro"
    settled: bool = False  # closed by End-of-Day: no reversal any more
    reverses: int | None = None  # for kind "reversal": the receipt number it reversed
    stored: bool = False  # reached the terminal's memory (committed once, or a decline/reversal record)


class Books:
    """Thread-safe ledger of the simulator, optionally persisted to a JSON file after every change."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self.receipt_no = 0
        self.trace = 0
        self.transactions: list[SimTransaction] = []
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.receipt_no = int(data["receipt_no"])
            self.trace = int(data["trace"])
            self.transactions = [SimTransaction(**t) for t in data["transactions"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"simulator state file {self.path} is unreadable: {exc}") from None

    def _save(self) -> None:
        if self.path is None:
            return
        data = {
            "receipt_no": self.receipt_no,
            "trace": self.trace,
            "transactions": [asdict(t) for t in self.transactions],
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def new(
        self,
        amount: int,
        state: str,
        kind: str = "payment",
        date: str = "01-01",
        time: str = "00:00:00",
        reverses: int | None = None,
    ) -> SimTransaction:
        """Book a new transaction with the next receipt and trace numbers."""
        with self._lock:
            self.receipt_no = self.receipt_no % 9999 + 1
            self.trace = self.trace % 999999 + 1
            tx = SimTransaction(
                self.receipt_no,
                self.trace,
                amount,
                state,
                kind,
                date,
                time,
                reverses=reverses,
                stored=state in (COMMITTED, DECLINED),
            )
            self.transactions.append(tx)
            self._save()
            return tx

    def set_state(self, receipt_no: int, state: str) -> SimTransaction:
        """Change the state of the transaction with ``receipt_no`` (the latest one with that number)."""
        with self._lock:
            for i in range(len(self.transactions) - 1, -1, -1):
                if self.transactions[i].receipt_no == receipt_no:
                    stored = self.transactions[i].stored or state in (COMMITTED, DECLINED)
                    self.transactions[i] = replace(self.transactions[i], state=state, stored=stored)
                    self._save()
                    log.info("simulator: receipt %04d %s", receipt_no, state)
                    return self.transactions[i]
        raise KeyError(receipt_no)

    def find(self, receipt_no: int, kind: str = "payment") -> SimTransaction | None:
        """The latest transaction of ``kind`` with ``receipt_no``."""
        with self._lock:
            for tx in reversed(self.transactions):
                if tx.receipt_no == receipt_no and tx.kind == kind:
                    return tx
        return None

    def last(self) -> SimTransaction | None:
        """The most recent transaction in the terminal's memory (an auto-reversed one never got there)."""
        with self._lock:
            for tx in reversed(self.transactions):
                if tx.stored and tx.kind != "end_of_day":
                    return tx
        return None

    def settle(self) -> tuple[int, int]:
        """End-of-Day: mark every unsettled transaction settled; return (count, net total of payments)."""
        with self._lock:
            count = total = 0
            for i, tx in enumerate(self.transactions):
                if tx.settled:
                    continue
                if tx.kind == "payment" and tx.state == COMMITTED:
                    count += 1
                    total += tx.amount
                self.transactions[i] = replace(tx, settled=True)
            self._save()
            return count, total

    def payments(self) -> list[SimTransaction]:
        """Copies of all payment transactions, oldest first."""
        with self._lock:
            return [t for t in self.transactions if t.kind == "payment"]
