"""One health snapshot from the configuration, for ``kiosk maintenance status``.

It assembles the kiosk's services without pass readers (a kiosk that is running keeps its readers),
takes one snapshot through the same :class:`kiosk.health.KioskHealth` that monitoring uses, and
stops everything again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kiosk.monitoring.health import HealthSnapshot

log = logging.getLogger(__name__)


def probe_health(config: Any, settle: float | None = None) -> HealthSnapshot:
    """Assemble, snapshot, stop. ``settle`` (s, default the SIP2 connect timeout) is how long to give
    the ILS link to come up before the snapshot is taken."""
    from kiosk.assembly import build_kiosk
    from kiosk.health import KioskHealth

    kiosk = build_kiosk(config, readers=False)
    try:
        deadline = time.monotonic() + (config.sip2.connect_timeout if settle is None else settle)
        while not kiosk.circulation.online and time.monotonic() < deadline:
            time.sleep(0.05)
        return KioskHealth(kiosk).snapshot()
    finally:
        kiosk.stop()
