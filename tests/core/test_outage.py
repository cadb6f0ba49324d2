"""The ILS goes away mid-stack: the kiosk carries on offline, then replays when the ILS is back."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus, Screen
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store import TransactionQueue
from sip2.client import Sip2Client
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import LIMIT, OFFLINE_AFTER, Kiosk, client_settings
from tests.foundation.waiting import wait_until

WATCHDOG = 0.5  # seconds: the watchdog's bound while the ILS hangs on purpose (patient otherwise)


class ClientHook:
    """A real SIP2 client that runs ``before(name)`` just before each of its calls (on the worker)."""

    def __init__(self, client: Sip2Client, before: Any) -> None:
        self._client = client
        self._before = before

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self._before(name)
            return attribute(*args, **kwargs)

        return call


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
    sim: IlsSimulator, tmp_path: Path
) -> None:
    hang = threading.Event()  # one-shot: the first checkout is the request the ILS hangs on

    def before(name: str) -> None:
        # Switched on the worker, just before the checkout goes out: no keepalive can be the request that
        # hangs instead, whenever the test thread gets to run.
        if name == "checkout" and not hang.is_set():
            hang.set()
            kiosk.service.offline_after = WATCHDOG  # the watchdog under test
            sim.faults.reset_on_connect = True  # reconnects fail at once instead of waiting out a login
            sim.faults.never_answer = True  # the ILS accepts the request and never replies

    def hooked(client: Sip2Client) -> ClientHook:
        # A read timeout beyond the test's own bound: only the watchdog can end the hang in time.
        return ClientHook(Sip2Client(replace(client.settings, read_timeout=2 * LIMIT)), before)

    kiosk = Kiosk(sim, tmp_path, wrap_client=hooked)
    try:
        kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
        kiosk.do(ev.StartBorrow())
        kiosk.do(ev.ItemPresented(demo.AVAILABLE))
        assert hang.is_set()
        line = kiosk.session.view.lines(LineKind.LOAN)[0]
        assert line.status is LineStatus.DONE and line.offline  # queued in doubt, not lost
        assert not kiosk.session.view.ils_online
        assert [row.state for row in kiosk.store.outstanding()] == ["sending"]
        kiosk.service.offline_after = OFFLINE_AFTER  # patient again before the ILS comes back
        sim.faults.clear()
        kiosk.wait_for(lambda: kiosk.session.view.ils_online and not kiosk.store.outstanding())
        assert sim.library.times_applied("checkout", item_id=demo.AVAILABLE) == 1
        assert sim.library.times_applied("renew", item_id=demo.AVAILABLE) == 0
    finally:
        kiosk.close()


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


class ReplayGate:
    """Holds the replay's returns while the patron at the kiosk is not waiting for anything.

    Without it the test would race the replay: on a fast machine the whole queue could be replayed
    between two taps of the patron, proving nothing; on a slow one the other way round. With it, a
    return goes out only while a patron's request has been submitted and not yet answered, which is
    exactly when the replay must make way: it may finish its batch, then has to serve the patron.
    """

    def __init__(self) -> None:
        self.open = threading.Event()
        self.holding = threading.Event()  # the replay has reached the gate at least once
        self.free = False  # at the end: let the rest of the replay through

    def before(self, name: str) -> None:
        """Client hook (worker thread): a return waits for the gate."""
        if name == "checkin" and not self.free:
            self.holding.set()
            assert self.open.wait(LIMIT), "the replay was never let through"

    def submitted(self) -> None:
        """A patron's request is in the worker's queue: the replay may finish its batch."""
        self.open.set()

    def posted(self, event: ev.Event) -> None:
        """A patron's request was answered (worker thread, before the test sees it): hold again."""
        if isinstance(event, ev.ResultEvent) and not self.free:
            self.open.clear()

    def release(self) -> None:
        """Let the replay run to the end."""
        self.free = True
        self.open.set()


def test_a_long_replay_lets_the_patron_at_the_kiosk_go_first(sim: IlsSimulator, tmp_path: Path) -> None:
    gate = ReplayGate()
    kiosk = Kiosk(
        sim, tmp_path, wrap_client=lambda client: ClientHook(client, gate.before), on_post=gate.posted
    )
    submit = kiosk.service.submit

    def submit_then_open(effect: Any) -> bool:
        accepted = submit(effect)
        if accepted:
            gate.submitted()
        return accepted

    kiosk.service.submit = submit_then_open  # type: ignore[method-assign]
    try:
        sim.stop()
        kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
        for n in range(400):  # a long outage's worth of returns (unknown items: refused on replay)
            kiosk.store.enqueue("checkin", f"3030100099{n:04d}")
        sim.start()
        kiosk.wait_for(lambda: kiosk.session.view.ils_online and gate.holding.is_set())
        kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
        kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE))
        line = kiosk.session.view.lines(LineKind.LOAN)[0]
        assert line.status is LineStatus.DONE and not line.offline
        assert kiosk.store.waiting_count() > 0  # served between replay batches, not after the whole queue
        gate.release()
        kiosk.wait_for(lambda: kiosk.store.waiting_count() == 0)
        assert len(kiosk.store.failed()) == 400
    finally:
        gate.release()
        kiosk.close()


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
        wait_until(lambda: store.get(old.txn_id) is None, what="the old failed return purged", timeout=LIMIT)
        assert [row.item_id for row in store.all()] == ["RECENT-1"]
    finally:
        service.stop()
