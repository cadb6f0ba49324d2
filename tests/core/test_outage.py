"""The ILS goes away mid-stack: the kiosk carries on offline, then replays when the ILS is back."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus, Screen
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store import TransactionQueue
from sip2.client import Sip2Client
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk, client_settings


def test_outage_mid_stack_then_replay_gives_the_expected_books(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE))
    sim.stop()  # the ILS goes down in the middle of the stack
    kiosk.do(ev.ItemPresented(demo.AVAILABLE_2))
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    kiosk.do(
        ev.ItemPresented(demo.AVAILABLE_3), ev.ItemPresented(demo.ACCENTED), ev.ItemPresented(demo.MAGNETIC)
    )
    lines = {line.item_id: line for line in kiosk.session.view.lines(LineKind.LOAN)}
    assert not lines[demo.AVAILABLE].offline and lines[demo.AVAILABLE].status is LineStatus.DONE
    for item in (demo.AVAILABLE_2, demo.AVAILABLE_3, demo.ACCENTED):
        assert lines[item].status is LineStatus.DONE and lines[item].offline
    assert lines[demo.MAGNETIC].message.key == "offline.loan_limit"  # 3 queued loans per pass
    kiosk.do(ev.Finish(), ev.ReceiptChoice(False))
    # Offline: returns without a pass are accepted and queued; renewing is not offered.
    kiosk.do(ev.ItemPresented(demo.ON_LOAN))
    assert kiosk.session.view.lines(LineKind.RETURN)[0].offline
    kiosk.do(ev.Finish(), ev.ReceiptChoice(False))
    kiosk.sign_in(demo.FEES, demo.FEES_PIN)  # accepted on the check digit alone
    assert kiosk.session.view.patron.offline and kiosk.session.view.screen is Screen.MENU
    kiosk.do(ev.StartRenew())
    assert kiosk.session.view.message.key == "offline.unavailable"
    kiosk.do(ev.Finish())
    kiosk.sign_in("20105000012345", "1234")  # wrong check digit: not accepted offline
    assert kiosk.session.view.message.key == "offline.pass_invalid"
    kiosk.do(ev.Acknowledge())
    assert len(kiosk.store.outstanding()) == 4
    with sim.library.lock:
        assert demo.AVAILABLE_2 not in sim.library.loans

    sim.start()  # same port, same books
    kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.all())
    with sim.library.lock:
        for item in (demo.AVAILABLE, demo.AVAILABLE_2, demo.AVAILABLE_3, demo.ACCENTED):
            assert sim.library.loans[item].patron_id == demo.NORMAL
            assert sim.library.times_applied("checkout", item_id=item) == 1
        assert demo.MAGNETIC not in sim.library.loans
        assert demo.ON_LOAN not in sim.library.loans
        replayed = [a for a in sim.library.applied if a.item_id == demo.AVAILABLE_3]
    assert replayed[0].no_block  # replayed with SIP2's no-block flag and the original time
    assert sim.library.times_applied("checkin", item_id=demo.ON_LOAN) == 1
    assert kiosk.service.last_replay is not None and kiosk.service.last_replay.remaining == 0


def test_offline_loans_refused_when_the_site_does_not_allow_them(sim: IlsSimulator, tmp_path: Path) -> None:
    kiosk = Kiosk(sim, tmp_path, OfflinePolicy(allow_loans=False))
    try:
        sim.stop()
        kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
        kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
        assert kiosk.session.view.message.key == "offline.returns_only"
        kiosk.do(ev.StartBorrow())
        assert kiosk.session.view.screen is Screen.MENU
        kiosk.do(ev.StartReturn(), ev.ItemPresented(demo.ON_LOAN))
        assert kiosk.session.view.lines(LineKind.RETURN)[0].status is LineStatus.DONE
        assert [row.kind for row in kiosk.store.outstanding()] == ["checkin"]
    finally:
        kiosk.close()


def test_replay_keeps_a_refusal_for_staff(kiosk: Kiosk, sim: IlsSimulator) -> None:
    sim.stop()
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    unknown = "30301000599990"  # the ILS has no such item: refused even with no-block
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(unknown), ev.ItemPresented(demo.AVAILABLE))
    kiosk.do(ev.Finish(), ev.ReceiptChoice(False))
    sim.start()
    kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.outstanding())
    failed = kiosk.store.failed()
    assert [(row.item_id, row.result_code) for row in failed] == [(unknown, "checkout:refused")]
    with sim.library.lock:
        assert sim.library.loans[demo.AVAILABLE].patron_id == demo.NORMAL  # the next row went through


def test_a_hanging_ils_is_abandoned_and_the_loan_checked_before_resending(
    kiosk: Kiosk, sim: IlsSimulator
) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow())
    sim.faults.never_answer = True  # the ILS accepts requests and never replies
    kiosk.do(ev.ItemPresented(demo.AVAILABLE))
    line = kiosk.session.view.lines(LineKind.LOAN)[0]
    assert line.status is LineStatus.DONE and line.offline  # queued in doubt, not lost
    assert not kiosk.session.view.ils_online
    assert [row.state for row in kiosk.store.outstanding()] == ["sending"]
    sim.faults.clear()
    kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.outstanding())
    assert sim.library.times_applied("checkout", item_id=demo.AVAILABLE) == 1
    assert sim.library.times_applied("renew", item_id=demo.AVAILABLE) == 0


def test_reply_lost_after_the_ils_applied_the_loan(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow())
    sim.faults.drop_after_apply, sim.faults.drop_count = True, 1
    kiosk.do(ev.ItemPresented(demo.AVAILABLE_2))
    line = kiosk.session.view.lines(LineKind.LOAN)[0]
    assert line.status is LineStatus.DONE
    kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.outstanding())
    assert sim.library.times_applied("checkout", item_id=demo.AVAILABLE_2) == 1
    assert sim.library.times_applied("renew", item_id=demo.AVAILABLE_2) == 0


def test_a_long_replay_lets_the_patron_at_the_kiosk_go_first(kiosk: Kiosk, sim: IlsSimulator) -> None:
    sim.stop()
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    for n in range(400):  # a long outage's worth of returns (unknown items: refused on replay)
        kiosk.store.enqueue("checkin", f"3030100099{n:04d}")
    sim.faults.latency = 0.003
    sim.start()
    kiosk.wait_for(lambda: kiosk.session.view.ils_online)
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE))
    line = kiosk.session.view.lines(LineKind.LOAN)[0]
    assert line.status is LineStatus.DONE and not line.offline
    assert kiosk.store.waiting_count() > 0  # served between replay batches, not after the whole queue
    kiosk.wait_for(lambda: kiosk.store.waiting_count() == 0)
    assert len(kiosk.store.failed()) == 400


def test_the_service_purges_failed_rows_past_retention(sim: IlsSimulator, tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    store = TransactionQueue(tmp_path / "q.db", tmp_path / "q.key", retention_days=14, clock=lambda: now[0])
    old = store.enqueue("checkin", "OLD-1")
    store.fail(old.txn_id, "checkin:refused")
    now[0] += 15 * 86400
    recent = store.enqueue("checkin", "RECENT-1")
    store.fail(recent.txn_id, "checkin:refused")
    events: list[ev.Event] = []
    service = CirculationService(
        lambda: Sip2Client(client_settings(sim.port)),
        store,
        OfflinePolicy(),
        events.append,
        validate_pass=lambda n: True,
    )
    service.start()
    try:
        deadline = time.monotonic() + 20
        while store.get(old.txn_id) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [row.item_id for row in store.all()] == ["RECENT-1"]
    finally:
        service.stop()
