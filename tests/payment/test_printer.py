"""The kiosk printer and the terminal's receipt (zvt.md §3: a Print Line is answered ``84 CC`` when the
printer is not ready; §5: the terminal stores a payment only once every Print Line was acknowledged),
and Log-Off (``06 02``). Driver against the simulator over a pty and over TCP.
"""

from __future__ import annotations

import threading

import pytest

from drivers.payment import Outcome, StatusInformation, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.link import SocketChannel, TcpLink
from drivers.payment.sim_books import COMMITTED, REVERSED
from drivers.payment.status_information import build_status_information
from tests.payment.conftest import TEST_TIMERS, Rig
from tests.payment.test_terminal_edge import ScriptedTerminal


def _states(rig: Rig) -> list[tuple[int, str]]:
    return [(tx.amount, tx.state) for tx in rig.sim.books.payments()]


def test_receipt_lines_are_taken_when_the_printer_is_ready(rig: Rig) -> None:
    asked: list[bool] = []
    rig.term.printer_ready = lambda: asked.append(True) or True
    rig.sim.push("receipt")
    result = rig.term.authorize(250)
    assert result.outcome is Outcome.APPROVED_COMMITTED
    assert result.receipt_lines == rig.sim.settings.receipt_lines
    assert asked == [True]  # asked once per command, not per line
    assert _states(rig) == [(250, COMMITTED)]


def _broken() -> bool:
    raise OSError("printer unplugged")


@pytest.mark.parametrize("ready", [lambda: False, _broken], ids=["out_of_paper", "status_fails"])
def test_printer_not_ready_answers_84_cc_and_the_terminal_keeps_nothing(rig: Rig, ready: object) -> None:
    rig.term.printer_ready = ready  # type: ignore[assignment]
    rig.sim.push("receipt")
    result = rig.term.authorize(250)
    assert result.outcome is Outcome.APPROVED_REVERSED and not result.paid
    assert result.receipt_lines == ()
    assert _states(rig) == [(250, REVERSED)]  # the terminal gave the money back
    assert rig.term.repeat_receipt() is None  # and stored nothing
    rig.term.printer_ready = lambda: True  # paper refilled: the next payment goes through
    assert rig.term.authorize(100).paid


def test_log_off_resets_the_config_byte(rig: Rig) -> None:
    rig.term.register()
    assert rig.sim.config_byte == rig.term.config_byte
    assert rig.term.log_off() is True
    assert rig.sim.config_byte == 0x86 and rig.sim.logged_off == 1


def test_log_off_never_gets_in_the_way_of_a_running_command(rig: Rig) -> None:
    started, release = threading.Event(), threading.Event()

    def hold_the_terminal() -> None:
        with rig.term._lock:  # stands for a payment in progress
            started.set()
            release.wait(30)

    worker = threading.Thread(target=hold_the_terminal)
    worker.start()
    try:
        assert started.wait(30)
        assert rig.term.log_off() is False  # nothing sent while the terminal is busy
    finally:
        release.set()
        worker.join(30)
    assert rig.sim.logged_off == 0


def test_a_completion_after_a_refused_receipt_line_is_unknown_not_paid() -> None:
    """The terminal should reverse after our 84 CC; a Completion instead contradicts that, so the result
    is UNKNOWN (the journal's recovery asks Repeat Receipt), never "paid" and never "declined"."""
    approved = build_status_information(StatusInformation(result_code=0, amount=500, receipt_no=7, trace=7))
    ack = m.ack_apdu()
    pt = ScriptedTerminal([("expect", None), ("send", ack), ("send", approved), ("expect", ack),
                           ("send", m.print_line("x", last=True)), ("expect", m.negative_apdu(0xCC)),
                           ("send", m.completion()), ("expect", ack)])  # fmt: skip
    term = ZvtTerminal(TcpLink(SocketChannel(pt.kiosk_end), TEST_TIMERS), password="123456")
    term.printer_ready = lambda: False
    try:
        result = term.authorize(500, vending=False)
        pt.join()
    finally:
        term.close()
    assert pt.error is None, pt.error
    assert result.outcome is Outcome.UNKNOWN and "printer not ready" in (result.error or "")
