"""The pad watcher holds its inventory while an ILS answer that will call for a security write is due
(``SecurityService.expecting``), so the write the member waits for never queues behind an inventory."""

from __future__ import annotations

from pathlib import Path

from drivers.rfid import open_reader
from drivers.rfid.security import SecurityPolicy
from kiosk.core.pad_model import FORGET, INTEND_RELEASE, PadSecurity
from kiosk.rfid.pending import PendingStore
from kiosk.rfid.security_service import SecurityService


def _service(tmp_path: Path, clock: list[float]) -> SecurityService:
    reader = open_reader("rfid+sim://?scenario=demo")
    return SecurityService(
        reader,
        SecurityPolicy(),
        PendingStore(tmp_path / "pending.json"),
        lambda event: None,
        lambda kind, ref, text: None,
        clock=lambda: clock[0],
        awaiting_for=5.0,
    )


def test_an_intent_is_expected_until_forgotten(tmp_path: Path) -> None:
    clock = [100.0]
    service = _service(tmp_path, clock)
    assert not service.expecting
    service.submit(PadSecurity(1, "30301000500013", ("E004015099000001",), INTEND_RELEASE))
    assert service.expecting and service.idle  # nothing to write yet, but an answer is due
    service.submit(PadSecurity(1, "30301000500013", ("E004015099000001",), FORGET))
    assert not service.expecting


def test_an_answer_that_never_comes_stops_holding_the_pad(tmp_path: Path) -> None:
    clock = [100.0]
    service = _service(tmp_path, clock)
    service.submit(PadSecurity(1, "30301000500013", ("E004015099000001",), INTEND_RELEASE))
    clock[0] += 4.9
    assert service.expecting
    clock[0] += 0.2
    assert not service.expecting
    assert service.pending.records()  # the durable record stays for the restart recovery
