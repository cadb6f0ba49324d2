"""``kiosk reader``: the library pass reader for technicians.

::

    kiosk reader list [--url pcsc://]                  # PC/SC readers pcscd knows (and which match)
    kiosk reader watch [--url URL ...] [--rule R] [--count N] [--timeout S]

``watch`` prints one JSON object per event. A technician testing a card needs to see *something*, but
the full pass number must not end up in a terminal log: it shows the number masked to its last 4
digits, whether it is valid by ``[passes] validation`` and the rule that produced it. Invalid numbers are
shown (not refused) so a wrong ``uid_rule`` is easy to spot. ``--url`` (repeatable) overrides
``[devices] pass_readers``; without a config file ``--url`` alone is enough.
Exit status: 0 done, 2 usage/configuration, 3 pcscd not running or reader unavailable.
"""

from __future__ import annotations

import argparse
import queue
import time
from pathlib import Path
from typing import Any

from kiosk.cli.output import DEFAULT_CONFIG, add_config_argument, emit, load_config_or_exit, say

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


def register(subparsers: Any) -> None:
    """Add ``kiosk reader`` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_argument(common)
    common.add_argument(
        "--url",
        action="append",
        metavar="URL",
        help="reader URL, repeatable (default: [devices] pass_readers)",
    )
    parser = subparsers.add_parser("reader", help="library pass reader (PC/SC): list readers, watch cards")
    sub = parser.add_subparsers(dest="reader_command", metavar="COMMAND", required=True)
    p = sub.add_parser("list", parents=[common], help="list the PC/SC readers")
    p.set_defaults(func=_list)
    p = sub.add_parser("watch", parents=[common], help="print an event per card (pass number masked)")
    p.add_argument("--rule", help="card → pass number rule(s), e.g. hex, decimal-reversed, ndef,table")
    p.add_argument("--table", metavar="PATH", help="UID table file for the 'table' rule")
    p.add_argument("--validation", help="pass number scheme: dutch14 or off")
    p.add_argument("--count", type=int, default=0, help="stop after N cards (default: run until Ctrl-C)")
    p.add_argument("--timeout", type=float, default=0.0, help="stop after S seconds")
    p.add_argument("--simulate", metavar="PASS", action="append", help=argparse.SUPPRESS)
    p.set_defaults(func=_watch)


def _config(args: argparse.Namespace) -> Any:
    """The configuration if one is given or present; ``None`` when ``--url`` alone is enough."""
    if args.config is None and args.url and not Path(DEFAULT_CONFIG).exists():
        return None
    return load_config_or_exit(args.config)


def _urls(args: argparse.Namespace, config: Any) -> list[str]:
    urls = list(args.url or getattr(getattr(config, "devices", None), "pass_readers", None) or [])
    if not urls:
        say("kiosk reader: no reader URL: give --url or set [devices] pass_readers")
        raise SystemExit(EXIT_USAGE)
    return urls


def _list(args: argparse.Namespace) -> int:
    from drivers.cardreader.pcsc import list_readers
    from drivers.errors import DeviceConfigurationError, DeviceConnectionError
    from drivers.url import parse_device_url

    config = _config(args)
    try:
        filters = [parse_device_url(u) for u in _urls(args, config)]
        pcsc = [f.target.lower() for f in filters if f.scheme == "pcsc"]
        for f in filters:
            if f.scheme == "fake":
                emit({"reader": f.target or "fake", "kind": "fake", "watched": True})
        if not pcsc:
            return EXIT_OK
        names = list_readers()
    except DeviceConfigurationError as exc:
        say(f"kiosk reader: {exc}")
        return EXIT_USAGE
    except DeviceConnectionError as exc:
        say(f"kiosk reader: {exc} (is pcscd running? systemctl status pcscd)")
        return EXIT_CONNECTION
    for name in names:
        emit({"reader": name, "kind": "pcsc", "watched": any(p in name.lower() for p in pcsc)})
    if not names:
        say("kiosk reader: pcscd is running but sees no readers")
    return EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from drivers.cardreader import FakePassReader, PassRead, PassReader, describe, open_pass_reader
    from drivers.errors import DriverError

    config = _config(args)
    passes = getattr(config, "passes", None)
    rule = args.rule or getattr(passes, "uid_rule", None) or "hex"
    table = args.table or getattr(passes, "uid_table_file", None) or None
    validation = args.validation or getattr(passes, "validation", None) or "dutch14"
    legacy = tuple(getattr(passes, "legacy_lengths", None) or ())
    if any(url.lower().startswith("pcsc:") for url in _urls(args, config)):
        from drivers.cardreader.pcsc import list_readers
        from drivers.errors import DeviceConnectionError

        try:
            list_readers()  # the reader itself would wait for pcscd silently; a technician wants to know
        except DeviceConnectionError as exc:
            say(f"kiosk reader: {exc} (is pcscd running? systemctl status pcscd)")
            return EXIT_CONNECTION
        except DriverError as exc:
            say(f"kiosk reader: {exc}")
            return EXIT_USAGE
    events: queue.Queue[Any] = queue.Queue()
    readers: list[PassReader] = []
    try:
        for url in _urls(args, config):
            readers.append(
                open_pass_reader(
                    url,
                    on_event=events.put,
                    rule=rule,
                    table_file=table,
                    validation=validation,
                    legacy_lengths=legacy,
                    reject_invalid=False,
                )
            )
    except DriverError as exc:
        for reader in readers:
            reader.close()
        say(f"kiosk reader: {exc}")
        return EXIT_USAGE
    say("kiosk reader: watching " + ", ".join(_urls(args, config)) + " (Ctrl-C to stop)")
    for number in args.simulate or ():
        for reader in readers:
            if isinstance(reader, FakePassReader):
                reader.present(number)
                reader.remove()
    deadline = time.monotonic() + args.timeout if args.timeout > 0 else None
    cards = 0
    try:
        while args.count <= 0 or cards < args.count:
            wait = 0.5 if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                break
            try:
                event = events.get(timeout=min(wait, 0.5))
            except queue.Empty:
                continue
            emit({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **describe(event)})
            if isinstance(event, PassRead) or describe(event)["event"] == "card_not_a_pass":
                cards += 1
    finally:
        for reader in readers:
            reader.close()
    return EXIT_OK
