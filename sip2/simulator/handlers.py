"""The ACS side of each SIP2 request: a decoded request message in, a reply message out.

Replies are built with the same message classes the client decodes (:mod:`sip2.messages`); the
library operations are in :class:`~sip2.simulator.library.Library`.  Field choices follow the spec and
what SIPServer/Koha send: the due date ``AH`` as ``YYYYMMDD    HHMMSS``, fine items (``AV``) as
``<fee id> EUR <amount> "<description>"`` (Evergreen's legacy layout with the currency), unknown
patrons answered with ``BL N`` and the first four status flags set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sip2.fields import PatronStatus, parse_timestamp, timestamp
from sip2.messages import (
    ACSStatus,
    BlockPatron,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    ItemStatusUpdateRequest,
    ItemStatusUpdateResponse,
    Message,
    PatronEnableRequest,
    PatronEnableResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
    SCStatusRequest,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
    supported_messages_field,
)
from sip2.simulator.accounts import PatronView
from sip2.simulator.library import Library
from sip2.simulator.models import FEE_OTHER, FEE_RENTAL
from sip2.simulator.results import CirculationResult
from sip2.simulator.texts import text
from sip2.simulator.wise import registration_line

#: Messages this ACS supports, for BX (every one of the 16).
SUPPORTED = frozenset(
    {
        "patron_status",
        "checkout",
        "checkin",
        "block_patron",
        "sc_status",
        "resend",
        "login",
        "patron_information",
        "end_patron_session",
        "fee_paid",
        "item_information",
        "item_status_update",
        "patron_enable",
        "hold",
        "renew",
        "renew_all",
    }
)
#: 98 timeout period in tenths of a second (spec) and retries allowed: 10 s, 3 retries.
TIMEOUT_TENTHS, RETRIES = 100, 3
HOLD_ITEMS_LIMIT, OVERDUE_ITEMS_LIMIT = 10, 5
_UNKNOWN_PATRON_STATUS = PatronStatus(True, True, True, True)


def _when(value: str, fallback: datetime) -> datetime:
    """A request timestamp as naive local time; blanks or nonsense give *fallback* (the ILS's now)."""
    parsed = parse_timestamp(value) if value.strip() else None
    if parsed is None:
        return fallback
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


@dataclass
class AcsHandlers:
    """Answers requests for one connection.  ``institution`` is the ILS's own (the 98 ``AO``)."""

    library: Library
    institution: str
    library_name: str
    wise_sip2plus: bool
    terminal_location: str = ""

    def handle(self, request: Message) -> Message | None:
        """The reply to *request*, or ``None`` when this ACS does not answer it (the caller closes)."""
        handler = self._handlers().get(type(request))
        return handler(request) if handler is not None else None

    def _handlers(self) -> dict[type[Message], Callable[[Any], Message | None]]:
        return {
            SCStatusRequest: self.sc_status,
            PatronStatusRequest: self.patron_status,
            PatronInformationRequest: self.patron_information,
            CheckoutRequest: self.checkout,
            CheckinRequest: self.checkin,
            RenewRequest: self.renew,
            RenewAllRequest: self.renew_all,
            ItemInformationRequest: self.item_information,
            ItemStatusUpdateRequest: self.item_status_update,
            PatronEnableRequest: self.patron_enable,
            BlockPatron: self.block_patron,
            EndPatronSessionRequest: self.end_session,
            FeePaidRequest: self.fee_paid,
            HoldRequest: self.hold,
            WiseUnpaidRegistrationsRequest: self.unpaid_registrations,
        }

    def now(self) -> str:
        """The ILS's transaction date for a reply."""
        return timestamp(self.library.now())

    # -- session -------------------------------------------------------------------------------------

    def sc_status(self, request: SCStatusRequest) -> Message:
        """99 -> 98: online, what is allowed, timeout (tenths of a second), retries, BX."""
        return ACSStatus(
            online=True,
            checkin_ok=True,
            checkout_ok=True,
            renewal_policy=True,
            status_update_ok=True,
            offline_ok=True,
            timeout_period=TIMEOUT_TENTHS,
            retries_allowed=RETRIES,
            date_time_sync=self.now(),
            protocol_version="2.00",
            institution_id=self.institution,
            library_name=self.library_name,
            supported_messages=supported_messages_field(SUPPORTED),
            terminal_location=self.terminal_location or None,
        )

    # -- patrons -------------------------------------------------------------------------------------

    def _status(self, view: PatronView | None) -> PatronStatus:
        return PatronStatus.from_field(view.status) if view else _UNKNOWN_PATRON_STATUS

    def _password_ok(self, patron_id: str, pin: str | None) -> bool | None:
        """CQ: only when the SC sent a PIN (an empty AD means "not asked")."""
        return self.library.check_pin(patron_id, pin) if pin else None

    def _patron_messages(self, view: PatronView | None) -> tuple[str, ...]:
        if view is None:
            return (text("unknown_patron"),)
        patron, language = view.patron, view.patron.language
        if patron.blocked:
            return (patron.block_reason or text("blocked", language),)
        if patron.is_expired(self.library.today()):
            return (text("expired", language),)
        if view.balance > self.library.fee_limit:
            return (text("excessive_fees", language),)
        return ()

    def patron_status(self, request: PatronStatusRequest) -> Message:
        """23 -> 24."""
        view = self.library.patron_view(request.patron_id)
        return self._patron_status_reply(
            request.patron_id, request.institution_id, request.patron_password, view
        )

    def _patron_status_reply(
        self, patron_id: str, institution: str, pin: str | None, view: PatronView | None
    ) -> PatronStatusResponse:
        return PatronStatusResponse(
            patron_status=self._status(view),
            language=view.patron.language if view else "000",
            transaction_date=self.now(),
            institution_id=institution or self.institution,
            patron_id=patron_id,
            personal_name=view.patron.name if view else "",
            valid_patron=view is not None,
            valid_patron_password=self._password_ok(patron_id, pin) if view else None,
            currency=self.library.currency if view else None,
            fee_amount=_money(view.balance) if view else None,
            screen_messages=self._patron_messages(view),
        )

    def patron_information(self, request: PatronInformationRequest) -> Message:
        """63 -> 64, with the one list the summary asks for, limited to BP..BQ (1-based)."""
        view = self.library.patron_view(request.patron_id)
        institution = request.institution_id or self.institution
        if view is None:
            return PatronInformationResponse(
                patron_status=_UNKNOWN_PATRON_STATUS,
                language="000",
                transaction_date=self.now(),
                institution_id=institution,
                patron_id=request.patron_id,
                valid_patron=False,
                screen_messages=self._patron_messages(None),
            )
        lists: list[list[str]] = [
            view.hold_items,
            view.overdue_items,
            view.charged_items,
            [self._fine_item(fee.fee_id, fee.outstanding, fee.description) for fee in view.fine_items],
            view.recall_items,
            view.unavailable_holds,
        ]
        wanted: list[tuple[str, ...]] = [() for _ in lists]
        position = request.summary.find("Y") if "Y" in request.summary else request.summary.find("y")
        if 0 <= position < len(lists):
            start = max(request.start_item or 1, 1)
            end = request.end_item or len(lists[position])
            wanted[position] = tuple(lists[position][start - 1 : end])
        patron = view.patron
        return PatronInformationResponse(
            patron_status=self._status(view),
            language=patron.language,
            transaction_date=self.now(),
            hold_items_count=len(view.hold_items),
            overdue_items_count=len(view.overdue_items),
            charged_items_count=len(view.charged_items),
            fine_items_count=len(view.fine_items),
            recall_items_count=0,
            unavailable_holds_count=len(view.unavailable_holds),
            institution_id=institution,
            patron_id=request.patron_id,
            personal_name=patron.name,
            hold_items_limit=HOLD_ITEMS_LIMIT,
            overdue_items_limit=OVERDUE_ITEMS_LIMIT,
            charged_items_limit=patron.max_loans,
            valid_patron=True,
            valid_patron_password=self._password_ok(request.patron_id, request.patron_password),
            currency=self.library.currency,
            fee_amount=_money(view.balance),
            fee_limit=_money(self.library.fee_limit),
            hold_items=wanted[0],
            overdue_items=wanted[1],
            charged_items=wanted[2],
            fine_items=wanted[3],
            recall_items=wanted[4],
            unavailable_hold_items=wanted[5],
            home_address=patron.address or None,
            email_address=patron.email or None,
            home_phone=patron.phone or None,
            screen_messages=self._patron_messages(view),
        )

    @staticmethod
    def _fine_item(fee_id: str, amount: Decimal, description: str) -> str:
        return f'{fee_id} EUR {_money(amount)} "{description}"'

    def block_patron(self, request: BlockPatron) -> Message:
        """01 -> 24: block the pass, answer with its (now blocked) status."""
        when = _when(request.transaction_date, self.library.now())
        self.library.block_patron(
            request.patron_id,
            card_retained=request.card_retained,
            message=request.blocked_card_message,
            transaction_date=when,
        )
        view = self.library.patron_view(request.patron_id)
        return self._patron_status_reply(request.patron_id, request.institution_id, None, view)

    def patron_enable(self, request: PatronEnableRequest) -> Message:
        """25 -> 26."""
        when = _when(request.transaction_date, self.library.now())
        self.library.enable_patron(request.patron_id, transaction_date=when)
        view = self.library.patron_view(request.patron_id)
        return PatronEnableResponse(
            patron_status=self._status(view),
            language=view.patron.language if view else "000",
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            personal_name=view.patron.name if view else "",
            valid_patron=view is not None,
            valid_patron_password=self._password_ok(request.patron_id, request.patron_password)
            if view
            else None,
            screen_messages=self._patron_messages(view),
        )

    def end_session(self, request: EndPatronSessionRequest) -> Message:
        """35 -> 36."""
        patron = self.library.patrons.get(request.patron_id)
        return EndSessionResponse(
            end_session=True,
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            screen_messages=(text("goodbye", patron.language if patron else ""),),
        )

    def fee_paid(self, request: FeePaidRequest) -> Message:
        """37 -> 38: validate patron, fee id (CG), amount and currency; apply and ledger it."""
        when = _when(request.transaction_date, self.library.now())
        amount = request.fee_amount if request.fee_amount is not None else (request.extra("BV") or ("",))[0]
        result = self.library.pay_fee(
            request.patron_id,
            amount,
            transaction_id=request.transaction_id or "",
            fee_id=request.fee_id or None,
            currency=request.currency,
            payment_type=request.payment_type,
            transaction_date=when,
        )
        return FeePaidResponse(
            payment_accepted=result.accepted,
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            transaction_id=request.transaction_id,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )

    def unpaid_registrations(self, request: WiseUnpaidRegistrationsRequest) -> Message | None:
        """41 -> 42 (OCLC Wise SIP2+): one YZ line per open fee; not answered without SIP2+."""
        if not self.wise_sip2plus:
            return None
        fees = self.library.open_fees_of(request.patron_id)
        return WiseUnpaidRegistrationsResponse(
            transaction_date=self.now(),
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            registrations=tuple(registration_line(fee) for fee in fees),
        )

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
            due_date=timestamp(result.loan.due) if (result.ok and result.loan) else "",
            fee_type=FEE_RENTAL if fee_amount else None,
            currency=self.library.currency if fee_amount else None,
            fee_amount=_money(fee_amount) if fee_amount else None,
            security_inhibit=False if result.ok else None,
            media_type=result.media_type or None,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )

    def checkout(self, request: CheckoutRequest) -> Message:
        """11 -> 12 (a re-checkout by the same patron renews: ``renewal_ok`` Y)."""
        now = self.library.now()
        when = _when(request.transaction_date, now)
        nb_due = _when(request.nb_due_date, now) if request.nb_due_date.strip() else None
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
        when = _when(request.transaction_date, self.library.now())
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
        when = _when(request.transaction_date, self.library.now())
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
        returned = _when(request.return_date, _when(request.transaction_date, now))
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
                due_date=timestamp(loan.due) if loan else None,
                item_id=item.item_id,
                title=item.title,
                owner=item.institution,
                currency=library.currency if rental else None,
                fee_amount=_money(rental) if rental else None,
                media_type=item.media_type,
                permanent_location=item.location,
                current_location=item.location,
                item_properties=item.properties or None,
            )

    def item_status_update(self, request: ItemStatusUpdateRequest) -> Message:
        """19 -> 20: store the item properties (CH)."""
        when = _when(request.transaction_date, self.library.now())
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
        when = _when(request.transaction_date, now)
        expires = _when(request.expiration_date, now) if request.expiration_date else None
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
            expiration_date=timestamp(result.expires) if result.expires else None,
            queue_position=result.queue_position or None,
            pickup_location=result.pickup_location or None,
            institution_id=request.institution_id or self.institution,
            patron_id=request.patron_id,
            item_id=request.item_id,
            title=result.title or None,
            screen_messages=(result.screen_message,) if result.screen_message else (),
        )
