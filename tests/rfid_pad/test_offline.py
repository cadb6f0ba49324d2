"""RFID loans while the ILS is down follow the offline policy (queued) and the site rule
``[rfid] offline_security``: "release" lends offline and releases, "refuse" refuses RFID loans offline."""

from __future__ import annotations

from collections.abc import Callable

from drivers.rfid.scenarios import demo_uid
from kiosk.assembly import Kiosk
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus
from tests.foundation.waiting import wait_for

from .conftest import AFI_IN_LIBRARY, AFI_ON_LOAN, HET_DINER, JAN, afi, done, line, put, writes_to


def _offline_borrowing(kiosk: Kiosk) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    kiosk.ils_simulator.stop()
    wait_for(kiosk, lambda: not kiosk.circulation.online, "ILS offline")
    kiosk.runtime.send(ev.PassPresented(JAN))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu (offline)")
    kiosk.runtime.send(ev.StartBorrow())
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.BORROW, "borrowing (offline)")


def test_offline_release_rule_queues_and_releases(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(rfid_section='offline_security = "release"\n')
    _offline_borrowing(kiosk)
    put(kiosk, HET_DINER)
    wait_for(kiosk, done(kiosk, LineKind.LOAN, HET_DINER), "the offline loan")
    found = line(kiosk, LineKind.LOAN, HET_DINER)
    assert found is not None and found.offline
    wait_for(kiosk, lambda: afi(kiosk, HET_DINER) == AFI_ON_LOAN, "released")
    assert kiosk.circulation.store.counts()["queued"] == 1


def test_offline_refuse_rule_lends_nothing_and_touches_no_tag(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(rfid_section='offline_security = "refuse"\n')
    _offline_borrowing(kiosk)
    put(kiosk, HET_DINER)
    wait_for(kiosk, lambda: line(kiosk, LineKind.LOAN, HET_DINER) is not None, "a line")
    refused = line(kiosk, LineKind.LOAN, HET_DINER)
    assert refused is not None and refused.status is LineStatus.REFUSED and refused.message is not None
    assert refused.message.key == "rfid.offline_refused"
    assert afi(kiosk, HET_DINER) == AFI_IN_LIBRARY and writes_to(kiosk, demo_uid(HET_DINER)) == []
    assert kiosk.circulation.store.counts()["queued"] == 0
