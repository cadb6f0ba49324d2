"""Child side of the kill -9 at the staffing switch test: start the kiosk, ask for "closed", and
SIGKILL itself right at the switch — ``before`` the override is kept on disk, or just ``after``."""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import kiosk.service_clock as service_clock
from kiosk.assembly import build_kiosk
from kiosk.config import load_config


def main(config_path: str, when: str) -> None:
    config = load_config(config_path)
    if when == "before":
        real = service_clock._write_atomically

        def die_instead(path: Path, data: dict[str, str]) -> None:
            if path.name == service_clock.OVERRIDE_FILE:
                os.kill(os.getpid(), signal.SIGKILL)
            real(path, data)

        service_clock._write_atomically = die_instead  # type: ignore[assignment]
    kiosk = build_kiosk(config, readers=False)
    if when == "after":

        def die_after(view: Any) -> None:
            if view.service.override is not None:
                os.kill(os.getpid(), signal.SIGKILL)

        kiosk.runtime.subscribe(die_after)  # runs after the ServiceClock kept the override
    now = service_clock.now_utc()
    service_clock.write_request(
        Path(config.store.path).parent,
        {"mode": "closed", "start": now.isoformat(), "until": (now + timedelta(hours=2)).isoformat()},
    )
    threading.Event().wait(120)  # the killer ends this process; 120 s is only a hang guard
    sys.exit(3)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
