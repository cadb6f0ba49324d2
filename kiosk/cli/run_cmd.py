"""``kiosk run``: start the kiosk (touch UI on a display, or a headless status line without one).

Without a display the touch UI cannot open; instead of failing obscurely the command says how to see
it (``xvfb-run``, ``kiosk screenshots``) and keeps the kiosk running headless, printing one status line
(JSON) every few seconds: ILS online, queue depth, devices. Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time
from typing import Any

from kiosk import sdnotify
from kiosk.cli.output import add_config_argument, emit, load_config_or_exit, say


def register(sub: Any) -> None:
    """Add ``kiosk run``."""
    parser = sub.add_parser("run", help="start the kiosk (touch UI, or headless without a display)")
    add_config_argument(parser)
    parser.add_argument("--headless", action="store_true", help="no UI: run the services and print status")
    parser.add_argument("--windowed", action="store_true", help="an ordinary window instead of full screen")
    parser.add_argument(
        "--status-interval",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds between headless status lines (default 5)",
    )
    parser.add_argument("--exit-after", type=float, default=None, metavar="S", help=argparse.SUPPRESS)
    parser.set_defaults(func=_run)


def has_display() -> bool:
    """Whether a graphical display is available for the touch UI."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _run(args: argparse.Namespace) -> int:
    from drivers.errors import DriverError
    from kiosk.assembly import build_kiosk
    from kiosk.errors import KioskError
    from kiosk.health import KioskHealth, start_monitoring

    config = load_config_or_exit(args.config)
    headless = args.headless or not has_display()
    if not args.headless and headless:
        say(
            "kiosk: no display found (DISPLAY is not set), so the touch UI cannot open here.\n"
            "  On the kiosk PC or a desktop, run it from the graphical session (make run).\n"
            "  To look at every screen as PNG:   .venv/bin/kiosk screenshots --out shots/\n"
            "  To run the UI on a virtual screen: xvfb-run -a -s '-screen 0 1280x800x24' make run\n"
            "Running headless now: the ILS, queue and devices run; status every "
            f"{args.status_interval:g} s. Ctrl-C stops."
        )
    try:
        kiosk = build_kiosk(config)
    except (KioskError, DriverError) as exc:  # a wrong setting, the state directory, another kiosk
        say(f"kiosk: {exc}")
        return 2
    try:
        start_monitoring(kiosk)
        if headless:
            kiosk.runtime.start_ticking()
            return _headless(kiosk, KioskHealth(kiosk), args.status_interval, args.exit_after)
        return _with_ui(kiosk, config, windowed=args.windowed)
    finally:
        kiosk.stop()


def _headless(kiosk: Any, health: Any, interval: float, exit_after: float | None) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    say(
        f"kiosk: {kiosk.config.site.library_name} ({kiosk.config.site.kiosk_id}) is running; "
        f"ILS {kiosk.config.sip2.url}"
    )
    sdnotify.wait_first_contact(kiosk, kiosk.config.sip2.connect_timeout + 10)
    sdnotify.ready("headless")
    ping = sdnotify.watchdog_interval()
    waited = 0.0
    while not stop.is_set():
        emit({"status": health.snapshot().to_json()})
        step = interval if exit_after is None else min(interval, max(exit_after - waited, 0.0))
        if _wait_pinging(stop, step, ping):
            break
        waited += step
        if exit_after is not None and waited >= exit_after:
            emit({"status": health.snapshot().to_json()})
            break
    sdnotify.stopping()
    return 0


def _wait_pinging(stop: threading.Event, seconds: float, ping: float | None) -> bool:
    """Wait ``seconds`` (True when stopped first), pinging systemd's watchdog every ``ping`` seconds."""
    end = time.monotonic() + seconds
    while True:
        sdnotify.watchdog()
        left = end - time.monotonic()
        if left <= 0:
            return False
        if stop.wait(min(left, ping or left)):
            return True


def _with_ui(kiosk: Any, config: Any, windowed: bool) -> int:
    from kiosk.ui import kivy_settings
    from kiosk.ui.launch import launch_ui

    kivy_settings()  # before Kivy's clock is imported
    sdnotify.on_kivy_clock(kiosk, config.sip2.connect_timeout + 10)
    launch_ui(kiosk, config, windowed=windowed)
    sdnotify.stopping()
    return 0
