"""``kiosk queue``: the offline transaction queue, for technicians.

::

    kiosk queue status                 # counts per state and the oldest waiting transaction
    kiosk queue list [--state STATE]   # one JSON object per transaction (pass numbers only as hashes)
    kiosk queue replay                 # send what is waiting to the ILS now (query-before-resend)
    kiosk queue purge [--all-failed]   # delete failed rows past retention (or all failed rows now)

Settings come from ``[store]`` (path, key_file, retention_days) and ``[sip2]`` of ``config.toml``.
Pass numbers are never printed, only short salted hashes (``kiosk.logsetup.short_hash``).
Exit status: 0 done, 1 the ILS refused some replayed transactions, 2 usage or configuration (e.g. the
key file is missing), 3 the ILS could not be reached (or another replay is running).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from kiosk.cli.output import add_config_argument, emit, load_config_or_exit, say
from kiosk.errors import KioskError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
STATES = ("queued", "sending", "failed")


def register(subparsers: Any) -> None:
    """Add ``kiosk queue`` and its subcommands."""
    parser = subparsers.add_parser(
        "queue", help="the offline transaction queue (status, list, replay, purge)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="counts per state and the oldest waiting transaction")
    listing = actions.add_parser("list", help="one JSON object per queued transaction (no pass numbers)")
    listing.add_argument("--state", choices=STATES, help="only transactions in this state")
    replay = actions.add_parser("replay", help="send waiting transactions to the ILS now")
    purge = actions.add_parser("purge", help="delete failed transactions past the retention period")
    purge.add_argument("--all-failed", action="store_true", help="delete every failed transaction now")
    for sub, func in ((status, _status), (listing, _list), (replay, _replay), (purge, _purge)):
        add_config_argument(sub)
        sub.set_defaults(func=func)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    from kiosk.store.queue import TransactionQueue

    config = load_config_or_exit(args.config)
    return config, TransactionQueue.from_config(config.store)


def _guarded(func: Any) -> Any:
    """Turn store errors (missing key file, undecryptable rows) into a message and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except KioskError as exc:
            say(f"kiosk queue: {exc}")
            return EXIT_USAGE

    return run


@_guarded
def _status(args: argparse.Namespace) -> int:
    _config, queue = _open(args)
    try:
        counts = queue.counts()
        waiting = queue.outstanding()
        oldest = waiting[0].public()["created_at"] if waiting else None
        emit({**counts, "oldest_waiting": oldest, "retention_days": queue.retention_days,
              "path": str(queue.path)})  # fmt: skip
    finally:
        queue.close()
    return EXIT_OK


@_guarded
def _list(args: argparse.Namespace) -> int:
    _config, queue = _open(args)
    try:
        for row in queue.all():
            if args.state is None or row.state == args.state:
                emit(row.public())
    finally:
        queue.close()
    return EXIT_OK


@_guarded
def _purge(args: argparse.Namespace) -> int:
    _config, queue = _open(args)
    try:
        purged = queue.purge(now=float("inf") if args.all_failed else time.time())
        emit({"purged": purged, **queue.counts()})
    finally:
        queue.close()
    return EXIT_OK


@_guarded
def _replay(args: argparse.Namespace) -> int:
    from kiosk.ils_connection import client_settings, ils_address, start_embedded_ils
    from kiosk.store.replay import Replayer
    from sip2.client import Sip2Client
    from sip2.errors import Sip2Error

    config, queue = _open(args)
    simulator = None
    try:
        if not queue.outstanding():
            emit({"confirmed": 0, "failed": 0, "resolved": 0, "remaining": 0, "stopped": None, "codes": {}})
            return EXIT_OK
        address = ils_address(config.sip2)
        if address.scheme == "sim":  # the demo: the same books the kiosk's embedded simulator keeps
            from pathlib import Path

            state = Path(config.store.path).with_name("ils-simulator.json")
            simulator = start_embedded_ils(config.sip2, state_file=state)
            address = type(address)("tcp", "127.0.0.1", simulator.port)
        client = Sip2Client(client_settings(config.sip2, address, keepalive_interval=0))
        try:
            client.connect()
        except Sip2Error as exc:
            say(f"kiosk queue: the ILS cannot be reached: {exc}")
            return EXIT_CONNECTION
        try:
            report = Replayer(queue, client).replay()
        finally:
            client.close()
        emit(report.as_dict())
        if report.stopped:
            say(f"kiosk queue: replay stopped ({report.stopped}); {report.remaining} transaction(s) wait")
            return EXIT_CONNECTION
        return EXIT_REFUSED if report.failed else EXIT_OK
    finally:
        queue.close()
        if simulator is not None:
            simulator.stop()
