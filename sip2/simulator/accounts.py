"""Patron accounts: status flags and summary lists, fee payments, blocks, holds, item properties.

Fee payments behave like a real ILS, which is *not* idempotent: every accepted 37 is applied and
written to the payments ledger, even when its BK repeats an earlier one.  A resent payment is therefore
refused only when there is nothing left to pay (the fee id is no longer open, or the amount exceeds the
balance) -- which is why the kiosk must query before it resends (notes, "Why resending 11/09/37 is
unsafe").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sip2.simulator.circulation import Circulation
from sip2.simulator.models import FEE_OVERDUE, Fee, Patron, Payment
from sip2.simulator.results import FeePaidResult, HoldResult
from sip2.simulator.texts import money, text

#: Overdue items beyond which the "too many items overdue" flag is set.
OVERDUE_LIMIT = 5
HOLD_DAYS = 90


@dataclass(frozen=True)
class PatronView:
    """Everything a 23/63/64/24 reply says about a patron (computed under the lock, then immutable).

    ``status`` is the spec's 14-character patron status (``Y`` or space, in spec order).  The lists
    follow the 63 summary positions: hold items (holds ready), overdue, charged, fine items (fees),
    recall items, unavailable holds.
    """

    patron: Patron
    status: str
    hold_items: list[str] = field(default_factory=list)
    overdue_items: list[str] = field(default_factory=list)
    charged_items: list[str] = field(default_factory=list)
    fine_items: list[Fee] = field(default_factory=list)
    recall_items: list[str] = field(default_factory=list)
    unavailable_holds: list[str] = field(default_factory=list)
    balance: Decimal = Decimal("0.00")


class Accounts(Circulation):
    """Account operations on top of :class:`~sip2.simulator.circulation.Circulation`."""

    def patron_view(self, patron_id: str, when: datetime | None = None) -> PatronView | None:
        """Status flags, counts and lists for a patron, or ``None`` when the pass is unknown."""
        with self.lock:
            patron = self.patrons.get(patron_id)
            if patron is None:
                return None
            now = when or self.now()
            loans = self.loans_of(patron_id)
            overdue = [ln.item_id for ln in loans if ln.due < now]
            fees = self.open_fees_of(patron_id)
            balance = sum((f.outstanding for f in fees), Decimal("0.00"))
            fines = sum((f.outstanding for f in fees if f.fee_type == FEE_OVERDUE), Decimal("0.00"))
            ready = sorted(i.item_id for i in self.items.values() if i.hold_shelf_for == patron_id)
            waiting = sorted(
                i.item_id
                for i in self.items.values()
                if patron_id in i.holds and i.hold_shelf_for != patron_id
            )
            expired = patron.is_expired(now.date())
            no_loans = patron.blocked or expired or balance > self.fee_limit
            flags = [
                no_loans,  # charge privileges denied
                patron.blocked or expired,  # renewal privileges denied
                patron.blocked,  # recall privileges denied
                patron.blocked or expired,  # hold privileges denied
                patron.card_lost,  # card reported lost
                len(loans) >= patron.max_loans,  # too many items charged
                len(overdue) >= OVERDUE_LIMIT,  # too many items overdue
                False,
                False,
                False,  # renewals, claims returned, items lost
                fines > self.fee_limit,  # excessive outstanding fines
                balance > self.fee_limit,  # excessive outstanding fees
                False,
                False,  # recall overdue, too many items billed
            ]
            return PatronView(
                patron,
                "".join("Y" if f else " " for f in flags),
                ready,
                overdue,
                [ln.item_id for ln in loans],
                fees,
                [],
                waiting,
                balance,
            )

    def check_pin(self, patron_id: str, pin: str) -> bool:
        """Whether *pin* is the patron's PIN (a patron without a PIN accepts only an empty one)."""
        with self.lock:
            patron = self.patrons.get(patron_id)
            return patron is not None and (patron.pin or "") == pin

    def pay_fee(
        self,
        patron_id: str,
        amount: str | Decimal,
        *,
        transaction_id: str = "",
        fee_id: str | None = None,
        currency: str = "",
        payment_type: str = "00",
        transaction_date: datetime | None = None,
    ) -> FeePaidResult:
        """Apply a payment (37 fee paid) to one fee (``fee_id``, CG) or to the oldest open fees."""
        with self.lock:
            when = transaction_date or self.now()
            patron = self.patrons.get(patron_id)
            if patron is None:
                return FeePaidResult(False, patron_id, transaction_id, text("unknown_patron"))
            language = patron.language

            def refuse(key: str, **values: object) -> FeePaidResult:
                return FeePaidResult(False, patron_id, transaction_id, text(key, language, **values))

            if currency.strip() and currency.strip().upper() != self.currency:
                return refuse("bad_currency")
            try:
                value = Decimal(str(amount).strip().replace(",", "."))
            except InvalidOperation:
                return refuse("bad_amount")
            if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
                return refuse("bad_amount")
            if fee_id:
                fee = self.fees.get(fee_id)
                if fee is None or fee.patron_id != patron_id or not fee.is_open:
                    return refuse("unknown_fee")
                targets = [fee]
            else:
                targets = self.open_fees_of(patron_id)
                if not targets:
                    return refuse("nothing_open")
            open_amount = sum((f.outstanding for f in targets), Decimal("0.00"))
            if value > open_amount:
                return refuse("amount_too_high", open=money(open_amount))
            allocations: dict[str, Decimal] = {}
            remaining = value
            for fee in targets:
                part = min(fee.outstanding, remaining)
                if part > 0:
                    fee.outstanding -= part
                    allocations[fee.fee_id] = part
                    remaining -= part
            payment = Payment(
                transaction_id,
                patron_id,
                value,
                fee_id or None,
                payment_type,
                self.currency,
                when,
                self.now(),
                allocations,
            )
            self.payments.append(payment)
            self._applied("fee_paid", patron_id, None, when, subject=transaction_id)
            return FeePaidResult(
                True,
                patron_id,
                transaction_id,
                text("payment_accepted", language, amount=money(value)),
                payment,
            )

    def block_patron(
        self,
        patron_id: str,
        *,
        card_retained: bool = False,
        message: str = "",
        transaction_date: datetime | None = None,
    ) -> Patron | None:
        """Block a pass at the SC's request (01 block patron); ``None`` when the pass is unknown."""
        with self.lock:
            patron = self.patrons.get(patron_id)
            if patron is None:
                return None
            patron.blocked = True
            patron.blocked_by_sc = True
            patron.card_retained = card_retained
            patron.block_reason = message or text("card_blocked_by_sc", patron.language)
            self._applied("block", patron_id, None, transaction_date or self.now())
            return patron

    def enable_patron(self, patron_id: str, *, transaction_date: datetime | None = None) -> Patron | None:
        """Lift a block the SC set (25 patron enable); staff blocks stay, as on SIPServer."""
        with self.lock:
            patron = self.patrons.get(patron_id)
            if patron is None:
                return None
            if patron.blocked and patron.blocked_by_sc:
                patron.blocked = False
                patron.blocked_by_sc = False
                patron.card_retained = False
                patron.block_reason = ""
                self._applied("enable", patron_id, None, transaction_date or self.now())
            return patron

    def place_hold(
        self,
        patron_id: str,
        item_id: str,
        *,
        mode: str = "+",
        pickup_location: str = "",
        expires: datetime | None = None,
        transaction_date: datetime | None = None,
    ) -> HoldResult:
        """Add (``+``), delete (``-``) or change (``*``) a hold (15 hold)."""
        with self.lock:
            when = transaction_date or self.now()
            patron = self.patrons.get(patron_id)
            item = self.items.get(item_id)
            language = patron.language if patron else ""
            if patron is None:
                return HoldResult(False, patron_id, item_id, screen_message=text("unknown_patron"))
            if item is None:
                return HoldResult(False, patron_id, item_id, screen_message=text("unknown_item", language))
            expiry = expires or (when + timedelta(days=HOLD_DAYS))
            if mode == "-":
                if patron_id not in item.holds:
                    return HoldResult(
                        False,
                        patron_id,
                        item_id,
                        screen_message=text("hold_not_found", language),
                        title=item.title,
                    )
                item.holds.remove(patron_id)
                if item.hold_shelf_for == patron_id:
                    item.hold_shelf_for = None
                self._applied("hold", patron_id, item_id, when, subject=f"{item_id}-")
                return HoldResult(
                    True, patron_id, item_id, screen_message=text("hold_removed", language), title=item.title
                )
            if mode == "*":
                if patron_id not in item.holds:
                    return HoldResult(
                        False,
                        patron_id,
                        item_id,
                        screen_message=text("hold_not_found", language),
                        title=item.title,
                    )
                self._applied("hold", patron_id, item_id, when, subject=f"{item_id}*")
                return HoldResult(
                    True,
                    patron_id,
                    item_id,
                    item.hold_shelf_for == patron_id,
                    item.holds.index(patron_id) + 1,
                    expiry,
                    pickup_location,
                    text("hold_changed", language),
                    item.title,
                )
            reason = self.patron_refusal(patron, when)
            if reason is not None:
                return HoldResult(
                    False, patron_id, item_id, screen_message=text(reason, language), title=item.title
                )
            if patron_id in item.holds:
                return HoldResult(
                    False, patron_id, item_id, screen_message=text("hold_exists", language), title=item.title
                )
            item.holds.append(patron_id)
            position = len(item.holds)
            self._applied("hold", patron_id, item_id, when)
            return HoldResult(
                True,
                patron_id,
                item_id,
                False,
                position,
                expiry,
                pickup_location,
                text("hold_placed", language, position=position),
                item.title,
            )

    def update_item_properties(
        self, item_id: str, properties: str, *, transaction_date: datetime | None = None
    ) -> bool:
        """Set an item's properties (19 item status update); False when the item is unknown."""
        with self.lock:
            item = self.items.get(item_id)
            if item is None:
                return False
            item.properties = properties
            self._applied("item_update", None, item_id, transaction_date or self.now())
            return True
