"""Edge cases of the command layer against a scripted terminal (bare APDUs on a socket pair): things the
simulator never does on purpose — repeated Status-Information, unreadable fields, a vanished terminal."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from drivers.payment import Commit, Outcome, StatusEvent, StatusInformation, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.codec import Apdu, ApduStreamParser, encode_apdu
from drivers.payment.link import SocketChannel, TcpLink, Timers
from drivers.payment.status_information import build_status_information
from tests.payment.conftest import SILENT_TIMERS, TEST_TIMERS

#: The terminal accepts the command, then stays silent on purpose: only T4 is short.
SILENT_T4 = dataclasses.replace(TEST_TIMERS, t4=SILENT_TIMERS.t4)

APPROVED = build_status_information(
    StatusInformation(result_code=0, amount=500, currency=978, trace=7, receipt_no=7, tid="52523535")
)

Step = tuple[str, Apdu | None]  # ("send", apdu) | ("expect", apdu or None = any) | ("close", None)


class ScriptedTerminal:
    """Plays a fixed script against the driver and records what the driver sent."""

    def __init__(self, script: list[Step]) -> None:
        self.kiosk_end, self._ours = socket.socketpair()
        self.script = script
        self.received: list[Apdu] = []
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _next(self, parser: ApduStreamParser, pending: list[Apdu]) -> Apdu:
        self._ours.settimeout(30)  # a bound for a broken test, not a timing assumption
        while not pending:
            data = self._ours.recv(4096)
            if not data:
                raise ConnectionError("kiosk closed")
            pending += parser.feed(data)
        return pending.pop(0)

    def _run(self) -> None:
        parser, pending = ApduStreamParser(), []
        try:
            for action, apdu in self.script:
                if action == "send":
                    assert apdu is not None
                    self._ours.sendall(encode_apdu(apdu))
                elif action == "expect":
                    got = self._next(parser, pending)
                    self.received.append(got)
                    if apdu is not None and got != apdu:
                        self.error = f"expected {apdu}, got {got}"
                        return
                else:
                    self._ours.close()
                    return
        except (OSError, ConnectionError) as exc:
            self.error = str(exc)

    def join(self) -> None:
        self._thread.join(30)


@pytest.fixture
def scripted() -> Iterator[Callable[[list[Step]], tuple[ZvtTerminal, ScriptedTerminal]]]:
    made: list[ZvtTerminal] = []

    def make(script: list[Step], timers: Timers = TEST_TIMERS) -> tuple[ZvtTerminal, ScriptedTerminal]:
        pt = ScriptedTerminal(script)
        term = ZvtTerminal(TcpLink(SocketChannel(pt.kiosk_end), timers), password="123456")
        made.append(term)
        return term, pt

    yield make
    for term in made:
        term.close()


ACK = m.ack_apdu()


def test_repeated_status_information_is_decided_once(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, pt = scripted(
        [
            ("expect", None),
            ("send", ACK),
            ("send", APPROVED),
            ("expect", ACK),
            ("send", APPROVED),
            ("expect", ACK),  # our answer was lost: the terminal repeats
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    calls: list[StatusInformation] = []
    result = term.authorize(500, decide=lambda si: calls.append(si) or Commit())  # type: ignore[func-returns-value]
    pt.join()
    assert pt.error is None and len(calls) == 1
    assert result.outcome is Outcome.APPROVED_COMMITTED and result.receipt_no == 7


def test_unreadable_status_information_is_refused(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    broken = Apdu(0x04, 0x0F, bytes.fromhex("2700 04000000"))  # the amount is cut off
    term, pt = scripted(
        [
            ("expect", None),
            ("send", ACK),
            ("send", broken),
            ("expect", m.negative_apdu(m.RESULT_ECR_REFUSES)),
            ("send", m.abort_from_terminal(0x6C)),
            ("expect", ACK),
        ]
    )
    result = term.authorize(500, decide=lambda si: Commit())
    pt.join()
    assert pt.error is None and result.outcome is Outcome.CANCELLED


def test_unreadable_then_completion_is_unknown(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    broken = Apdu(0x04, 0x0F, bytes.fromhex("2700 22F0F9 1234"))
    term, _pt = scripted(
        [
            ("expect", None),
            ("send", ACK),
            ("send", broken),
            ("expect", None),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    assert term.authorize(500).outcome is Outcome.UNKNOWN


def test_terminal_vanishes_after_approval(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, _pt = scripted([("expect", None), ("send", ACK), ("send", APPROVED), ("close", None)])
    result = term.authorize(500)
    assert result.outcome is Outcome.UNKNOWN and result.error and not result.paid


def test_refused_authorization_is_declined(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, _pt = scripted([("expect", None), ("send", m.negative_apdu(0x9C))])
    result = term.authorize(500)
    assert result.outcome is Outcome.DECLINED and result.result_code == 0x9C


def test_terminal_skips_80_00_and_extends_t4(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    events: list[object] = []
    term, pt = scripted(
        [
            ("expect", None),
            ("send", m.intermediate_status(0x0A, t4_minutes=1)),
            ("expect", ACK),
            ("send", APPROVED),
            ("expect", ACK),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    term.on_status = events.append
    assert term.authorize(500).outcome is Outcome.APPROVED_COMMITTED
    pt.join()
    assert pt.error is None and events == [StatusEvent(0x0A, "insert_card")]


def test_declined_status_then_completion_is_declined(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    declined = build_status_information(StatusInformation(result_code=0x05, amount=500))
    term, pt = scripted(
        [
            ("expect", None),
            ("send", ACK),
            ("send", declined),
            ("expect", ACK),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    result = term.authorize(500)
    pt.join()
    assert pt.error is None and result.outcome is Outcome.DECLINED and result.result_code == 0x05


def test_silence_after_acceptance_is_unknown(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, _pt = scripted([("expect", None), ("send", ACK)], SILENT_T4)
    result = term.authorize(500)
    assert result.outcome is Outcome.UNKNOWN and "T4" in (result.error or "")


def test_stale_completion_is_not_taken_for_the_next_result(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, pt = scripted(
        [
            ("expect", None),
            ("send", ACK),  # accepted, then silence: T4 → UNKNOWN
            ("expect", None),  # the kiosk's next command (repeat receipt) ...
            ("send", m.completion()),  # ... crosses the late Completion of the payment
            ("expect", ACK),
            ("send", ACK),
            ("send", APPROVED),
            ("expect", ACK),
            ("send", m.completion()),
            ("expect", ACK),
        ],
        SILENT_T4,
    )
    assert term.authorize(500).outcome is Outcome.UNKNOWN
    term.link.timers = TEST_TIMERS  # the terminal answers again: no short wait from here on
    again = term.repeat_receipt()
    pt.join()
    assert pt.error is None and again is not None and again.receipt_no == 7


REFUSE = m.negative_apdu(m.RESULT_ECR_REFUSES)


def test_stale_approved_status_information_before_an_answer_is_refused_not_committed(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    # A payment held from before (e.g. across a kiosk restart) sends its approved 04 0F just as the kiosk
    # registers: acknowledging it with 80 00 00 would make the terminal store a payment nobody decided on.
    term, pt = scripted(
        [
            ("expect", None),  # Registration
            ("send", APPROVED),  # ... crosses the held payment's Status-Information
            ("expect", REFUSE),  # refused: the terminal reverses it
            ("send", ACK),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    term.register()
    pt.join()
    assert pt.error is None, pt.error


def test_status_information_during_registration_is_refused_too(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]],
) -> None:
    term, pt = scripted(
        [
            ("expect", None),  # Registration
            ("send", ACK),  # accepted; the terminal is master now ...
            ("send", APPROVED),  # ... and hands over a held payment's Status-Information
            ("expect", REFUSE),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    term.register()
    pt.join()
    assert pt.error is None, pt.error


@pytest.mark.parametrize("keep", [True, False])
def test_a_held_payment_asked_about_before_the_repeat_receipt_answer_gets_the_hooks_decision(
    scripted: Callable[..., tuple[ZvtTerminal, ScriptedTerminal]], keep: bool
) -> None:
    # Recovery's Repeat Receipt can cross the terminal's renewed question about a held payment: the
    # journal's decision (the hook) answers it, not a blanket refusal that would reverse a payment
    # the library already recorded.
    term, pt = scripted(
        [
            ("expect", None),  # Repeat Receipt
            ("send", APPROVED),  # ... crosses the held payment's renewed 04 0F
            ("expect", ACK if keep else REFUSE),
            ("send", ACK),  # the Repeat Receipt is accepted
            ("send", APPROVED),  # its one record: the last transaction
            ("expect", ACK),
            ("send", m.completion()),
            ("expect", ACK),
        ]
    )
    asked: list[int | None] = []

    def hook(si: StatusInformation) -> bool:
        asked.append(si.receipt_no)
        return keep

    record = term.repeat_receipt(on_si=hook)
    pt.join()
    assert pt.error is None, pt.error
    assert asked == [7]  # asked once: the record after the 80 00 is not a question
    assert record is not None and record.receipt_no == 7
