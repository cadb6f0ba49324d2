"""systemd's notify protocol (sd_notify(3)) in a few lines of stdlib: READY, WATCHDOG, STOPPING, STATUS.

With ``Type=notify`` systemd passes ``$NOTIFY_SOCKET`` (a unix datagram socket; ``@name`` is an abstract
one) and, with ``WatchdogSec=``, ``$WATCHDOG_USEC`` (and ``$WATCHDOG_PID``). Without them every call is a
harmless no-op returning False, so the kiosk runs the same from a shell.

When the kiosk is ready: after its first ILS contact attempt (online or offline: both are a working kiosk)
and, with a display, once the UI's event loop runs. The watchdog is pinged from the UI thread's clock
(a hung UI stops the pings and systemd restarts the kiosk) or, headless, from its main loop.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any


def notify(state: str) -> bool:
    """Send one notification (e.g. ``"READY=1"``); True when a notify socket was there to take it."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address or address[0] not in "/@":
        return False
    target = "\0" + address[1:] if address[0] == "@" else address
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        try:
            sock.connect(target)
            sock.sendall(state.encode("utf-8"))
        except OSError:
            return False
    return True


def ready(status: str = "") -> bool:
    """Tell systemd the kiosk is up (``READY=1``), with an optional status line."""
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def watchdog() -> bool:
    """One watchdog ping (``WATCHDOG=1``)."""
    return notify("WATCHDOG=1")


def stopping() -> bool:
    """Tell systemd the kiosk is shutting down on purpose."""
    return notify("STOPPING=1")


def watchdog_interval() -> float | None:
    """How often to ping (half of ``WatchdogSec``), or None when systemd expects no pings (not set, or set
    for another process: ``$WATCHDOG_PID``). The service's main process may be our parent (cage runs the
    kiosk as its child; the unit has ``NotifyAccess=all``)."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid not in (str(os.getpid()), str(os.getppid()))):
        return None
    return int(usec) / 2e6


def wait_first_contact(kiosk: Any, timeout: float) -> bool:
    """Wait (at most ``timeout`` s) until the kiosk's first ILS contact attempt has ended, whatever its
    outcome; True when it had."""
    contacted = getattr(kiosk.circulation, "first_contact", None)
    if isinstance(contacted, threading.Event):
        return contacted.wait(timeout)
    deadline = time.monotonic() + timeout  # a circulation service without the event: online or time out
    while not kiosk.circulation.online and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(kiosk.circulation.online)


def on_kivy_clock(kiosk: Any, timeout: float) -> None:
    """With a UI: schedule readiness for the first frame (after the first ILS contact attempt) and the
    watchdog pings on Kivy's clock, which runs on the UI thread. Call before ``App.run()``."""
    from kivy.clock import Clock

    def first_frame(_dt: float) -> None:
        threading.Thread(
            target=lambda: (wait_first_contact(kiosk, timeout), ready("touch UI up")),
            name="sd-ready",
            daemon=True,
        ).start()

    Clock.schedule_once(first_frame, 0)
    interval = watchdog_interval()
    if interval is not None:
        Clock.schedule_interval(lambda _dt: watchdog(), interval)
