"""Finding out whether a state-changing request was applied, after its reply was lost.

Resending a checkout (11), checkin (09), renew (29) or fee paid (37) is NOT idempotent on real
servers: Evergreen's SIPServer turns a second 11 into a renewal, pysip2 replays a cached reply, and
a second 37 may pay twice.  So when the socket died with such a request in flight, the client
reconnects, logs in and *asks* before it acts again:

* **checkout (11)** -- 63 patron information with the charged-items list: the item in ``AU`` means the
  checkout was applied (a reply is reconstructed from 17 item information); not there means it was
  not, and the checkout is sent again.
* **checkin (09)** -- 17 item information: still charged (``04``/``05``) means not applied (sent
  again); otherwise applied (reply reconstructed, ``alert`` set when the item waits on the hold shelf
  or is in transit).
* **renew (29)** -- 17: not charged means the renew cannot have been applied (sent again, which gets
  the ILS's own refusal); charged is ambiguous without the old due date -> outcome unknown.
* **fee paid (37)** -- 63 with the fine-items list, compared with a snapshot taken before paying
  (:func:`fee_snapshot`): the fee entry (``CG`` in ``AV``) or, without a fee id, the balance ``BV``
  unchanged means not applied (sent again *with the same BK*); changed means applied.  Without a
  snapshot a fee that is gone counts as paid and one still open is unknown (it may be partly paid).
* anything else that changes state (65, 15, 01, 19, 25) -> outcome unknown.

"Outcome unknown" raises :class:`~sip2.errors.Sip2OutcomeUnknown`: the kiosk queues the transaction
for staff instead of guessing.  A reconstructed reply has ``recovered=True`` and carries ``U`` for
magnetic media/desensitize where the ILS's own answer is lost.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sip2.errors import Sip2Error, Sip2OutcomeUnknown
from sip2.fields import summary
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
)

log = logging.getLogger(__name__)

Send = Callable[[Message], Message]
_TOKEN = re.compile(r"[\s~,;:|]+")


@dataclass(frozen=True, slots=True)
class FeeSnapshot:
    """The patron's fee state before a 37: the AV entry of the fee (if any) and the balance BV."""

    fee_entry: str | None
    balance: Decimal | None


def _fee_entry(info: PatronInformationResponse, fee_id: str) -> str | None:
    for entry in info.fine_items:
        tokens = _TOKEN.split(entry.strip())
        if entry.strip() == fee_id or (tokens and tokens[0] == fee_id):
            return entry
    return None


def _patron_info(send: Send, request: CheckoutRequest | FeePaidRequest, kind: str,
                 now: Callable[[], str]) -> PatronInformationResponse:
    query = PatronInformationRequest(
        transaction_date=now(), summary=summary(kind), institution_id=request.institution_id,
        patron_id=request.patron_id, terminal_password=request.terminal_password or None,
        patron_password=request.patron_password, start_item=1, end_item=9999,
    )
    reply = send(query)
    if not isinstance(reply, PatronInformationResponse):
        raise Sip2OutcomeUnknown("patron information query got an unexpected reply", request)
    return reply


def fee_snapshot(send: Send, request: FeePaidRequest, now: Callable[[], str]) -> FeeSnapshot:
    """Record the fee state before paying, so a lost 38 can be resolved exactly afterwards."""
    info = _patron_info(send, request, "fine", now)
    entry = _fee_entry(info, request.fee_id) if request.fee_id else None
    return FeeSnapshot(entry, info.fee_amount)


def _item_info(send: Send, request: Message, item_id: str, now: Callable[[], str]) -> ItemInformationResponse:
    reply = send(ItemInformationRequest(
        transaction_date=now(), institution_id=getattr(request, "institution_id", ""), item_id=item_id,
        terminal_password=getattr(request, "terminal_password", None) or None,
    ))
    if not isinstance(reply, ItemInformationResponse):
        raise Sip2OutcomeUnknown("item information query got an unexpected reply", request)
    return reply


def recover(
    request: Message, send: Send, now: Callable[[], str], snapshot: FeeSnapshot | None = None
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


def _recover(request: Message, send: Send, now: Callable[[], str], snapshot: FeeSnapshot | None) -> Message:
    if isinstance(request, CheckoutRequest):
        info = _patron_info(send, request, "charged", now)
        if request.item_id not in info.charged_items:
            if len(info.charged_items) < (info.charged_items_count or 0):
                raise Sip2OutcomeUnknown("checkout: the charged-items list is incomplete", request)
            return _resend(request, send, now)
        item = _item_info(send, request, request.item_id, now)
        log.info("checkout was applied before the connection was lost; reply reconstructed")
        return CheckoutResponse(
            ok=True, renewal_ok=False, magnetic_media=None, desensitize=None, transaction_date=now(),
            institution_id=request.institution_id, patron_id=request.patron_id, item_id=request.item_id,
            title=item.title, due_date=item.due_date or "", media_type=item.media_type, recovered=True,
        )
    if isinstance(request, CheckinRequest):
        item = _item_info(send, request, request.item_id, now)
        if item.charged:
            return _resend(request, send, now)
        log.info("checkin was applied before the connection was lost; reply reconstructed")
        return CheckinResponse(
            ok=True, resensitize=True, magnetic_media=None, alert=item.circulation_status in ("08", "10"),
            transaction_date=now(), institution_id=request.institution_id, item_id=request.item_id,
            permanent_location=item.permanent_location or "", title=item.title,
            media_type=item.media_type, recovered=True,
        )
    if isinstance(request, RenewRequest) and request.item_id:
        item = _item_info(send, request, request.item_id, now)
        if not item.charged:
            return _resend(request, send, now)
        raise Sip2OutcomeUnknown("renew: the item is on loan; whether it was renewed cannot be told", request)
    if isinstance(request, FeePaidRequest):
        return _recover_fee(request, send, now, snapshot)
    raise Sip2OutcomeUnknown(f"message {request.CODE} changes state and cannot be verified", request)


def _recover_fee(request: FeePaidRequest, send: Send, now: Callable[[], str],
                 snapshot: FeeSnapshot | None) -> Message:
    info = _patron_info(send, request, "fine", now)
    if request.fee_id:
        entry = _fee_entry(info, request.fee_id)
        if snapshot is not None and snapshot.fee_entry is not None:
            applied = entry != snapshot.fee_entry
        elif entry is None:
            applied = True
        else:
            raise Sip2OutcomeUnknown("fee paid: the fee is still open (possibly partly paid)", request)
    elif snapshot is not None and snapshot.balance is not None and info.fee_amount is not None:
        if info.fee_amount == snapshot.balance:
            applied = False
        elif request.fee_amount is not None and info.fee_amount == snapshot.balance - request.fee_amount:
            applied = True
        else:
            raise Sip2OutcomeUnknown("fee paid: the balance changed by another amount", request)
    else:
        raise Sip2OutcomeUnknown("fee paid without fee id or balance snapshot cannot be verified", request)
    if not applied:
        return _resend(request, send, now)
    log.info("fee paid was applied before the connection was lost; reply reconstructed")
    return FeePaidResponse(payment_accepted=True, transaction_date=now(),
                           institution_id=request.institution_id, patron_id=request.patron_id,
                           transaction_id=request.transaction_id, recovered=True)
