"""A held (issue-of-goods) payment the terminal asks about again *while* the restarted kiosk's own
Registration (06 00) runs: recovery's rule (commit only the journalled held payment the journal wants
kept, refuse anything else) applies there too, end to end against the terminal simulator over a pty and
the ILS simulator over TCP; plus the driver-level decision with a scripted terminal.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.payment import StatusInformation, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.link import SocketChannel, TcpLink
from drivers.payment.sim_books import COMMITTED
from drivers.payment.simulator import TerminalSimulator
from drivers.payment.status_information import build_status_information
from kiosk.payments.states import State
from sip2.simulator import IlsSimulator
from tests.payment.conftest import TEST_TIMERS
from tests.payment.test_terminal_edge import ScriptedTerminal
from tests.payments_flow.rig import TIMERS, payments_of, start_terminal
from tests.payments_flow.test_crash import FEES, PAY_BOTH, Crash, assert_books_agree

ACK = m.ack_apdu()
REFUSE = m.negative_apdu(m.RESULT_ECR_REFUSES)


class AsksAgainDuringRegistration(TerminalSimulator):
    """After the kiosk's "ask again" (84 9C) this terminal stays in its pause until a Registration
    arrives (answers that come meanwhile are ignored: it is not waiting for one), then asks again with a
    fresh 04 0F inside that Registration: after its ``80 00`` (``before_ack`` False) or before it
    (True). The payment then ends as the simulator decides from the kiosk's answer, and the payment's
    Completion becomes the Registration's (with the terminal id)."""

    before_ack = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.last_answer: Apdu | None = None
        self.ignored: list[Apdu] = []
        self.registering = False
        self.answers_in_registration: list[Apdu] = []

    def _answer(self, timeout: float) -> Apdu | None:
        self.last_answer = super()._answer(timeout)
        if self.registering and self.last_answer is not None:
            self.answers_in_registration.append(self.last_answer)
        return self.last_answer

    def _pause(self, seconds: float) -> bool:
        asked_again = self.last_answer == m.ask_again_apdu()
        self.last_answer = None
        if not asked_again:
            return super()._pause(seconds)
        assert self._link is not None
        deadline = time.monotonic() + 30  # a bound for a broken test, not a timing assumption
        while time.monotonic() < deadline:
            apdu = self._link.receive(0.05)
            if apdu is None:
                continue
            if apdu.cls in (0x80, 0x84):
                self.ignored.append(apdu)
            elif apdu.command == m.REGISTRATION:
                self.registering = True
                if not self.before_ack:
                    self._send(ACK)
                return False
            else:
                self._send(ACK)  # e.g. a Status Enquiry: not what this script is about
        return False

    def _tell(self, apdu: Apdu) -> Apdu | None:
        if self.registering and apdu.command in (m.COMPLETION, m.ABORT_FROM_PT):
            self.registering = False
            if self.before_ack:
                self._send(ACK)  # the Registration's own 80 00, late
            if apdu.command == m.COMPLETION:
                apdu = m.completion(tid=self.settings.tid, status=0x00)
        return super()._tell(apdu)


class AsksAgainBeforeTheAck(AsksAgainDuringRegistration):
    """The same, but the fresh 04 0F comes before the Registration's ``80 00``."""

    before_ack = True


@pytest.fixture
def during_registration(ils: IlsSimulator, tmp_path: Path) -> Iterator[Crash]:
    # The 04 0F *before* the Registration's 80 00 (AsksAgainBeforeTheAck) takes the same path in the
    # kiosk; the driver-level test below covers both orders, this one keeps the suite's time down.
    plain, _ = start_terminal()
    plain.stop()
    terminal: TerminalSimulator = AsksAgainDuringRegistration(plain.settings, plain.books, TIMERS)
    tty = terminal.start_pty()
    try:
        yield Crash(terminal, tty, ils, tmp_path / "kiosk.db")
    finally:
        terminal.stop()


def test_held_payment_asked_again_during_registration_is_committed(during_registration: Crash) -> None:
    """The kiosk said "ask again" while the ILS recorded the first fee, and died. The restarted kiosk's
    unasked "commit" is ignored; the terminal asks again only once the Registration runs. That 04 0F is
    the journalled payment and the journal wants it kept: the Registration commits it (instead of
    refusing it, which left a fee recorded without money → NEEDS_STAFF), and the second fee follows."""
    c = during_registration
    c.ils.faults.latency = 0.4  # each 38 takes longer than the kiosk's 0.2 s slice: "ask again" first
    code, _ = c.run(*PAY_BOTH, "--kill-at", "SIP2_SENT#2")  # fee 1 accepted, fee 2 not yet sent
    assert code == -signal.SIGKILL
    c.ils.faults.latency = 0.0
    (rec,) = c.records()
    assert rec.state is State.SIP2_SENT and rec.receipt_no is not None
    c.restart()
    sim = c.terminal
    assert isinstance(sim, AsksAgainDuringRegistration)
    assert sim.ignored == [ACK]  # the unasked answer came while the terminal was not waiting
    assert sim.answers_in_registration[0] == ACK  # the fresh 04 0F, answered inside the Registration
    rec = assert_books_agree(c, FEES)
    assert rec.state is State.DONE
    assert payments_of(sim.books) == [(300, COMMITTED)]


# --- the driver's decision, with a scripted terminal on a socket pair ----------------------------------


def _si(receipt: int = 7, amount: int = 500, result: int = 0) -> Apdu:
    return build_status_information(
        StatusInformation(result_code=result, amount=amount, currency=978, trace=7, receipt_no=receipt,
                          tid="52523535")
    )  # fmt: skip


def _journalled(si: StatusInformation) -> bool:
    return si.receipt_no == 7 and si.amount == 500


@pytest.mark.parametrize("before_ack", [False, True], ids=["after_ack", "before_ack"])
@pytest.mark.parametrize(
    "offered,hook,answer",
    [
        (_si(), _journalled, ACK),  # the held payment, to be kept: commit
        (_si(), None, REFUSE),  # no hook: nobody decides, refuse (the terminal reverses)
        (_si(receipt=8), _journalled, REFUSE),  # another payment
        (_si(amount=400), _journalled, REFUSE),  # another amount
        (Apdu(0x04, 0x0F, bytes.fromhex("2700 04000000")), _journalled, REFUSE),  # unreadable
        (_si(result=0x05), _journalled, ACK),  # declined: acknowledging commits nothing
        (_si(), lambda si: 1 / 0 > 0, REFUSE),  # a broken decision never commits
    ],
)
def test_registration_decides_on_a_held_payment_with_the_hook(
    offered: Apdu, hook: object, answer: Apdu, before_ack: bool
) -> None:
    """``register(on_si=...)`` answers an approved 04 0F by the hook's decision, before or after the
    Registration's ``80 00``, and still returns the terminal id."""
    registration = m.registration("123456")
    script: list[tuple[str, Apdu | None]] = [("expect", registration)]
    if not before_ack:
        script.append(("send", ACK))
    script += [("send", offered), ("expect", answer)]
    if before_ack:
        script.append(("send", ACK))
    script += [("send", m.completion(tid="52523535", status=0)), ("expect", ACK)]
    pt = ScriptedTerminal(script)
    term = ZvtTerminal(TcpLink(SocketChannel(pt.kiosk_end), TEST_TIMERS), password="123456")
    try:
        info = term.register(on_si=hook)  # type: ignore[arg-type]
        pt.join()
    finally:
        term.close()
    assert pt.error is None
    assert info.tid == "52523535"
