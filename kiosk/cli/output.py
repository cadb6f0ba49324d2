"""Shared helpers for CLI subcommands: JSON on stdout, messages on stderr, config loading."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError

DEFAULT_CONFIG = "config.toml"


def emit(obj: Any) -> None:
    """Print one JSON object on its own line to stdout and flush (watch commands print many)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=False) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """Print a human message to stderr."""
    print(message, file=sys.stderr, flush=True)


def add_config_argument(parser: Any) -> None:
    """Add the common ``--config PATH`` option."""
    parser.add_argument(
        "--config", default=None, metavar="PATH", help=f"configuration file (default: ./{DEFAULT_CONFIG})"
    )


def load_config_or_exit(path: str | None) -> Any:
    """Load the configuration; on error print it and exit with status 2."""
    from kiosk.config import load_config

    try:
        return load_config(Path(path or DEFAULT_CONFIG))
    except ConfigError as exc:
        say(f"kiosk: {exc}")
        raise SystemExit(2) from None
