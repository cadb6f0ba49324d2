"""Finding out whether a state-changing request was applied, after its reply was lost.

Resending a checkout (11), checkin (09), renew (29) or fee paid (37) is NOT idempotent on real
servers: Evergreen's SIPServer turns a second 11 into a renewal, pysip2 replays a cached reply, and
a second 37 may pay twice.  So when the socket died with such a request in flight -- or the ILS
stayed silent after our 97, or answered our 97 with a 96 (it may have processed the request and
its reply got lost: :class:`~sip2.connection.Sip2ResendInDoubt`) -- the client reconnects, logs in
and *asks* before it acts again:

* **checkout (11)** -- 63 patron information with the charged-items list: the item in ``AU`` means the
  checkout was applied (a reply is reconstructed from 17 item information); not there means it was
  not, and the checkout is sent again.
* **checkin (09)** -- 17 item information: an item the ILS does not know (no title, status ``01``,
  or no status of the spec's table) -> outcome unknown, never "returned"; still on loan
  (:data:`sip2.fields.ON_LOAN`) means not applied (sent again); otherwise applied (reply
  reconstructed, ``alert`` set when the item waits on the hold shelf or is in transit).
* **renew (29)** -- 17, compared with the loan's due date read by 17 *before* the renew was sent
  (:class:`LoanSnapshot`): not on loan means the renew cannot have been applied (sent again, which
  gets the ILS's own refusal); on loan with a later due date means it was applied (reply
  reconstructed); anything else (same due date, no snapshot) -> outcome unknown ("we could not
  confirm"), never "refused" and never sent again (a second renewal may charge a second fee).
* **fee paid (37)** -- 63 with the fine-items list, compared with a snapshot taken before paying
  (:func:`fee_snapshot`): the fee's ``AV`` entry (matched on ``CG``), on OCLC Wise its SIP2+
  registration line, or else the balance ``BV``: unchanged means not applied (sent again *with the
  same BK*); changed means applied.  Without such before/after evidence: outcome unknown.
* anything else that changes state (65, 15, 01, 19, 25) -> outcome unknown.

"Outcome unknown" raises :class:`~sip2.errors.Sip2OutcomeUnknown`: the kiosk queues the transaction
for staff instead of guessing.  A reconstructed reply has ``recovered=True`` and carries ``U`` for
magnetic media/desensitize where the ILS's own answer is lost.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sip2.errors import Sip2Error, Sip2OutcomeUnknown, Sip2ProtocolError
from sip2.fees import parse_fee_line
from sip2.fields import parse_timestamp, summary
from sip2.messages import (
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    FeePaidRequest,
    FeePaidResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    Message,
    PatronInformationRequest,
    PatronInformationResponse,
    RenewRequest,
    RenewResponse,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
)
from sip2.wise import parse_fee

log = logging.getLogger(__name__)

Send = Callable[[Message], Message]


@dataclass(frozen=True, slots=True)
class FeeSnapshot:
    """The patron's fee state before a 37: the fee's AV entry, the balance BV and, on OCLC Wise,
    the fee's SIP2+ registration line (42 ``YZ``); ``None`` where the ILS did not show it."""

    fee_entry: str | None
    balance: Decimal | None
    registration: str | None = None
    fee_format: str = "generic"


@dataclass(frozen=True, slots=True)
class LoanSnapshot:
    """The loan before a 29 renew: its due date as the ILS's 17 showed it (``None`` if it did not)."""

    due_date: str | None
    on_loan: bool


Snapshot = FeeSnapshot | LoanSnapshot


def loan_snapshot(send: Send, request: RenewRequest, now: Callable[[], str]) -> LoanSnapshot:
    """Read the item's due date before renewing, so that a lost 30 can be settled afterwards."""
    item = _item_info(send, request, request.item_id or "", now)
    return LoanSnapshot(item.due_date or None, item.charged)


def _later(after: str | None, before: str | None) -> bool:
    """Whether due date *after* is later than *before* (both as the ILS wrote them)."""
    if not after or not before:
        return False
    new, old = parse_timestamp(after), parse_timestamp(before)
    if new is not None and old is not None:
        return new > old
    return False


def _fee_entry(info: PatronInformationResponse, fee_id: str, fee_format: str = "generic") -> str | None:
    """The AV entry of fee *fee_id*, read with the site's fee-line format (:mod:`sip2.fees`)."""
    for entry in info.fine_items:
        line = parse_fee_line(entry, fee_format)
        if entry.strip() == fee_id or (line is not None and line.fee_id == fee_id):
            return entry
    return None


def _patron_info(
    send: Send, request: CheckoutRequest | FeePaidRequest, kind: str, now: Callable[[], str]
) -> PatronInformationResponse:
    query = PatronInformationRequest(
        transaction_date=now(),
        summary=summary(kind),
        institution_id=request.institution_id,
        patron_id=request.patron_id,
        terminal_password=request.terminal_password or None,
        patron_password=request.patron_password,
        start_item=1,
        end_item=9999,
    )
    reply = send(query)
    if not isinstance(reply, PatronInformationResponse):
        raise Sip2OutcomeUnknown("patron information query got an unexpected reply", request)
    return reply


def _registration(send: Send, request: FeePaidRequest, now: Callable[[], str]) -> str | None:
    """The Wise SIP2+ registration line whose unique id is the fee id, if listed."""
    reply = send(
        WiseUnpaidRegistrationsRequest(
            transaction_date=now(),
            institution_id=request.institution_id,
            patron_id=request.patron_id,
            terminal_password=request.terminal_password or None,
            patron_password=request.patron_password,
            flag_fa=True,
            flag_fb=True,
            flag_fc=True,
        )
    )
    if not isinstance(reply, WiseUnpaidRegistrationsResponse):
        raise Sip2OutcomeUnknown("unpaid registrations query got an unexpected reply", request)
    for line in reply.registrations:
        try:
            if parse_fee(line).fee_id == request.fee_id:
                return line
        except Sip2ProtocolError:
            continue
    return None


def fee_snapshot(
    send: Send,
    request: FeePaidRequest,
    now: Callable[[], str],
    wise: bool = False,
    fee_format: str = "generic",
) -> FeeSnapshot:
    """Record the fee state before paying, so a lost 38 can be resolved exactly afterwards.

    With *wise* (OCLC Wise SIP2+) and a fee id that the AV list does not show, the 41/42
    registration line is recorded instead (Wise registration ids need not appear in AV).
    """
    info = _patron_info(send, request, "fine", now)
    entry = _fee_entry(info, request.fee_id, fee_format) if request.fee_id else None
    registration = None
    if wise and request.fee_id and entry is None:
        registration = _registration(send, request, now)
    return FeeSnapshot(entry, info.fee_amount, registration, fee_format)


def _item_info(send: Send, request: Message, item_id: str, now: Callable[[], str]) -> ItemInformationResponse:
    reply = send(
        ItemInformationRequest(
            transaction_date=now(),
            institution_id=getattr(request, "institution_id", ""),
            item_id=item_id,
            terminal_password=getattr(request, "terminal_password", None) or None,
        )
    )
    if not isinstance(reply, ItemInformationResponse):
        raise Sip2OutcomeUnknown("item information query got an unexpected reply", request)
    return reply


def recover(
    request: Message, send: Send, now: Callable[[], str], snapshot: Snapshot | None = None
) -> Message:
    """Resolve a request whose reply was lost; *send* talks over a fresh, logged-in connection.

    Returns the ILS's reply to a resend (not applied before) or a reconstructed reply (applied);
    raises Sip2OutcomeUnknown when the ILS's state does not tell.
    """
    try:
        return _recover(request, send, now, snapshot)
    except Sip2OutcomeUnknown:
        raise
    except Sip2Error as exc:
        raise Sip2OutcomeUnknown(f"message {request.CODE}: recovery failed: {exc}", request) from exc


def _resend(request: Message, send: Send, now: Callable[[], str]) -> Message:
    log.info("message %s was not applied before the connection was lost: sending it again", request.CODE)
    if dataclasses.is_dataclass(request) and hasattr(request, "transaction_date"):
        request = dataclasses.replace(request, transaction_date=now())  # type: ignore[call-arg]
    return send(request)


def _recover(request: Message, send: Send, now: Callable[[], str], snapshot: Snapshot | None) -> Message:
    if isinstance(request, CheckoutRequest):
        info = _patron_info(send, request, "charged", now)
        if request.item_id not in info.charged_items:
            if len(info.charged_items) < (info.charged_items_count or 0):
                raise Sip2OutcomeUnknown("checkout: the charged-items list is incomplete", request)
            return _resend(request, send, now)
        item = _item_info(send, request, request.item_id, now)
        log.info("checkout was applied before the connection was lost; reply reconstructed")
        return CheckoutResponse(
            ok=True,
            renewal_ok=False,
            magnetic_media=None,
            desensitize=None,
            transaction_date=now(),
            institution_id=request.institution_id,
            patron_id=request.patron_id,
            item_id=request.item_id,
            title=item.title,
            due_date=item.due_date or "",
            media_type=item.media_type,
            recovered=True,
        )
    if isinstance(request, CheckinRequest):
        item = _item_info(send, request, request.item_id, now)
        if item.unknown:
            # "Not on loan" is no proof here: the ILS does not know the item at all (issue 11 item 4).
            raise Sip2OutcomeUnknown(
                "checkin: the ILS does not know the item; whether it was returned cannot be told", request
            )
        if item.charged:
            return _resend(request, send, now)
        log.info("checkin was applied before the connection was lost; reply reconstructed")
        return CheckinResponse(
            ok=True,
            resensitize=True,
            magnetic_media=None,
            alert=item.circulation_status in ("08", "10"),
            transaction_date=now(),
            institution_id=request.institution_id,
            item_id=request.item_id,
            permanent_location=item.permanent_location or "",
            title=item.title,
            media_type=item.media_type,
            recovered=True,
        )
    if isinstance(request, RenewRequest) and request.item_id:
        item = _item_info(send, request, request.item_id, now)
        if not item.charged:
            return _resend(request, send, now)
        before = snapshot if isinstance(snapshot, LoanSnapshot) else None
        if before is not None and before.on_loan and _later(item.due_date, before.due_date):
            log.info("renew was applied before the connection was lost (due date moved); reply reconstructed")
            return RenewResponse(
                ok=True,
                renewal_ok=True,
                magnetic_media=None,
                desensitize=None,
                transaction_date=now(),
                institution_id=request.institution_id,
                patron_id=request.patron_id,
                item_id=request.item_id,
                title=item.title,
                due_date=item.due_date or "",
                media_type=item.media_type,
                recovered=True,
            )
        raise Sip2OutcomeUnknown(
            "renew: the item is on loan and its due date did not move; whether it was renewed cannot be told",
            request,
        )
    if isinstance(request, FeePaidRequest):
        return _recover_fee(request, send, now, snapshot if isinstance(snapshot, FeeSnapshot) else None)
    raise Sip2OutcomeUnknown(f"message {request.CODE} changes state and cannot be verified", request)


def _recover_fee(
    request: FeePaidRequest, send: Send, now: Callable[[], str], snapshot: FeeSnapshot | None
) -> Message:
    """Applied or not, from evidence that changes only if *this* payment went through."""
    info = _patron_info(send, request, "fine", now)
    applied: bool | None = None
    if request.fee_id and snapshot is not None and snapshot.fee_entry is not None:
        # The fee's own AV line: unchanged -> not paid; gone or changed (partly paid) -> paid.
        applied = _fee_entry(info, request.fee_id, snapshot.fee_format) != snapshot.fee_entry
    elif request.fee_id and snapshot is not None and snapshot.registration is not None:
        applied = _registration(send, request, now) != snapshot.registration
    elif snapshot is not None and snapshot.balance is not None and info.fee_amount is not None:
        if info.fee_amount == snapshot.balance:
            applied = False
        elif request.fee_amount is not None and info.fee_amount == snapshot.balance - request.fee_amount:
            applied = True
    if applied is None:
        # No before/after evidence (a raw 37, or a fee the ILS never listed): a fee that is gone
        # may have been paid by someone else, one still open may be partly paid -> staff decide.
        raise Sip2OutcomeUnknown("fee paid: whether the payment was applied cannot be told", request)
    if not applied:
        return _resend(request, send, now)
    log.info("fee paid was applied before the connection was lost; reply reconstructed")
    return FeePaidResponse(
        payment_accepted=True,
        transaction_date=now(),
        institution_id=request.institution_id,
        patron_id=request.patron_id,
        transaction_id=request.transaction_id,
        recovered=True,
    )
