"""The ``kiosk sip2`` subcommands themselves: one SIP2 exchange each, rendered as one JSON object.

The connection, argument parsing and exit-status mapping live in :mod:`kiosk.cli.sip2_cmd`. Output never
contains the PIN, the password, the patron's name, address, e-mail or phone, another member's full pass
number, or a title tied to a member (``kiosk sip2 item`` shows an item's title: that is about the item,
not about who borrowed it).
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.passnumber import mask_pass_number
from kiosk.cli.output import emit
from kiosk.errors import KioskUsageError
from sip2.fees import parse_fee_lines

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


#: Bad arguments or settings: exit status 2 (defined in the kiosk error tree).
UsageError = KioskUsageError


def _messages(reply: Any) -> list[str]:
    return list(reply.screen_messages)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _status(args: argparse.Namespace, client: Any) -> int:
    from sip2.fields import SUPPORTED_MESSAGES

    status = client.acs_status
    emit(
        {
            "command": "status",
            "ok": True,
            "ils": args.ils,
            "online": status.online,
            "checkin_ok": status.checkin_ok,
            "checkout_ok": status.checkout_ok,
            "renewal_policy": status.renewal_policy,
            "status_update_ok": status.status_update_ok,
            "offline_ok": status.offline_ok,
            "timeout_seconds": None if status.timeout_period is None else status.timeout_period / 10,
            "retries_allowed": status.retries_allowed,
            "protocol_version": status.protocol_version,
            "institution": status.institution_id,
            "library_name": status.library_name,
            "supported_messages": [m for m in SUPPORTED_MESSAGES if status.supports(m)],
            "date_time_sync": status.date_time_sync,
            "screen_messages": _messages(status),
        }
    )
    return EXIT_OK


def _login(args: argparse.Namespace, client: Any) -> int:
    emit({"command": "login", "ok": True, "ils": args.ils, "user": client.settings.user})
    return EXIT_OK


def _patron(args: argparse.Namespace, client: Any) -> int:
    status = client.patron_status(args.patron_id, pin=args.pin)
    info = client.patron_information(args.patron_id, pin=args.pin)
    items: dict[str, list[str]] = {}
    if status.valid_patron:
        for kind in args.list or ("charged", "overdue", "hold"):
            reply = client.patron_information(
                args.patron_id, pin=args.pin, summary=kind, start=args.start, end=args.end
            )
            items[kind] = list(getattr(reply, _LIST_ATTR[kind]))
    valid = bool(status.valid_patron) and (args.pin is None or bool(status.valid_patron_password))
    emit(
        {
            "command": "patron",
            "ok": valid,
            "patron_id": args.patron_id,
            "valid_patron": status.valid_patron,
            "valid_pin": status.valid_patron_password if args.pin is not None else None,
            "blocked": status.patron_status.blocked,
            "status_flags": list(status.patron_status.active()),
            "language": status.language,
            "counts": {
                "hold": info.hold_items_count,
                "overdue": info.overdue_items_count,
                "charged": info.charged_items_count,
                "fine": info.fine_items_count,
                "recall": info.recall_items_count,
                "unavailable_holds": info.unavailable_holds_count,
            },
            "limits": {
                "hold": info.hold_items_limit,
                "overdue": info.overdue_items_limit,
                "charged": info.charged_items_limit,
            },
            "fee_amount": _money(info.fee_amount if info.fee_amount is not None else status.fee_amount),
            "fee_limit": _money(info.fee_limit),
            "currency": info.currency or status.currency,
            "items": items,
            "screen_messages": _messages(status),
        }
    )
    return EXIT_OK if valid else EXIT_REFUSED


_LIST_ATTR = {
    "hold": "hold_items",
    "overdue": "overdue_items",
    "charged": "charged_items",
    "fine": "fine_items",
    "recall": "recall_items",
    "unavailable_holds": "unavailable_hold_items",
}


def _item(args: argparse.Namespace, client: Any) -> int:
    reply = client.item_information(args.item_id)
    known = bool(reply.title) or reply.circulation_status != "01"
    emit(
        {
            "command": "item",
            "ok": known,
            "item_id": reply.item_id or args.item_id,
            "circulation_status": reply.circulation_status,
            "status_name": reply.circulation_status_name,
            "title": reply.title,
            "owner": reply.owner,
            "due_date": reply.due_date,
            "hold_queue_length": reply.hold_queue_length,
            "media_type": reply.media_type,
            "fee_type": reply.fee_type,
            "fee_amount": _money(reply.fee_amount),
            "currency": reply.currency,
            "permanent_location": reply.permanent_location,
            "current_location": reply.current_location,
            "screen_messages": _messages(reply),
        }
    )
    return EXIT_OK if known else EXIT_REFUSED


def _loan(command: str, reply: Any) -> int:
    emit(
        {
            "command": command,
            "ok": reply.ok,
            "patron_id": reply.patron_id,
            "item_id": reply.item_id,
            "renewal": reply.renewal_ok,
            "due_date": reply.due_date or None,
            "magnetic_media": reply.magnetic_media,
            "desensitize": reply.desensitize,
            "media_type": reply.media_type,
            "fee_type": reply.fee_type,
            "fee_amount": _money(reply.fee_amount),
            "currency": reply.currency,
            "screen_messages": _messages(reply),
        }
    )
    return EXIT_OK if reply.ok else EXIT_REFUSED


def _checkout(args: argparse.Namespace, client: Any) -> int:
    return _loan(
        "checkout",
        client.checkout(args.patron_id, args.item_id, pin=args.pin, fee_acknowledged=args.fee_acknowledged),
    )


def _checkin(args: argparse.Namespace, client: Any) -> int:
    reply = client.checkin(args.item_id)
    emit(
        {
            "command": "checkin",
            "ok": reply.ok,
            "item_id": reply.item_id or args.item_id,
            "alert": reply.alert,
            "alert_type": reply.alert_type,
            "sort_bin": reply.sort_bin,
            "resensitize": reply.resensitize,
            "magnetic_media": reply.magnetic_media,
            # Another member's pass (the one who reserved the item): masked, never printed in full.
            "hold_patron_id": mask_pass_number(reply.hold_patron_id) if reply.hold_patron_id else None,
            "screen_messages": _messages(reply),
        }
    )
    return EXIT_OK if reply.ok else EXIT_REFUSED


def _renew(args: argparse.Namespace, client: Any) -> int:
    if args.item_id:
        return _loan("renew", client.renew(args.patron_id, args.item_id, pin=args.pin))
    reply = client.renew_all(args.patron_id, pin=args.pin)
    emit(
        {
            "command": "renew",
            "ok": reply.ok,
            "patron_id": args.patron_id,
            "renewed": list(reply.renewed_items),
            "unrenewed": list(reply.unrenewed_items),
            "screen_messages": _messages(reply),
        }
    )
    return EXIT_OK if reply.ok else EXIT_REFUSED


#: The list window the CLI asks for by default (BP1 BQ20), never BQ999: servers pad lists.
WINDOW = 20


def _fees(args: argparse.Namespace, client: Any) -> int:
    info = client.patron_information(
        args.patron_id, pin=args.pin, summary="fine", start=args.start, end=args.end
    )
    fee_format = client.settings.dialect.fee_format
    # The ILS's free text is left out: it can name the item (a title tied to a member).  Where the
    # format has no fee ids, fee_id is null and the balance is paid as a whole (fee-paid without --fee-id).
    fees = [
        {"fee_id": line.fee_id, "amount": _money(line.amount), "type": line.fee_type or None}
        for line in parse_fee_lines(info.fine_items, fee_format)
    ]
    result: dict[str, Any] = {
        "command": "fees",
        "ok": bool(info.valid_patron),
        "patron_id": args.patron_id,
        "fee_amount": _money(info.fee_amount),
        "fee_limit": _money(info.fee_limit),
        "currency": info.currency,
        "fee_format": fee_format,
        "fees": fees,
        "screen_messages": _messages(info),
    }
    if client.settings.dialect.wise_sip2plus and info.valid_patron:
        result["registrations"] = [
            {
                "fee_id": fee.fee_id,
                "amount": _money(fee.amount),
                "status": fee.status,
                "date": fee.date,
                "type": fee.fee_type,
            }
            for fee in client.unpaid_registrations(args.patron_id, pin=args.pin)
        ]
    emit(result)
    return EXIT_OK if info.valid_patron else EXIT_REFUSED


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _fee_paid(args: argparse.Namespace, client: Any) -> int:
    amount = _amount(args.amount)
    if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise KioskUsageError(
            f"AMOUNT must be a positive amount in euros with at most 2 decimals, not {args.amount!r}"
        )
    transaction_id = args.transaction_id or dt.datetime.now().strftime("CLI%Y%m%d%H%M%S")
    reply = client.fee_paid(
        args.patron_id,
        amount,
        fee_id=args.fee_id,
        transaction_id=transaction_id,
        payment_type=args.payment_type,
    )
    emit(
        {
            "command": "fee-paid",
            "ok": reply.payment_accepted,
            "payment_accepted": reply.payment_accepted,
            "patron_id": args.patron_id,
            "amount": _money(amount),
            "fee_id": args.fee_id,
            "transaction_id": reply.transaction_id or transaction_id,
            "screen_messages": _messages(reply),
        }
    )
    return EXIT_OK if reply.payment_accepted else EXIT_REFUSED


#: Reply fields a technician never sees from ``raw``: secrets and personal data.
_HIDDEN = {
    "password",
    "terminal_password",
    "patron_password",
    "personal_name",
    "home_address",
    "email_address",
    "home_phone",
    "hold_patron_name",
    "hold_patron_id",
    "title",
}


def _raw(args: argparse.Namespace, client: Any) -> int:
    from sip2.codec import decode_frame
    from sip2.errors import Sip2ProtocolError
    from sip2.fields import timestamp

    text = args.message.replace("{now}", timestamp())
    try:
        request = decode_frame(client.settings.dialect.encode_text(text), client.settings.dialect).message
    except Sip2ProtocolError as exc:
        raise KioskUsageError(f"not a SIP2 message: {exc}") from None
    reply = client.request(request)
    emit(
        {
            "command": "raw",
            "ok": True,
            "request_code": request.CODE,
            "reply_code": reply.CODE,
            "reply": type(reply).__name__,
            "fields": _fields(reply),
        }
    )
    return EXIT_OK


def _fields(message: Any) -> dict[str, Any]:
    from dataclasses import fields

    result: dict[str, Any] = {}
    for f in fields(message):
        value = getattr(message, f.name)
        if f.name in _HIDDEN:
            value = "<hidden>" if value else value
        elif f.name == "patron_status":
            value = list(value.active())
        elif isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        result[f.name] = value
    result["extra_fields"] = [
        [c, v] for c, v in message.extra_fields if c not in ("AD", "AC", "CO", "AE", "BD", "BE", "BF", "DA")
    ]
    return result
