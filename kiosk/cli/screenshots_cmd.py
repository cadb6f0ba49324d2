"""``kiosk screenshots --out DIR``: every screen in every language as PNG, with demo data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.cli.output import emit, say

EXIT_OK, EXIT_USAGE = 0, 2


def register(subparsers: Any) -> None:
    """Add ``kiosk screenshots``."""
    parser = subparsers.add_parser(
        "screenshots", help="render every screen in every language to PNG (offscreen, demo data)"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (DIR/<lang>/*.png)")
    parser.add_argument(
        "--language",
        action="append",
        choices=("nl", "en", "de", "tr"),
        help="only this language (repeatable; default: all four)",
    )
    parser.add_argument("--library-name", default="Bibliotheek Wierden", help="name on the attract screen")
    parser.set_defaults(func=cmd_screenshots)


def cmd_screenshots(args: argparse.Namespace) -> int:
    """Render and print one JSON line per file."""
    from kiosk.ui.screenshots import render_all

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        say(f"kiosk screenshots: cannot create {out}: {exc}")
        return EXIT_USAGE
    files = render_all(out, args.language or ["nl", "en", "de", "tr"], args.library_name)
    for path in files:
        emit({"file": str(path)})
    say(f"{len(files)} screenshots in {out}")
    return EXIT_OK
