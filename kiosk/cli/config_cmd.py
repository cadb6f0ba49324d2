"""``kiosk config check [PATH]``: validate the configuration and print it as JSON, secrets masked
(``[schedule]`` and ``[modes]`` included; warnings also under ``"warnings"`` and on stderr)."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import SYSTEM_CONFIG, config_path, emit, say
from kiosk.errors import ConfigError


def register(sub: Any) -> None:
    """Add ``kiosk config``."""
    parser = sub.add_parser("config", help="check the configuration file")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate and print the effective configuration as JSON (secrets masked)"
    )
    check.add_argument(
        "path", nargs="?", default=None, help=f"config file (default: $KIOSK_CONFIG, else {SYSTEM_CONFIG})"
    )
    check.add_argument("--config", dest="config_opt", default=None, help=argparse.SUPPRESS)
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from kiosk.config import config_as_dict, load_config

    path = config_path(args.path or args.config_opt)
    try:
        config = load_config(path)
    except ConfigError as exc:
        say(f"kiosk: {exc}")
        return 2
    report = config_as_dict(config)
    for warning in report["warnings"]:
        say(f"kiosk: warning: {warning}")
    emit(report)
    return 0
