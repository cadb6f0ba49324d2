"""The ACS side of each SIP2 request: a decoded request message in, a reply message out.

Replies are built with the same message classes the client decodes (:mod:`sip2.messages`); the
library operations are in :class:`~sip2.simulator.library.Library`.  Field choices follow the spec and
what SIPServer/Koha send: the due date ``AH`` as ``YYYYMMDD    HHMMSS``, fine items (``AV``) as
``<fee id> EUR <amount> "<description>"`` by default (other ILSs' layouts with a dialect:
:mod:`sip2.simulator.dialects`), unknown
patrons answered with ``BL N`` and the first four status flags set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sip2.fields import SUPPORTED_MESSAGES, PatronStatus
from sip2.messages import (
    ACSStatus,
    BlockPatron,
    CheckinRequest,
    CheckoutRequest,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    HoldRequest,
    ItemInformationRequest,
    ItemStatusUpdateRequest,
    Message,
    PatronEnableRequest,
    PatronEnableResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewRequest,
    SCStatusRequest,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
    supported_messages_field,
)
from sip2.simulator.accounts import PatronView
from sip2.simulator.circulation_handlers import CirculationHandlers, as_money, request_time
from sip2.simulator.dialects import SimDialect
from sip2.simulator.library import Library
from sip2.simulator.texts import text
from sip2.simulator.wise import registration_line

#: Messages this ACS supports, for BX (every one of the 16).
SUPPORTED = frozenset(SUPPORTED_MESSAGES)
#: 98 timeout period in tenths of a second (spec) and retries allowed: 10 s, 3 retries.
TIMEOUT_TENTHS, RETRIES = 100, 3
HOLD_ITEMS_LIMIT, OVERDUE_ITEMS_LIMIT = 10, 5
_UNKNOWN_PATRON_STATUS = PatronStatus(True, True, True, True)


@dataclass
class AcsHandlers(CirculationHandlers):
    """Answers requests for one connection.  ``institution`` is the ILS's own (the 98 ``AO``)."""

    library: Library
    institution: str
    library_name: str
    wise_sip2plus: bool
    terminal_location: str = ""
    dialect: SimDialect = field(default_factory=SimDialect)

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
        """CQ whenever the SC sent AD, as Koha and SIPServer do: an empty AD is checked too, so a patron
        who has a PIN gets ``N`` (the SC then asks for it) and one without gets ``Y``."""
        return self.library.check_pin(patron_id, pin) if pin is not None else None

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
            fee_amount=as_money(view.balance) if view else None,
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
            [
                self.dialect.fine_item(
                    fee.fee_id,
                    as_money(fee.outstanding),
                    fee.fee_type,
                    fee.description,
                    self.library.currency,
                )
                for fee in view.fine_items
            ],
            view.recall_items,
            view.unavailable_holds,
        ]
        wanted: list[tuple[str, ...]] = [() for _ in lists]
        position = request.summary.find("Y") if "Y" in request.summary else request.summary.find("y")
        if 0 <= position < len(lists):
            start = max(request.start_item or 1, 1)
            end = request.end_item or len(lists[position])
            wanted[position] = self.dialect.pad(
                tuple(lists[position][start - 1 : end]), start, request.end_item
            )
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
            fee_amount=as_money(view.balance),
            fee_limit=as_money(self.library.fee_limit),
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

    def block_patron(self, request: BlockPatron) -> Message:
        """01 -> 24: block the pass, answer with its (now blocked) status."""
        when = request_time(request.transaction_date, self.library.now())
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
        when = request_time(request.transaction_date, self.library.now())
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
        when = request_time(request.transaction_date, self.library.now())
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
