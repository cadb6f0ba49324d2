"""Loans: checkout, renewal, renew all and checkin, with the rules a real ACS applies.

Behaviour modelled on Evergreen's SIPServer and OCLC Wise:

* a checkout of an item already on loan to the same patron is a renewal (SIPServer; Wise can be set to
  count a same-day second loan as a renewal), and the reply says so;
* refusals (blocked, expired, fees over the limit, maximum loans, on loan to someone else, reserved for
  someone else, renewal limit, rental fee not acknowledged) are results with a screen message;
* ``no_block`` (an SC that already lent or took back the item while the ILS was offline) skips the
  blocks, and the original transaction date / return date / ``nb due date`` are honoured.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sip2.simulator.models import FEE_OVERDUE, FEE_RENTAL, Checkin, Fee, Item, Loan, Patron
from sip2.simulator.results import CheckinResult, CirculationResult, RenewAllResult
from sip2.simulator.state import LibraryState
from sip2.simulator.texts import money, text

HOLD_SORT_BIN = "RESERVERINGEN"
TRANSIT_SORT_BIN = "TRANSPORT"


def due_date(start: datetime, days: int) -> datetime:
    """Loans fall due at the end of a day (Koha's ``235900``), *days* after *start*."""
    return datetime.combine(start.date() + timedelta(days=days), time(23, 59, 0))


class Circulation(LibraryState):
    """Checkout, renew, renew all and checkin on top of :class:`LibraryState`."""

    def patron_refusal(self, patron: Patron, when: datetime) -> str | None:
        """The reason (screen message key) this patron may not borrow or renew now, or ``None``."""
        if patron.blocked:
            return "blocked"
        if patron.is_expired(when.date()):
            return "expired"
        if self.balance(patron.patron_id) > self.fee_limit:
            return "excessive_fees"
        return None

    def checkout(
        self,
        patron_id: str,
        item_id: str,
        *,
        pin: str | None = None,
        no_block: bool = False,
        transaction_date: datetime | None = None,
        nb_due_date: datetime | None = None,
        fee_acknowledged: bool = False,
    ) -> CirculationResult:
        """Lend *item_id* to *patron_id* (11 checkout).  See the module docstring for the rules."""
        with self.lock:
            when = transaction_date or self.now()
            patron = self.patrons.get(patron_id)
            item = self.items.get(item_id)
            language = patron.language if patron else ""

            def refuse(key: str, **values: object) -> CirculationResult:
                return CirculationResult(
                    False,
                    item_id,
                    patron_id,
                    text(key, language, **values),
                    magnetic=bool(item and item.magnetic),
                    media_type=item.media_type if item else "",
                    title=item.title if item else "",
                )

            if patron is None:
                return refuse("unknown_patron")
            if pin is not None and patron.pin is not None and pin != patron.pin and not no_block:
                return refuse("wrong_pin")
            if item is None:
                return refuse("unknown_item")
            loan = self.loans.get(item_id)
            if loan is not None and loan.patron_id == patron_id:
                return self._renew_loan(patron, item, loan, when, fee_acknowledged, no_block)
            if not no_block:
                reason = self.patron_refusal(patron, when)
                if reason is None and len(self.loans_of(patron_id)) >= patron.max_loans:
                    reason = "max_loans"
                if reason is None and loan is not None:
                    reason = "on_loan_other"
                if reason is None and self._reserved_for_other(item, patron_id):
                    reason = "on_hold_other"
                if reason is not None:
                    return refuse(reason)
            rule = self.rules[item.rule]
            if rule.rental_fee > 0 and not fee_acknowledged and not no_block:
                result = refuse("fee_not_acknowledged", amount=money(rule.rental_fee))
                return CirculationResult(**{**result.__dict__, "fee_required": rule.rental_fee})
            if loan is not None:  # no_block: the ILS missed a return while the SC was offline
                self._close_loan(loan, when, "")
            if patron_id in item.holds:  # the patron collects their hold
                item.holds.remove(patron_id)
                if item.hold_shelf_for == patron_id:
                    item.hold_shelf_for = None
            # An SC that lent offline often sends its transaction date as "nb due date" (it knows no loan
            # periods; a blank one closes the socket on some servers). Only a later date is a real due date;
            # otherwise the loan period runs from the original transaction date, as on a real ILS.
            due = due_date(when, rule.loan_days)
            if no_block and nb_due_date is not None and nb_due_date.date() > when.date():
                due = nb_due_date
            new_loan = Loan(item_id, patron_id, when, due)
            self.loans[item_id] = new_loan
            fee = None
            if rule.rental_fee > 0:
                fee = self.add_fee(
                    patron_id, FEE_RENTAL, rule.rental_fee, f"Leengeld {item_id}", item_id, when
                )
            self._applied("checkout", patron_id, item_id, when, no_block=no_block)
            return CirculationResult(
                True,
                item_id,
                patron_id,
                text("checked_out", language, due=due.strftime("%d-%m-%Y")),
                loan=new_loan,
                fee=fee,
                magnetic=item.magnetic,
                media_type=item.media_type,
                title=item.title,
            )

    def renew(
        self,
        patron_id: str,
        item_id: str,
        *,
        pin: str | None = None,
        no_block: bool = False,
        transaction_date: datetime | None = None,
        fee_acknowledged: bool = False,
    ) -> CirculationResult:
        """Extend a loan (29 renew)."""
        with self.lock:
            when = transaction_date or self.now()
            patron = self.patrons.get(patron_id)
            item = self.items.get(item_id)
            language = patron.language if patron else ""
            if patron is None:
                return CirculationResult(False, item_id, patron_id, text("unknown_patron"))
            if pin is not None and patron.pin is not None and pin != patron.pin and not no_block:
                return CirculationResult(False, item_id, patron_id, text("wrong_pin", language))
            if item is None:
                return CirculationResult(False, item_id, patron_id, text("unknown_item", language))
            loan = self.loans.get(item_id)
            if loan is None or loan.patron_id != patron_id:
                return CirculationResult(
                    False,
                    item_id,
                    patron_id,
                    text("not_on_loan_to_you", language),
                    magnetic=item.magnetic,
                    media_type=item.media_type,
                    title=item.title,
                )
            return self._renew_loan(patron, item, loan, when, fee_acknowledged, no_block)

    def renew_all(
        self,
        patron_id: str,
        *,
        pin: str | None = None,
        transaction_date: datetime | None = None,
        fee_acknowledged: bool = False,
    ) -> RenewAllResult:
        """Renew every loan of the patron that may be renewed (65 renew all)."""
        with self.lock:
            when = transaction_date or self.now()
            patron = self.patrons.get(patron_id)
            if patron is None:
                return RenewAllResult(False, patron_id, screen_message=text("unknown_patron"))
            if pin is not None and patron.pin is not None and pin != patron.pin:
                return RenewAllResult(False, patron_id, screen_message=text("wrong_pin", patron.language))
            loans = self.loans_of(patron_id)
            reason = self.patron_refusal(patron, when)
            if reason is not None:
                return RenewAllResult(
                    False, patron_id, [], [ln.item_id for ln in loans], text(reason, patron.language)
                )
            renewed: list[str] = []
            unrenewed: list[str] = []
            for loan in loans:
                result = self._renew_loan(
                    patron, self.items[loan.item_id], loan, when, fee_acknowledged, False
                )
                (renewed if result.ok else unrenewed).append(loan.item_id)
            return RenewAllResult(
                True,
                patron_id,
                renewed,
                unrenewed,
                text("renewed_all", patron.language, renewed=len(renewed), unrenewed=len(unrenewed)),
            )

    def checkin(
        self,
        item_id: str,
        *,
        return_date: datetime | None = None,
        institution: str = "",
        location: str = "",
        no_block: bool = False,
    ) -> CheckinResult:
        """Take an item back (09 checkin): close the loan, charge a late fine, route holds and transit."""
        with self.lock:
            when = return_date or self.now()
            item = self.items.get(item_id)
            if item is None:
                return CheckinResult(False, item_id, screen_message=text("unknown_item"))
            loan = self.loans.get(item_id)
            patron = self.patrons.get(loan.patron_id) if loan else None
            language = patron.language if patron else ""
            fine = None
            changed = False
            if loan is not None:
                fine = self._close_loan(loan, when, location)
                changed = True
            alert, alert_type, sort_bin, holder_id, holder_name = False, "", "", None, ""
            if item.holds:
                if item.hold_shelf_for is None:
                    item.hold_shelf_for = item.holds[0]
                    changed = True
                holder_id = item.hold_shelf_for
                holder = self.patrons.get(holder_id)
                holder_name = holder.name if holder else ""
                here = not institution or institution == item.institution
                alert, alert_type, sort_bin = True, ("01" if here else "02"), HOLD_SORT_BIN
                message = text("returned_hold", language)
            elif institution and institution != item.institution:
                library = self.institutions.get(item.institution, item.institution)
                alert, alert_type, sort_bin = True, "04", f"{TRANSIT_SORT_BIN} {item.institution}"
                message = text("returned_transit", language, library=library)
            elif fine is not None:
                message = text("returned_fine", language, amount=money(fine.amount))
            else:
                message = text("returned" if loan is not None else "not_on_loan", language)
            result = CheckinResult(
                True,
                item_id,
                loan.patron_id if loan else None,
                message,
                alert,
                alert_type,
                sort_bin,
                holder_id,
                holder_name,
                fine,
                item.magnetic,
                item.media_type,
                item.title,
                item.institution,
            )
            if changed:
                self._applied("checkin", loan.patron_id if loan else None, item_id, when, no_block=no_block)
            return result

    # -- helpers ---------------------------------------------------------------------------------------

    def _reserved_for_other(self, item: Item, patron_id: str) -> bool:
        """Whether the item waits on the hold shelf for, or is first reserved by, someone else."""
        if item.hold_shelf_for is not None:
            return item.hold_shelf_for != patron_id
        return bool(item.holds) and item.holds[0] != patron_id

    def _renew_loan(
        self, patron: Patron, item: Item, loan: Loan, when: datetime, fee_acknowledged: bool, no_block: bool
    ) -> CirculationResult:
        """Renew one loan of *patron*; the reply of a re-checkout carries ``renewal`` = True."""
        language = patron.language
        rule = self.rules[item.rule]

        def refuse(key: str, **values: object) -> CirculationResult:
            return CirculationResult(
                False,
                item.item_id,
                patron.patron_id,
                text(key, language, **values),
                renewal=True,
                loan=loan,
                magnetic=item.magnetic,
                media_type=item.media_type,
                title=item.title,
            )

        if not no_block:
            reason = self.patron_refusal(patron, when)
            if reason is None and any(holder != patron.patron_id for holder in item.holds):
                reason = "on_hold_other"
            if reason is None and loan.renewals >= rule.max_renewals:
                reason = "renewal_limit"
            if reason is not None:
                return refuse(reason)
            if rule.rental_fee > 0 and not fee_acknowledged:
                result = refuse("fee_not_acknowledged", amount=money(rule.rental_fee))
                return CirculationResult(**{**result.__dict__, "fee_required": rule.rental_fee})
        loan.renewals += 1
        loan.due = max(loan.due, due_date(when, rule.loan_days))
        fee = None
        if rule.rental_fee > 0:
            fee = self.add_fee(
                patron.patron_id, FEE_RENTAL, rule.rental_fee, f"Leengeld {item.item_id}", item.item_id, when
            )
        self._applied("renew", patron.patron_id, item.item_id, when, no_block=no_block)
        return CirculationResult(
            True,
            item.item_id,
            patron.patron_id,
            text("renewed", language, due=loan.due.strftime("%d-%m-%Y")),
            renewal=True,
            loan=loan,
            fee=fee,
            magnetic=item.magnetic,
            media_type=item.media_type,
            title=item.title,
        )

    def _close_loan(self, loan: Loan, when: datetime, location: str) -> Fee | None:
        """End a loan, record the return and charge a late fine; returns the fine (or ``None``)."""
        del self.loans[loan.item_id]
        self.checkins.append(Checkin(loan.item_id, loan.patron_id, when, location))
        rule = self.rules[self.items[loan.item_id].rule]
        days_late = (when.date() - loan.due.date()).days
        if days_late <= 0 or rule.fine_per_day <= 0:
            return None
        amount = (
            min(rule.fine_per_day * days_late, rule.fine_max)
            if rule.fine_max > 0
            else rule.fine_per_day * days_late
        )
        return self.add_fee(
            loan.patron_id,
            FEE_OVERDUE,
            Decimal(amount).quantize(Decimal("0.01")),
            f"Te laat ingeleverd {loan.item_id} ({days_late} dagen)",
            loan.item_id,
            when,
        )
