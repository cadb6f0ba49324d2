"""``kiosk printer``: the receipt printer for technicians.

::

    kiosk printer status [--url URL]                    # paper ok / near_end / out, online
    kiosk printer test [--url URL] [--width 42] [--code-page CP858] [--language nl|en]

``test`` prints a sample receipt with made-up titles and Dutch characters (ë é ï €), so a wrong code page
or width shows at a glance. ``--url`` overrides ``[devices] printer``; without a config file ``--url``
alone is enough. Exit status: 0 done, 1 paper out (status), 2 usage/configuration, 3 printer unreachable.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from kiosk.cli.output import DEFAULT_CONFIG, add_config_argument, emit, load_config_or_exit, say

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


def register(subparsers: Any) -> None:
    """Add ``kiosk printer`` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_argument(common)
    common.add_argument("--url", help="printer URL (default: [devices] printer), e.g. escpos+tcp://host:9100")
    common.add_argument("--width", type=int, help="columns: 32, 42 or 48 (default: [receipt] width)")
    common.add_argument("--code-page", help="CP858 (default), CP850, CP437, ISO_8859-15")
    parser = subparsers.add_parser("printer", help="receipt printer (ESC/POS): status, test receipt")
    sub = parser.add_subparsers(dest="printer_command", metavar="COMMAND", required=True)
    p = sub.add_parser("status", parents=[common], help="paper and online status")
    p.set_defaults(func=_status)
    p = sub.add_parser("test", parents=[common], help="print a sample receipt")
    p.add_argument(
        "--language", choices=("nl", "en"), help="receipt language (default: [site] default_language)"
    )
    p.set_defaults(func=_test)


def _settings(args: argparse.Namespace) -> tuple[Any, str, int, str]:
    config = None
    if args.config is not None or not args.url or Path(DEFAULT_CONFIG).exists():
        config = load_config_or_exit(args.config)
    devices, receipt = getattr(config, "devices", None), getattr(config, "receipt", None)
    url = args.url or getattr(devices, "printer", None)
    if not url:
        say("kiosk printer: no printer URL: give --url or set [devices] printer")
        raise SystemExit(EXIT_USAGE)
    width = args.width or getattr(receipt, "width", None) or 42
    code_page = args.code_page or getattr(receipt, "code_page", None) or "CP858"
    return config, url, width, code_page


def _open(args: argparse.Namespace) -> tuple[Any, Any, str] | None:
    """(config, printer, url), or ``None`` after saying what is wrong with the URL/width/code page."""
    from drivers.errors import DeviceConfigurationError
    from drivers.printer import open_printer

    config, url, width, code_page = _settings(args)
    try:
        return config, open_printer(url, width=width, code_page=code_page), url
    except DeviceConfigurationError as exc:
        say(f"kiosk printer: {exc}")
        return None


def _status(args: argparse.Namespace) -> int:
    from drivers.printer import Paper

    opened = _open(args)
    if opened is None:
        return EXIT_USAGE
    _, printer, url = opened
    try:
        status = printer.status()
    finally:
        printer.close()
    emit({"printer": url, **status.as_dict()})
    if status.online is False:
        return EXIT_CONNECTION
    return EXIT_REFUSED if status.paper is Paper.OUT else EXIT_OK


def sample_receipt(library_name: str, language: str, now: datetime) -> Any:
    """A test receipt: made-up titles with Dutch characters, every section, a fee with terminal lines."""
    from drivers.printer import FeePayment, LoanLine, Receipt, ReturnLine

    due = now.date() + timedelta(days=21)
    return Receipt(
        library_name=library_name,
        printed_at=now,
        pass_number="20000000000000",
        loans=(LoanLine("Testboek: één café, ïdeeën en Zoë", due, "30000000000001"),),
        renewals=(LoanLine("Testboek: verlengd", due),),
        returns=(ReturnLine("Testboek: ingeleverd"),),
        fees=(FeePayment("Testbedrag", Decimal("1.23"), ("Terminal 0000  TEST", "Geen echte betaling")),),
        language=language,
        footer=f"TEST {date.today():%Y-%m-%d}",
    )


def _test(args: argparse.Namespace) -> int:
    from drivers.errors import DeviceConnectionError

    opened = _open(args)
    if opened is None:
        return EXIT_USAGE
    config, printer, url = opened
    site = getattr(config, "site", None)
    language = args.language or getattr(site, "default_language", None) or "nl"
    receipt = sample_receipt(getattr(site, "library_name", None) or "Bibliotheek", language, datetime.now())
    try:
        before = printer.status()
        result = printer.print_receipt(receipt)
    except DeviceConnectionError as exc:
        say(f"kiosk printer: {exc}")
        return EXIT_CONNECTION
    finally:
        printer.close()
    out: dict[str, object] = {"printer": url, "printed": True, "width": printer.width, **before.as_dict()}
    if isinstance(result, Path):
        out["file"] = str(result)
    emit(out)
    return EXIT_OK
