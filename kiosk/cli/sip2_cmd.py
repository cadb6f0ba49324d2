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
import getpass
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk.cli.output import DEFAULT_CONFIG, add_config_argument, emit, load_config_or_exit, say
from kiosk.cli.sip2_views import (
    EXIT_CONNECTION,
    EXIT_REFUSED,
    EXIT_USAGE,
    WINDOW,
    UsageError,
    _checkin,
    _checkout,
    _fee_paid,
    _fees,
    _item,
    _login,
    _patron,
    _raw,
    _renew,
    _status,
)
from kiosk.errors import ConfigError, KioskUsageError
from sip2.fees import FEE_FORMATS

LISTS = ("hold", "overdue", "charged", "fine", "recall", "unavailable_holds")


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
    conn.add_argument("--fee-format", choices=FEE_FORMATS, help="how the ILS writes fine items (AV)")
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
        parents = [common, pin] if with_pin else [common]
        p: argparse.ArgumentParser = sub.add_parser(name, parents=parents, help=help_text)
        p.set_defaults(func=lambda args: _run(args, func))
        return p

    add("status", _status, "log in and show the ACS status (99/98)")
    add("login", _login, "check that the login is accepted (93/94)")
    p = add("patron", _patron, "a patron's status, counts and item ids (23/63)", with_pin=True)
    p.add_argument("patron_id", metavar="PASS")
    p.add_argument(
        "--list", action="append", choices=LISTS, help="item lists to fetch (default: charged, overdue, hold)"
    )
    p.add_argument("--start", type=int, default=1, help="first list item to ask for (BP, default 1)")
    p.add_argument("--end", type=int, default=WINDOW, help=f"last list item (BQ, default {WINDOW})")
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
    p.add_argument("--start", type=int, default=1, help="first fine item to ask for (BP, default 1)")
    p.add_argument("--end", type=int, default=WINDOW, help=f"last fine item (BQ, default {WINDOW})")
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
            raise KioskUsageError(
                f"cannot read --password-file {args.password_file}: {exc.strerror}"
            ) from None
    return args.password if args.password is not None else configured


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    """A connected, logged-in Sip2Client for the effective settings (starting ``sim://`` if asked)."""
    import dataclasses

    from kiosk.ils_connection import IlsAddress, client_settings, ils_address, start_embedded_ils
    from sip2.client import Sip2Client

    cfg = _config(args)
    address = ils_address(cfg)
    if args.host or args.port:
        address = IlsAddress("tls" if args.tls else "tcp", args.host or "127.0.0.1", args.port or 6001)
    elif args.tls and address.scheme == "tcp":
        address = IlsAddress("tls", address.host, address.port)
    cfg = dataclasses.replace(
        cfg,
        user=args.user if args.user is not None else cfg.user,
        password=_password(args, cfg.password),
        institution=args.institution or cfg.institution,
        location=args.location or cfg.location,
        encoding=args.encoding or cfg.encoding,
        terminator=args.terminator or cfg.terminator,
        error_detection="off" if args.no_checksum else cfg.error_detection,
        wise_sip2plus=args.wise or cfg.wise_sip2plus,
        fee_format=args.fee_format or cfg.fee_format,
        connect_timeout=args.timeout or cfg.connect_timeout,
        read_timeout=args.timeout or cfg.read_timeout,
    )
    with contextlib.ExitStack() as stack:
        if address.scheme == "sim":
            simulator = start_embedded_ils(cfg)
            stack.callback(simulator.stop)
            address = IlsAddress("tcp", "127.0.0.1", simulator.port)
        client = Sip2Client(client_settings(cfg, address, keepalive_interval=0))
        stack.callback(client.close)
        client.connect()
        args.ils = str(address)
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
        raise KioskUsageError("--pin-stdin: no PIN on stdin")
    return line
