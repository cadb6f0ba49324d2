"""``kiosk rfid sim put|take|list [ITEM...]``: move demo items on the running kiosk's simulated pad.

Talks to the kiosk over its control socket (:mod:`kiosk.rfid.sim_control`), found in the state directory of
the configuration (``--config``, default ``config.toml``). Exit status: 0 done, 1 refused (unknown item),
2 usage, 3 no kiosk with a simulated pad is running.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.cli.output import emit, load_config_or_exit, say

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


def register_sim(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk rfid sim`` under ``kiosk rfid``."""
    p = sub.add_parser(
        "sim", parents=[common], help="put demo items on / take them off the running kiosk's simulated pad"
    )
    p.add_argument("action", choices=("put", "take", "list"))
    p.add_argument("items", nargs="*", metavar="ITEM", help="item ids, e.g. 30301000500013")
    p.set_defaults(func=run_sim)


def run_sim(args: argparse.Namespace) -> int:
    """Send one request to the kiosk's control socket."""
    from kiosk.rfid.sim_control import SOCKET_NAME, send

    if args.action != "list" and not args.items:
        say(f"kiosk rfid sim {args.action}: name at least one item id")
        return EXIT_USAGE
    config = load_config_or_exit(args.config)
    path = Path(config.store.path).parent / SOCKET_NAME
    try:
        answer = send(path, {args.action: list(args.items)})
    except OSError as exc:
        say(f"kiosk rfid sim: no running kiosk with a simulated pad at {path} ({exc.strerror or exc})")
        return EXIT_CONNECTION
    emit(answer)
    return EXIT_OK if answer.get("ok") else EXIT_REFUSED
