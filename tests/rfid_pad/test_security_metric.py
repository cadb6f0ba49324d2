"""A tag whose security cannot be switched shows in the health snapshot and on ``/metrics``
(``kiosk_security_not_switched``, issue 16)."""

from __future__ import annotations

import requests

from drivers.rfid.scenarios import demo_uid
from kiosk.assembly import Kiosk
from kiosk.core.view import LineKind
from kiosk.health import KioskHealth
from kiosk.monitoring.metrics import KioskMetrics, start_metrics_server
from tests.foundation.waiting import wait_for

from .conftest import AVOND, HET_DINER, borrowing, done, field, notes, put


def test_afi_write_always_failing_counts_in_health_and_metrics(kiosk: Kiosk, free_port: int) -> None:
    assert KioskHealth(kiosk).snapshot().security_not_switched == 0
    borrowing(kiosk)
    field(kiosk).faults.write_failures[demo_uid(HET_DINER)] = 1000
    put(kiosk, HET_DINER, AVOND)
    wait_for(kiosk, lambda: "rfid.security_still_on" in notes(kiosk, LineKind.LOAN, HET_DINER), "the line")
    wait_for(kiosk, done(kiosk, LineKind.LOAN, AVOND), "the other loan")
    wait_for(kiosk, lambda: kiosk.pad.security.verified == 1, "the other tag released")
    snapshot = KioskHealth(kiosk).snapshot()
    assert snapshot.security_not_switched == 1
    metrics = KioskMetrics()
    metrics.update(snapshot)
    server = start_metrics_server(metrics, "127.0.0.1", free_port)
    assert server is not None
    try:
        text = requests.get(f"http://127.0.0.1:{free_port}/metrics", timeout=15).text
    finally:
        server.close()
    assert "kiosk_security_not_switched 1.0" in text
