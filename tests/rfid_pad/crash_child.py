"""The child side of the kill -9 test: a whole kiosk that lends the items on its pad and SIGKILLs itself
the moment the first security write would start — after the ILS answered, before any tag was touched.

Usage: ``python -m tests.rfid_pad.crash_child CONFIG.toml PASS``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from kiosk.assembly import build_kiosk
from kiosk.config import parse_config
from kiosk.core import events as ev
from kiosk.rfid.security_service import SecurityService
from tests.foundation.waiting import wait_until


def _die(*args: object, **kwargs: object) -> tuple[bool, str]:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def main() -> None:
    config_path, pass_number = Path(sys.argv[1]), sys.argv[2]
    SecurityService.switch = _die  # type: ignore[method-assign,assignment]
    kiosk = build_kiosk(parse_config(config_path.read_text(), base_dir=config_path.parent))
    wait_until(lambda: kiosk.circulation.online, what="the ILS online")
    kiosk.runtime.send(ev.PassPresented(pass_number))
    wait_until(lambda: kiosk.runtime.view.screen.value == "menu", what="the menu")
    kiosk.runtime.send(ev.StartBorrow())
    time.sleep(60)  # the security worker kills the process long before this ends
    sys.exit(3)


if __name__ == "__main__":
    main()
