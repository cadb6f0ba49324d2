"""Turning SIP2 replies into session result events (pure functions, no I/O).

Only what the screen needs crosses over: titles and names live in the events (memory, this session);
addresses, e-mail and phone numbers from a 64 reply are never copied.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from kiosk.core import events as ev
from kiosk.core.view import AccountView, FeeLine, HoldLine, LoanLine
from sip2.fees import BALANCE_FEE_ID, has_fee_ids, parse_fee_line
from sip2.fields import parse_timestamp
from sip2.messages import (
    CheckinResponse,
    CheckoutResponse,
    ItemInformationResponse,
    PatronInformationResponse,
    RenewResponse,
)

# SIP2 10 "alert type" (CV): 01 hold for this library, 02 hold for another branch, 03 hold for ILL,
# 04 send to another branch, 99 other.
HOLD_ALERTS = frozenset({"01", "02", "03"})

#: Every reply the kiosk reads a screen message (AF) from.
Reply = (
    CheckoutResponse | CheckinResponse | RenewResponse | PatronInformationResponse | ItemInformationResponse
)


def text(value: str | None) -> str:
    """A display string: NFC-normalised (SIPServer sends NFD; Kivy renders combining marks poorly)."""
    return unicodedata.normalize("NFC", value) if value else ""


def screen_message(reply: Reply) -> str:
    """The ILS's screen message(s) (AF), verbatim, joined by spaces."""
    return " ".join(text(m) for m in reply.screen_messages if m)


def due_text(raw: str | None) -> str:
    """A due date as ``YYYY-MM-DD`` when it parses (formats differ per ILS), else the raw text."""
    if not raw:
        return ""
    when = parse_timestamp(raw)  # aware: a ``Z`` (UTC) due date is shown as the local date
    return when.astimezone().date().isoformat() if when is not None else text(raw).strip()


def patron_found(session_id: int, reply: PatronInformationResponse, pin: str | None) -> ev.PatronFound:
    """A 64 reply as :class:`~kiosk.core.events.PatronFound`."""
    password = reply.valid_patron_password
    return ev.PatronFound(
        session_id,
        valid=reply.valid_patron is not False,
        display_name=text(reply.personal_name),
        pin_valid=password if pin else None,
        pin_required=pin is None and password is False,
        flags=frozenset(reply.patron_status.active()),
        screen_message=screen_message(reply),
        language=reply.language or "000",
        holds_ready=reply.hold_items_count or 0,
        hold_items=tuple(text(i) for i in reply.hold_items if i),
    )


def checked_out(session_id: int, item_id: str, reply: CheckoutResponse) -> ev.Event:
    """A 12 reply: the loan, or the refusal with the ILS's reason."""
    if not reply.ok:
        return ev.ItemRefused(
            session_id,
            item_id,
            "loan",
            "item.refused",
            screen_message(reply),
            fee_amount=reply.fee_amount,
            title=text(reply.title),
        )
    return ev.ItemCheckedOut(
        session_id, item_id, text(reply.title), due_text(reply.due_date),
        magnetic_media=bool(reply.magnetic_media), screen_message=screen_message(reply),
        renewed=reply.renewal_ok,
    )  # fmt: skip


def checked_in(session_id: int, item_id: str, reply: CheckinResponse) -> ev.Event:
    """A 10 reply: the return (with hold / sort bin instructions), or the refusal."""
    if not reply.ok:
        return ev.ItemRefused(session_id, item_id, "return", "return.refused", screen_message(reply))
    hold = reply.alert and (reply.alert_type or "") in HOLD_ALERTS
    return ev.ItemCheckedIn(
        session_id, item_id, text(reply.title),
        sort_bin=text(reply.sort_bin), hold_for_other=hold,
        magnetic_media=bool(reply.magnetic_media), screen_message=screen_message(reply),
        fine=fine_charged(reply),
    )  # fmt: skip


def fine_charged(reply: CheckinResponse) -> Decimal | None:
    """The fine a 10 reply says this return charged (BV, a vendor extension), or None."""
    amount = reply.fee_amount
    return amount if amount is not None and amount > 0 else None


def renewed(session_id: int, item_id: str, reply: RenewResponse) -> ev.Event:
    """A 30 reply: the new due date, or the refusal (e.g. the renewal limit) with the ILS's reason."""
    if not reply.ok:
        return ev.ItemRefused(session_id, item_id, "renewal", "renew.refused", screen_message(reply))
    return ev.ItemRenewed(
        session_id, item_id, text(reply.title), due_text(reply.due_date), screen_message=screen_message(reply)
    )


def fee_line(raw: str, fee_format: str = "generic") -> FeeLine | None:
    """One 64 ``AV`` fine item as a payable :class:`FeeLine`, read by the one fee-line parser
    (:func:`sip2.fees.parse_fee_line`, format per ILS); ``None`` when it carries no amount.  In a
    format without fee ids the line stands for part of the balance (:data:`BALANCE_FEE_ID`)."""
    line = parse_fee_line(raw, fee_format)
    if line is None or line.amount is None:
        return None
    fee_id = line.fee_id if has_fee_ids(fee_format) else BALANCE_FEE_ID
    if not fee_id:
        return None
    return FeeLine(fee_id, line.amount, text(line.description or line.fee_type))


def account(
    loans: list[LoanLine],
    holds: list[HoldLine | str],
    fines: list[str],
    fee_format: str = "generic",
    balance: Decimal | None = None,
) -> AccountView:
    """Loans (with titles from 18 replies), holds and fees as an :class:`AccountView`.

    Where the ILS gives no fee ids (``evergreen``, ``koha``), every line is listed with the balance's
    stand-in id, so choosing any of them pays the whole balance ``BV`` (37 without ``CG``); a balance
    the lines do not show at all is listed as one line.
    """
    fees = tuple(f for f in (fee_line(x, fee_format) for x in fines) if f is not None)
    if not fees and not has_fee_ids(fee_format) and balance is not None and balance > 0:
        fees = (FeeLine(BALANCE_FEE_ID, balance, ""),)
    lines = tuple(h if isinstance(h, HoldLine) else HoldLine(text(h)) for h in holds if h)
    return AccountView(loans=tuple(loans), holds=lines, fees=fees)


def hold_line(item_id: str, info: ItemInformationResponse, available: bool) -> HoldLine:
    """A hold from its 18 item information reply: the title; for one ready on the hold shelf (64 AS) the
    place (AP current location, else AQ) and the last day to pick it up (CM hold pickup date)."""
    title = text(info.title) or item_id
    if not available:
        return HoldLine(title, False, item_id)
    place = text(info.current_location or info.permanent_location)
    return HoldLine(title, True, item_id, place, due_text(info.hold_pickup_date))


def loan_line(item_id: str, info: ItemInformationResponse) -> LoanLine:
    """A loan from an 18 item information reply: overdue when its due date (AH) lies before the reply's
    transaction date (both read by :func:`sip2.fields.parse_timestamp`)."""
    overdue = False
    when = parse_timestamp(info.due_date or "")
    now = parse_timestamp(info.transaction_date)
    if when is not None and now is not None:
        overdue = when < now
    return LoanLine(item_id, text(info.title), due_text(info.due_date), overdue)
