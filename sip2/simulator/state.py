"""The simulated ILS's state: the records, one lock, the books tests assert, and JSON persistence.

:class:`LibraryState` is the base of :class:`sip2.simulator.library.Library`; the operations live in
:mod:`sip2.simulator.circulation` and :mod:`sip2.simulator.accounts`.  Every state change happens under
``lock`` (the TCP server serves each connection in its own thread) and ends with :meth:`_applied`,
which journals the transaction and calls the change listeners (the server persists the state file).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sip2.simulator.models import (
    Applied,
    Checkin,
    Fee,
    Item,
    Loan,
    LoanRule,
    Patron,
    Payment,
    transaction_key,
)

STATE_VERSION = 1


def _local_now() -> datetime:
    return datetime.now().replace(microsecond=0)


class LibraryState:
    """Records of one simulated ILS and the journal of every transaction it applied.

    Attributes tests read (hold ``lock`` while iterating if a server is running):

    * ``patrons`` / ``items`` / ``rules`` -- by id;
    * ``loans`` -- item id -> :class:`~sip2.simulator.models.Loan` (patron, due date, renewals);
    * ``fees`` -- fee id -> :class:`~sip2.simulator.models.Fee`;
    * ``payments`` -- the payments ledger, one :class:`~sip2.simulator.models.Payment` per applied 37;
    * ``checkins`` -- every recorded return;
    * ``applied`` -- the journal of applied transactions; :attr:`counter` counts them by key.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        currency: str = "EUR",
        fee_limit: Decimal = Decimal("10.00"),
    ) -> None:
        self.lock = threading.RLock()
        self.clock: Callable[[], datetime] = clock or _local_now
        self.currency = currency
        self.fee_limit = fee_limit
        self.institutions: dict[str, str] = {}
        self.patrons: dict[str, Patron] = {}
        self.items: dict[str, Item] = {}
        self.rules: dict[str, LoanRule] = {}
        self.loans: dict[str, Loan] = {}
        self.fees: dict[str, Fee] = {}
        self.payments: list[Payment] = []
        self.checkins: list[Checkin] = []
        self.applied: list[Applied] = []
        self.next_fee_number = 900100
        self.listeners: list[Callable[[], None]] = []

    # -- queries ---------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The ILS's current local time (naive, whole seconds)."""
        return self.clock()

    def today(self) -> date:
        """The ILS's current date."""
        return self.now().date()

    @property
    def counter(self) -> Counter[str]:
        """How many times each transaction (by :func:`~sip2.simulator.models.transaction_key`) was applied."""
        with self.lock:
            return Counter(entry.key for entry in self.applied)

    def times_applied(
        self,
        kind: str,
        *,
        patron_id: str | None = None,
        item_id: str | None = None,
        transaction_id: str | None = None,
    ) -> int:
        """Count applied transactions of *kind*, optionally only for one patron, item or BK."""
        with self.lock:
            return sum(
                1
                for entry in self.applied
                if entry.kind == kind
                and (patron_id is None or entry.patron_id == patron_id)
                and (item_id is None or entry.item_id == item_id)
                and (transaction_id is None or f":{transaction_id}:" in entry.key)
            )

    def loans_of(self, patron_id: str) -> list[Loan]:
        """The patron's current loans, oldest first."""
        with self.lock:
            return sorted(
                (ln for ln in self.loans.values() if ln.patron_id == patron_id),
                key=lambda ln: (ln.checked_out, ln.item_id),
            )

    def open_fees_of(self, patron_id: str) -> list[Fee]:
        """The patron's fees with something still to pay, oldest first."""
        with self.lock:
            return sorted(
                (f for f in self.fees.values() if f.patron_id == patron_id and f.is_open),
                key=lambda f: (f.created, f.fee_id),
            )

    def balance(self, patron_id: str) -> Decimal:
        """Total outstanding for the patron."""
        return sum((f.outstanding for f in self.open_fees_of(patron_id)), Decimal("0.00"))

    def payments_for(self, transaction_id: str) -> list[Payment]:
        """Ledger lines with this BK (more than one if the ILS applied a resent 37 again)."""
        with self.lock:
            return [p for p in self.payments if p.transaction_id == transaction_id]

    # -- changes ---------------------------------------------------------------------------------------

    def add_fee(
        self,
        patron_id: str,
        fee_type: str,
        amount: Decimal,
        description: str,
        item_id: str | None = None,
        when: datetime | None = None,
    ) -> Fee:
        """Charge a new fee to a patron (ids are numeric and unique, as Wise's registration ids)."""
        with self.lock:
            self.next_fee_number += 1
            fee = Fee(
                str(self.next_fee_number),
                patron_id,
                fee_type,
                amount,
                amount,
                description,
                when or self.now(),
                item_id,
            )
            self.fees[fee.fee_id] = fee
            return fee

    def _applied(
        self,
        kind: str,
        patron_id: str | None,
        item_id: str | None,
        when: datetime,
        subject: str | None = None,
        no_block: bool = False,
    ) -> None:
        """Journal one applied transaction and tell the listeners (call with ``lock`` held)."""
        key = transaction_key(kind, patron_id, subject if subject is not None else item_id, when)
        self.applied.append(Applied(kind, key, patron_id, item_id, when, no_block))
        for listener in list(self.listeners):
            listener()

    # -- persistence -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-friendly data."""
        with self.lock:
            return {
                "version": STATE_VERSION,
                "currency": self.currency,
                "fee_limit": str(self.fee_limit),
                "next_fee_number": self.next_fee_number,
                "institutions": dict(self.institutions),
                "rules": [r.to_dict() for r in self.rules.values()],
                "patrons": [p.to_dict() for p in self.patrons.values()],
                "items": [i.to_dict() for i in self.items.values()],
                "loans": [ln.to_dict() for ln in self.loans.values()],
                "fees": [f.to_dict() for f in self.fees.values()],
                "payments": [p.to_dict() for p in self.payments],
                "checkins": [c.to_dict() for c in self.checkins],
                "applied": [a.to_dict() for a in self.applied],
            }

    def load_dict(self, data: dict[str, Any]) -> None:
        """Replace the whole state with *data* (from :meth:`to_dict`)."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported simulator state version {data.get('version')!r}")
        with self.lock:
            self.currency = data["currency"]
            self.fee_limit = Decimal(data["fee_limit"])
            self.next_fee_number = int(data["next_fee_number"])
            self.institutions = dict(data["institutions"])
            self.rules = {r["name"]: LoanRule.from_dict(r) for r in data["rules"]}
            self.patrons = {p["patron_id"]: Patron.from_dict(p) for p in data["patrons"]}
            self.items = {i["item_id"]: Item.from_dict(i) for i in data["items"]}
            self.loans = {ln["item_id"]: Loan.from_dict(ln) for ln in data["loans"]}
            self.fees = {f["fee_id"]: Fee.from_dict(f) for f in data["fees"]}
            self.payments = [Payment.from_dict(p) for p in data["payments"]]
            self.checkins = [Checkin.from_dict(c) for c in data["checkins"]]
            self.applied = [Applied.from_dict(a) for a in data["applied"]]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state to *path* atomically (temp file + rename), so a crash leaves the old or new."""
        target = Path(path)
        payload = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".simstate-", dir=target.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read the state written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            self.load_dict(json.load(handle))
