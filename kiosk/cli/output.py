"""Shared helpers for CLI subcommands: JSON on stdout, messages on stderr, config loading."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError

SYSTEM_CONFIG = "/etc/library-kiosk/config.toml"  # the installed package's conffile
DEV_CONFIG = "config.toml"  # a development checkout's demo configuration


def config_path(given: str | None = None) -> Path:
    """The configuration file, in one order everywhere: ``--config``, then ``$KIOSK_CONFIG``, then
    /etc/library-kiosk/config.toml; in a development checkout without that file, ./config.toml."""
    chosen = given or os.environ.get("KIOSK_CONFIG")
    if chosen:
        return Path(chosen)
    if Path(SYSTEM_CONFIG).exists() or not Path(DEV_CONFIG).exists():
        return Path(SYSTEM_CONFIG)
    return Path(DEV_CONFIG)


# Subcommands that also work without a configuration look for this one (relative: the current directory
# at the time of the call) before deciding they need none; loading goes through config_path().
DEFAULT_CONFIG = DEV_CONFIG


def emit(obj: Any) -> None:
    """Print one JSON object on its own line to stdout and flush (watch commands print many)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=False) + "\n")
    sys.stdout.flush()


def emit_error(command: str, error: str, todo: str, **fields: Any) -> None:
    """A failed technician command as one JSON object on stdout (``{"error", "what_to_do", ...}``) and
    as a human line on stderr: a script reading stdout always gets JSON, never prose."""
    emit({"command": command, "error": error, "what_to_do": todo, **fields})
    say(f"{command}: {error}; {todo}")


def say(message: str) -> None:
    """Print a human message to stderr."""
    print(message, file=sys.stderr, flush=True)


def add_config_argument(parser: Any) -> None:
    """Add the common ``--config PATH`` option."""
    parser.add_argument(
        "--config",
        default=None,
        metavar="PATH",
        help=f"configuration file (default: $KIOSK_CONFIG, else {SYSTEM_CONFIG})",
    )


def load_config_or_exit(path: str | None) -> Any:
    """Load the configuration; on error print it and exit with status 2."""
    from kiosk.config import load_config

    try:
        return load_config(config_path(path))
    except ConfigError as exc:
        say(f"kiosk: {exc}")
        raise SystemExit(2) from None
