"""``kiosk maintenance``: make the technician PIN hash, show the kiosk's health as JSON."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.cli.output import add_config_argument, emit, load_config_or_exit, say

EXIT_OK, EXIT_USAGE, EXIT_CONNECTION = 0, 2, 3


def register(subparsers: Any) -> None:
    """Add ``kiosk maintenance set-pin|status``."""
    parser = subparsers.add_parser("maintenance", help="technician PIN and kiosk health")
    sub = parser.add_subparsers(dest="maintenance_command", metavar="COMMAND", required=True)
    set_pin = sub.add_parser(
        "set-pin",
        help="make a pin_hash line for config [maintenance] (the PIN is read twice from a prompt/stdin)",
        description="Reads the new PIN twice (from the terminal, or two lines on stdin) and prints the "
        "line to put under [maintenance] in config.toml. The PIN is never accepted as a flag, so it "
        "cannot end up in shell history or the process list.",
    )
    set_pin.set_defaults(func=cmd_set_pin)
    status = sub.add_parser("status", help="JSON health: ILS, queue, devices, printer paper")
    add_config_argument(status)
    status.set_defaults(func=cmd_status)


def _read_pin_twice() -> tuple[str, str]:
    if sys.stdin.isatty():
        return getpass.getpass("New maintenance PIN: "), getpass.getpass("Repeat PIN: ")
    first, second = sys.stdin.readline(), sys.stdin.readline()
    return first.rstrip("\r\n"), second.rstrip("\r\n")


def cmd_set_pin(args: argparse.Namespace) -> int:
    """Read the PIN twice, print ``pin_hash = "scrypt$..."``."""
    from kiosk.maintenance.pin import hash_pin, validate_new_pin

    first, second = _read_pin_twice()
    if not first:
        say("kiosk maintenance set-pin: no PIN given")
        return EXIT_USAGE
    if first != second:
        say("kiosk maintenance set-pin: the two PINs differ; nothing changed")
        return EXIT_USAGE
    try:
        validate_new_pin(first)
    except ValueError as exc:
        say(f"kiosk maintenance set-pin: {exc}")
        return EXIT_USAGE
    print(f'pin_hash = "{hash_pin(first)}"')
    say("Put this line under [maintenance] in config.toml.")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Print the health snapshot as JSON (exit 3 when the ILS is offline)."""
    from drivers.errors import DriverError
    from kiosk.errors import ConfigError, KioskError
    from kiosk.monitoring.probe import probe_health

    config = load_config_or_exit(args.config)
    try:
        snapshot = probe_health(config)
    except ConfigError as exc:
        say(f"kiosk maintenance status: {exc}")
        return EXIT_USAGE
    except (KioskError, DriverError) as exc:
        say(f"kiosk maintenance status: {exc}")
        return EXIT_CONNECTION
    emit(snapshot.to_json())
    return EXIT_OK if snapshot.ils_online else EXIT_CONNECTION
