"""Turning SIP2 replies into session result events (pure functions, no I/O).

Only what the screen needs crosses over: titles and names live in the events (memory, this session);
addresses, e-mail and phone numbers from a 64 reply are never copied.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from kiosk.core import events as ev
from kiosk.core.view import AccountView, FeeLine, HoldLine, LoanLine
from sip2.fees import BALANCE_FEE_ID, has_fee_ids, parse_fee_line
from sip2.fields import parse_timestamp

# SIP2 10 "alert type" (CV): 01 hold for this library, 02 hold for another branch, 03 hold for ILL,
# 04 send to another branch, 99 other.
HOLD_ALERTS = frozenset({"01", "02", "03"})


def text(value: Any) -> str:
    """A display string: NFC-normalised (SIPServer sends NFD; Kivy renders combining marks poorly)."""
    return unicodedata.normalize("NFC", str(value)) if value else ""


def screen_message(reply: Any) -> str:
    """The ILS's screen message(s) (AF), verbatim, joined by spaces."""
    return " ".join(text(m) for m in (getattr(reply, "screen_messages", ()) or ()) if m)


def due_text(raw: Any) -> str:
    """A due date as ``YYYY-MM-DD`` when it parses (formats differ per ILS), else the raw text."""
    if not raw:
        return ""
    when = parse_timestamp(str(raw))  # aware: a ``Z`` (UTC) due date is shown as the local date
    return when.astimezone().date().isoformat() if when is not None else text(raw).strip()


def patron_found(session_id: int, reply: Any, pin: str | None) -> ev.PatronFound:
    """A 64 (or 24) reply as :class:`~kiosk.core.events.PatronFound`."""
    status = getattr(reply, "patron_status", None)
    flags = frozenset(status.active()) if status is not None else frozenset()
    valid_flag = getattr(reply, "valid_patron", None)
    password = getattr(reply, "valid_patron_password", None)
    return ev.PatronFound(
        session_id,
        valid=valid_flag is not False,
        display_name=text(getattr(reply, "personal_name", "")),
        pin_valid=password if pin else None,
        pin_required=pin is None and password is False,
        flags=flags,
        screen_message=screen_message(reply),
        language=str(getattr(reply, "language", "000") or "000"),
        holds_ready=int(getattr(reply, "hold_items_count", 0) or 0),
        hold_items=tuple(text(i) for i in (getattr(reply, "hold_items", ()) or ()) if i),
    )


def checked_out(session_id: int, item_id: str, reply: Any) -> ev.Event:
    """A 12 reply: the loan, or the refusal with the ILS's reason."""
    if not getattr(reply, "ok", False):
        fee = getattr(reply, "fee_amount", None)
        return ev.ItemRefused(
            session_id,
            item_id,
            "loan",
            "item.refused",
            screen_message(reply),
            fee_amount=fee if isinstance(fee, Decimal) else None,
            title=text(getattr(reply, "title", "")),
        )
    return ev.ItemCheckedOut(
        session_id, item_id, text(getattr(reply, "title", "")), due_text(getattr(reply, "due_date", "")),
        magnetic_media=bool(getattr(reply, "magnetic_media", False)), screen_message=screen_message(reply),
        renewed=bool(getattr(reply, "renewal_ok", False)),
    )  # fmt: skip


def checked_in(session_id: int, item_id: str, reply: Any) -> ev.Event:
    """A 10 reply: the return (with hold / sort bin instructions), or the refusal."""
    if not getattr(reply, "ok", False):
        return ev.ItemRefused(session_id, item_id, "return", "return.refused", screen_message(reply))
    alert_type = str(getattr(reply, "alert_type", "") or "")
    hold = bool(getattr(reply, "alert", False)) and alert_type in HOLD_ALERTS
    return ev.ItemCheckedIn(
        session_id, item_id, text(getattr(reply, "title", "") or ""),
        sort_bin=text(getattr(reply, "sort_bin", "") or ""), hold_for_other=hold,
        magnetic_media=bool(getattr(reply, "magnetic_media", False)), screen_message=screen_message(reply),
        fine=fine_charged(reply),
    )  # fmt: skip


def fine_charged(reply: Any) -> Decimal | None:
    """The fine a 10 reply says this return charged (BV, a vendor extension), or None."""
    amount = getattr(reply, "fee_amount", None)
    return amount if isinstance(amount, Decimal) and amount > 0 else None


def renewed(session_id: int, item_id: str, reply: Any) -> ev.Event:
    """A 30 reply: the new due date, or the refusal (e.g. the renewal limit) with the ILS's reason."""
    if not getattr(reply, "ok", False):
        return ev.ItemRefused(session_id, item_id, "renewal", "renew.refused", screen_message(reply))
    return ev.ItemRenewed(
        session_id, item_id, text(getattr(reply, "title", "")), due_text(getattr(reply, "due_date", "")),
        screen_message=screen_message(reply),
    )  # fmt: skip


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


def hold_line(item_id: str, info: Any, available: bool) -> HoldLine:
    """A hold from its 18 item information reply: the title; for one ready on the hold shelf (64 AS) the
    place (AP current location, else AQ) and the last day to pick it up (CM hold pickup date)."""
    title = text(getattr(info, "title", "")) or item_id
    if not available:
        return HoldLine(title, False, item_id)
    place = text(getattr(info, "current_location", "") or getattr(info, "permanent_location", "") or "")
    return HoldLine(title, True, item_id, place, due_text(getattr(info, "hold_pickup_date", "") or ""))


def loan_line(item_id: str, info: Any) -> LoanLine:
    """A loan from an 18 item information reply."""
    due = due_text(getattr(info, "due_date", "") or "")
    overdue = False
    when = parse_timestamp(str(getattr(info, "due_date", "") or ""))
    now = parse_timestamp(str(getattr(info, "transaction_date", "") or ""))
    if when is not None and now is not None:
        overdue = when < now
    return LoanLine(item_id, text(getattr(info, "title", "")), due, overdue)
