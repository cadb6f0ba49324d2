"""The ``kiosk`` command: one entry point, a subcommand per area.

Each area lives in its own module under :mod:`kiosk.cli` and exposes ``register(subparsers)``, which adds
its subcommand and sets ``func`` on its parser(s). ``func(args) -> int`` returns the exit status:

* 0 done, 1 refused or declined (a normal "no" from the ILS or the terminal),
* 2 usage or configuration error, 3 connection or timeout.

Results go to stdout as one JSON object per result; human messages and logs go to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from kiosk import __version__

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3

# Area modules, in the order they appear in ``kiosk --help``. A module that does not exist yet is skipped,
# so areas can land one by one.
AREAS = (
    "run",
    "config",
    "sip2",
    "reader",
    "rfid",
    "printer",
    "terminal",
    "queue",
    "maintenance",
    "screenshots",
)

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every available area registered."""
    parser = argparse.ArgumentParser(
        prog="library-kiosk" if os.path.basename(sys.argv[0] or "") == "library-kiosk" else "kiosk",
        description="Self-service library kiosk: run it, or inspect and test its parts (JSON on stdout).",
        epilog="Exit status: 0 done, 1 refused/declined, 2 usage or configuration error, "
        "3 connection or timeout.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="area", metavar="AREA")
    for area in AREAS:
        try:
            module = importlib.import_module(f"kiosk.cli.{area}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name == f"kiosk.cli.{area}_cmd":
                continue
            raise
        module.register(sub)
    return parser


def _kivy_environment() -> None:
    """Settings Kivy reads on first import: leave our arguments and logging alone.

    Without these Kivy parses ``sys.argv`` itself, writes log files under ``~/.kivy`` and installs its
    own (unredacted) handler on the root logger at DEBUG level.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script and of ``python -m kiosk``."""
    from kiosk.logsetup import setup_logging

    _kivy_environment()

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(func(args))
    except KeyboardInterrupt:
        return 130
