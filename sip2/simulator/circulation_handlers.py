"""The ACS side of circulation and item requests: 11, 29, 65, 09, 17, 19 and 15.

Mixed into :class:`sip2.simulator.handlers.AcsHandlers`.  Due dates (``AH``) are sent as
``YYYYMMDD    HHMMSS`` (SIPServer); transaction dates in requests are read leniently and a blank or
unreadable one means "now" (the ILS's clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sip2.fields import parse_timestamp, timestamp
from sip2.messages import (
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    ItemStatusUpdateRequest,
    ItemStatusUpdateResponse,
    Message,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
)
from sip2.simulator.dialects import SimDialect
from sip2.simulator.library import Library
from sip2.simulator.models import FEE_OTHER, FEE_RENTAL
from sip2.simulator.results import CirculationResult
from sip2.simulator.texts import text

HOLD_SHELF_DAYS = 7


def request_time(value: str, fallback: datetime) -> datetime:
    """A request timestamp as naive local time; blanks or nonsense give *fallback* (the ILS's now)."""
    parsed = parse_timestamp(value) if value.strip() else None
    if parsed is None:
        return fallback
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed


def as_money(amount: Decimal) -> Decimal:
    """An amount with exactly two decimals, as BV carries it (``3.00``)."""
    return amount.quantize(Decimal("0.01"))


class CirculationHandlers:
    """Loan and item replies; ``library`` and ``institution`` are provided by the concrete handler."""

    library: Library
    institution: str
    dialect: SimDialect

    def now(self) -> str:
        """The ILS's transaction date for a reply (local time)."""
        return timestamp(self.library.now())

    def stamp(self, when: datetime) -> str:
        """A due or expiry date as this ILS writes it: local, or UTC (``YYYYMMDD   ZHHMMSS``), which
        the spec allows -- while its transaction dates stay local (a mix the kiosk must handle)."""
        return timestamp(when, utc=self.dialect.utc_dates)

    # -- circulation ---------------------------------------------------------------------------------

    def _loan_reply(
        self, cls: type[CheckoutResponse] | type[RenewResponse], institution: str, result: CirculationResult
    ) -> CheckoutResponse | RenewResponse:
        fee_amount = result.fee.amount if result.fee else result.fee_required
        return cls(
            ok=result.ok,
            renewal_ok=result.renewal,
            magnetic_media=result.magnetic,
            # spec: desensitize Y when the SC should desensitize; never for magnetic media
            desensitize=result.ok and not result.magnetic,
            transaction_date=self.now(),
            institution_id=institution or self.institution,
            patron_id=result.patron_id,
            item_id=result.item_id,
            title=result.title,
            due_date=self.stamp(result.loan.due) if (result.ok and result.loan) else "",
            fee_type=FEE_RENTAL if fee_amount else None,
            currency=self.library.currency if fee_amount else None,
            fee_amount=as_money(fee_amount) if fee_amount else None,
            security_inhibit=False if result.ok else None,
            media_type=result.media_type or None,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )

    def checkout(self, request: CheckoutRequest) -> Message:
        """11 -> 12 (a re-checkout by the same patron renews: ``renewal_ok`` Y)."""
        now = self.library.now()
        when = request_time(request.transaction_date, now)
        nb_due = request_time(request.nb_due_date, now) if request.nb_due_date.strip() else None
        result = self.library.checkout(
            request.patron_id,
            request.item_id,
            pin=request.patron_password or None,
            no_block=request.no_block,
            transaction_date=when,
            nb_due_date=nb_due if request.no_block and nb_due and nb_due > when else None,
            fee_acknowledged=bool(request.fee_acknowledged),
        )
        return self._loan_reply(CheckoutResponse, request.institution_id, result)

    def renew(self, request: RenewRequest) -> Message:
        """29 -> 30."""
        when = request_time(request.transaction_date, self.library.now())
        result = self.library.renew(
            request.patron_id,
            request.item_id or "",
            pin=request.patron_password or None,
            no_block=request.no_block,
            transaction_date=when,
            fee_acknowledged=bool(request.fee_acknowledged),
        )
        return self._loan_reply(RenewResponse, request.institution_id, result)

    def renew_all(self, request: RenewAllRequest) -> Message:
        """65 -> 66."""
        when = request_time(request.transaction_date, self.library.now())
        result = self.library.renew_all(
            request.patron_id,
            pin=request.patron_password or None,
            transaction_date=when,
            fee_acknowledged=bool(request.fee_acknowledged),
        )
        return RenewAllResponse(
            ok=result.ok,
            renewed_count=len(result.renewed),
            unrenewed_count=len(result.unrenewed),
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            renewed_items=tuple(result.renewed),
            unrenewed_items=tuple(result.unrenewed),
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )

    def checkin(self, request: CheckinRequest) -> Message:
        """09 -> 10 (the return date is honoured: an offline return is not fined for the wait)."""
        now = self.library.now()
        returned = request_time(request.return_date, request_time(request.transaction_date, now))
        result = self.library.checkin(
            request.item_id,
            return_date=returned,
            institution=request.institution_id or self.institution,
            location=request.current_location,
            no_block=request.no_block,
        )
        item = self.library.items.get(request.item_id)
        return CheckinResponse(
            ok=result.ok,
            resensitize=result.ok and not result.magnetic,
            magnetic_media=result.magnetic if item else None,
            alert=result.alert,
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            item_id=request.item_id,
            permanent_location=item.location if item else "",
            title=result.title or None,
            sort_bin=result.sort_bin or None,
            patron_id=result.patron_id,
            media_type=result.media_type or None,
            alert_type=result.alert_type or None,
            hold_patron_id=result.hold_patron_id,
            hold_patron_name=result.hold_patron_name or None,
            fee_type=result.fine.fee_type if result.fine else None,
            currency=self.library.currency if result.fine else None,
            fee_amount=as_money(result.fine.amount) if result.fine else None,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )

    # -- items ---------------------------------------------------------------------------------------

    def item_information(self, request: ItemInformationRequest) -> Message:
        """17 -> 18: circulation status 03 available, 04 charged, 08 on the hold shelf."""
        library = self.library
        with library.lock:
            item = library.items.get(request.item_id)
            if item is None:
                return ItemInformationResponse(
                    circulation_status="01",
                    security_marker="00",
                    fee_type=FEE_OTHER,
                    transaction_date=self.now(),
                    item_id=request.item_id,
                    title="",
                    screen_messages=(text("unknown_item"),),
                )
            loan = library.loans.get(item.item_id)
            rule = library.rules[item.rule]
            status = "04" if loan else ("08" if item.hold_shelf_for else "03")
            rental = rule.rental_fee if rule.rental_fee > 0 else None
            return ItemInformationResponse(
                circulation_status=status,
                security_marker="02",
                fee_type=FEE_RENTAL if rental else FEE_OTHER,
                transaction_date=self.now(),
                hold_queue_length=len(item.holds),
                due_date=self.stamp(loan.due) if loan else None,
                item_id=item.item_id,
                title=item.title,
                owner=item.institution,
                currency=library.currency if rental else None,
                fee_amount=as_money(rental) if rental else None,
                media_type=item.media_type,
                permanent_location=item.location,
                current_location=item.location,
                # On the hold shelf: the last day to pick it up (a week, as many libraries do).
                hold_pickup_date=(
                    timestamp(library.now() + timedelta(days=HOLD_SHELF_DAYS))
                    if item.hold_shelf_for
                    else None
                ),
                item_properties=item.properties or None,
            )

    def item_status_update(self, request: ItemStatusUpdateRequest) -> Message:
        """19 -> 20: store the item properties (CH)."""
        when = request_time(request.transaction_date, self.library.now())
        ok = self.library.update_item_properties(
            request.item_id, request.item_properties, transaction_date=when
        )
        item = self.library.items.get(request.item_id)
        return ItemStatusUpdateResponse(
            item_properties_ok=ok,
            transaction_date=self.now(),
            item_id=request.item_id,
            title=item.title if item else None,
            item_properties=item.properties if item else None,
            screen_messages=() if ok else (text("unknown_item"),),
        )

    def hold(self, request: HoldRequest) -> Message:
        """15 -> 16."""
        now = self.library.now()
        when = request_time(request.transaction_date, now)
        expires = request_time(request.expiration_date, now) if request.expiration_date else None
        result = self.library.place_hold(
            request.patron_id,
            request.item_id or "",
            mode=request.hold_mode,
            pickup_location=request.pickup_location or "",
            expires=expires,
            transaction_date=when,
        )
        return HoldResponse(
            ok=result.ok,
            available=result.available,
            transaction_date=self.now(),
            expiration_date=self.stamp(result.expires) if result.expires else None,
            queue_position=result.queue_position or None,
            pickup_location=result.pickup_location or None,
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            item_id=request.item_id,
            title=result.title or None,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )
