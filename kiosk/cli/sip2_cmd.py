"""``kiosk sip2``: talk to the ILS over SIP2 as the kiosk would, for technicians.

::

    kiosk sip2 status                         # login + 99: what the ILS allows (BX), timeout, retries
    kiosk sip2 login                          # is the login (user/password) accepted?
    kiosk sip2 patron PASS [--pin-stdin]      # 23 + 63: valid?, blocks, counts, fees, item ids
    kiosk sip2 item ITEM                      # 17: circulation status, due date, holds
    kiosk sip2 checkout PASS ITEM             # 11 (a real loan!)
    kiosk sip2 checkin ITEM                   # 09 (a real return!)
    kiosk sip2 renew PASS [ITEM]              # 29, or 65 renew all without ITEM
    kiosk sip2 fees PASS                      # open fees (63 fine items; Wise SIP2+ 41/42 when enabled)
    kiosk sip2 fee-paid PASS AMOUNT [--fee-id ID]   # 37 (books a payment in the ILS!)
    kiosk sip2 raw "23000{now}AOWIERDEN|AA2...|AC|AD|"   # any message without AY/AZ

The connection comes from ``config.toml`` ``[sip2]``; flags override it.  ``sim://`` starts the built-in
ILS simulator in this process for the one command (fresh demo data every time).  The PIN is read from
stdin (``--pin-stdin``), never from a flag that ``ps`` would show.  Output is one JSON object; it never
contains the PIN, the password, or the patron's name, address, e-mail or phone.
Exit status: 0 done, 1 refused by the ILS, 2 usage or configuration, 3 connection, timeout or protocol.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.cli.output import DEFAULT_CONFIG, add_config_argument, emit, load_config_or_exit, say
from kiosk.errors import ConfigError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
LISTS = ("hold", "overdue", "charged", "fine", "recall", "unavailable_holds")


class UsageError(Exception):
    """Bad arguments or settings: exit status 2."""


def register(subparsers: Any) -> None:
    """Add ``kiosk sip2`` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_argument(common)
    conn = common.add_argument_group("connection (overrides [sip2] in the config)")
    conn.add_argument("--host", help="ILS host (with --port; replaces the config url)")
    conn.add_argument("--port", type=int, help="ILS SIP2 port")
    conn.add_argument("--tls", action="store_true", help="use TLS (tls://)")
    conn.add_argument("--user", help="login user id (CN)")
    conn.add_argument("--password", help="login password (CO); visible in ps, prefer --password-file")
    conn.add_argument("--password-file", metavar="PATH", help="file holding the login password")
    conn.add_argument("--institution", help="institution id (AO)")
    conn.add_argument("--location", help="location code (CP) / current location (AP)")
    conn.add_argument("--encoding", choices=("cp850", "utf-8", "latin-1", "ascii"))
    conn.add_argument("--terminator", choices=("cr", "crlf"))
    conn.add_argument("--no-checksum", action="store_true", help="send no AY/AZ (error detection off)")
    conn.add_argument("--wise", action="store_true", help="OCLC Wise SIP2+ (41/42 unpaid registrations)")
    conn.add_argument("--timeout", type=float, metavar="SECONDS", help="connect and read timeout")
    pin = argparse.ArgumentParser(add_help=False)
    pin.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the patron's PIN from stdin (prompted without echo on a terminal)",
    )

    parser = subparsers.add_parser("sip2", help="SIP2 to the ILS: status, patron, item, loans, fees, raw")
    sub = parser.add_subparsers(dest="sip2_command", metavar="COMMAND", required=True)

    def add(
        name: str, func: Callable[[argparse.Namespace, Any], int], help_text: str, with_pin: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common, pin] if with_pin else [common], help=help_text)
        p.set_defaults(func=lambda args: _run(args, func))
        return p

    add("status", _status, "log in and show the ACS status (99/98)")
    add("login", _login, "check that the login is accepted (93/94)")
    p = add("patron", _patron, "a patron's status, counts and item ids (23/63)", with_pin=True)
    p.add_argument("patron_id", metavar="PASS")
    p.add_argument(
        "--list", action="append", choices=LISTS, help="item lists to fetch (default: charged, overdue, hold)"
    )
    p = add("item", _item, "item information (17)")
    p.add_argument("item_id", metavar="ITEM")
    p = add("checkout", _checkout, "lend ITEM to PASS (11)", with_pin=True)
    p.add_argument("patron_id", metavar="PASS")
    p.add_argument("item_id", metavar="ITEM")
    p.add_argument("--fee-acknowledged", action="store_true", help="accept a rental charge (BO Y)")
    p = add("checkin", _checkin, "return ITEM (09)")
    p.add_argument("item_id", metavar="ITEM")
    p = add("renew", _renew, "renew ITEM for PASS (29), or all loans without ITEM (65)", with_pin=True)
    p.add_argument("patron_id", metavar="PASS")
    p.add_argument("item_id", metavar="ITEM", nargs="?")
    p = add("fees", _fees, "open fees of PASS (63 fine items; Wise 41/42 with --wise)", with_pin=True)
    p.add_argument("patron_id", metavar="PASS")
    p = add("fee-paid", _fee_paid, "book a payment of AMOUNT euros for PASS (37)")
    p.add_argument("patron_id", metavar="PASS")
    p.add_argument("amount", metavar="AMOUNT", help="euros, e.g. 2.50 or 2,50")
    p.add_argument("--fee-id", help="the fee to pay (CG); without it the ILS chooses")
    p.add_argument("--transaction-id", help="payment transaction id (BK); default CLI<timestamp>")
    p.add_argument("--payment-type", default="02", help="00 cash, 01 VISA, 02 credit card (default)")
    p = add("raw", _raw, "send one message (without AY/AZ); {now} becomes the current timestamp")
    p.add_argument("message", metavar="MESSAGE")


# --- connection -----------------------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Any:
    """The [sip2] settings: from the config file, or the built-in defaults when there is none."""
    if args.config is None and not Path(DEFAULT_CONFIG).exists():
        from kiosk.config import parse_config

        say(f"kiosk sip2: no ./{DEFAULT_CONFIG}; using the defaults and the flags")
        return parse_config("").sip2
    return load_config_or_exit(args.config).sip2


def _password(args: argparse.Namespace, configured: str) -> str:
    if args.password_file:
        try:
            return Path(args.password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read --password-file {args.password_file}: {exc.strerror}") from None
    return args.password if args.password is not None else configured


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    """A connected, logged-in Sip2Client for the effective settings (starting ``sim://`` if asked)."""
    from sip2.client import ClientSettings, Sip2Client
    from sip2.dialect import Dialect

    cfg = _config(args)
    url = urlsplit(cfg.url)
    scheme, host, port = url.scheme, url.hostname or "", url.port or 0
    if args.host or args.port:
        scheme, host, port = ("tls" if args.tls else "tcp"), args.host or "127.0.0.1", args.port or 6001
    elif args.tls:
        scheme = "tls"
    user = args.user if args.user is not None else cfg.user
    password = _password(args, cfg.password)
    institution = args.institution or cfg.institution
    encoding = args.encoding or cfg.encoding
    wise = args.wise or cfg.wise_sip2plus
    with contextlib.ExitStack() as stack:
        if scheme == "sim":
            from sip2.simulator import IlsSimulator

            sim = IlsSimulator(
                port=0, users={user: password}, institution=institution, encoding=encoding, wise_sip2plus=True
            )
            sim.start()
            stack.callback(sim.stop)
            host, port = "127.0.0.1", sim.port
        elif scheme not in ("tcp", "tls") or not host or not port:
            raise UsageError(f"no usable SIP2 address in {cfg.url!r}: give --host and --port")
        timeout = args.timeout
        settings = ClientSettings(
            host=host,
            port=port,
            user=user,
            password=password,
            location=args.location or cfg.location,
            institution=institution,
            dialect=Dialect(
                terminator=args.terminator or cfg.terminator,
                encoding=encoding,
                error_detection="off" if args.no_checksum else cfg.error_detection,
                timestamps=cfg.timestamps,
                wise_sip2plus=wise,
            ),
            connect_timeout=timeout or cfg.connect_timeout,
            read_timeout=timeout or cfg.read_timeout,
            keepalive_interval=0,
            retries=cfg.retries,
            tls=scheme == "tls",
            tls_ca_file=cfg.tls_ca_file or None,
            tls_cert_file=cfg.tls_cert_file or None,
            tls_key_file=cfg.tls_key_file or None,
            tls_verify=cfg.tls_verify,
        )
        client = Sip2Client(settings)
        stack.callback(client.close)
        client.connect()
        args.ils = f"{scheme}://{host}:{port}"
        yield client


def _run(args: argparse.Namespace, func: Callable[[argparse.Namespace, Any], int]) -> int:
    """Connect, run one command, map errors to the exit status (and one JSON object)."""
    from sip2.errors import (
        Sip2ConfigurationError,
        Sip2ConnectionError,
        Sip2Error,
        Sip2OutcomeUnknown,
        Sip2ValueError,
    )

    command = args.sip2_command
    try:
        pin = _read_pin() if getattr(args, "pin_stdin", False) else None
        with _client(args) as client:
            args.pin = pin
            return func(args, client)
    except (UsageError, ConfigError, Sip2ConfigurationError, Sip2ValueError) as exc:
        return _fail(command, str(exc), EXIT_USAGE)
    except Sip2OutcomeUnknown as exc:
        return _fail(command, f"outcome unknown: {exc}", EXIT_CONNECTION)
    except Sip2ConnectionError as exc:
        refused = "login refused" in str(exc).lower()
        return _fail(command, str(exc), EXIT_REFUSED if refused else EXIT_CONNECTION)
    except Sip2Error as exc:
        return _fail(command, f"{type(exc).__name__}: {exc}", EXIT_CONNECTION)


def _fail(command: str, error: str, status: int) -> int:
    say(f"kiosk sip2 {command}: {error}")
    emit({"command": command, "ok": False, "error": error})
    return status


def _read_pin() -> str:
    """The PIN from stdin: without echo on a terminal, else the first line."""
    if sys.stdin.isatty():
        return getpass.getpass("PIN: ")
    line = sys.stdin.readline().strip()
    if not line:
        raise UsageError("--pin-stdin: no PIN on stdin")
    return line


# --- commands -------------------------------------------------------------------------------------------


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
            reply = client.patron_information(args.patron_id, pin=args.pin, summary=kind, start=1, end=999)
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
            "hold_patron_id": reply.hold_patron_id,
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


def _fees(args: argparse.Namespace, client: Any) -> int:
    info = client.patron_information(args.patron_id, pin=args.pin, summary="fine", start=1, end=999)
    fees = []
    for entry in info.fine_items:
        fee_id, _, rest = entry.strip().partition(" ")
        amount = next((_amount(token) for token in rest.split() if _amount(token) is not None), None)
        fees.append({"fee_id": fee_id, "amount": _money(amount), "entry": entry})
    result: dict[str, Any] = {
        "command": "fees",
        "ok": bool(info.valid_patron),
        "patron_id": args.patron_id,
        "fee_amount": _money(info.fee_amount),
        "fee_limit": _money(info.fee_limit),
        "currency": info.currency,
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
                "description": fee.description,
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
        raise UsageError(
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
}


def _raw(args: argparse.Namespace, client: Any) -> int:
    from sip2.codec import decode_frame
    from sip2.errors import Sip2ProtocolError
    from sip2.fields import timestamp

    text = args.message.replace("{now}", timestamp())
    try:
        request = decode_frame(client.settings.dialect.encode_text(text), client.settings.dialect).message
    except Sip2ProtocolError as exc:
        raise UsageError(f"not a SIP2 message: {exc}") from None
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
