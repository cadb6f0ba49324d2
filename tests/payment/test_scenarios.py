"""The scenario matrix: the real driver against the simulator, over a pty pair and over TCP."""

from __future__ import annotations

import dataclasses
import logging
import threading

import pytest

from drivers.payment import AskAgain, Commit, Outcome, PrintLineEvent, Reverse, StatusEvent, StatusInformation
from drivers.payment.sim_books import COMMITTED, DECLINED, REVERSED, Books
from tests.foundation.waiting import wait_until
from tests.payment.conftest import PASSWORD, QUIET_T4, SILENT_TIMERS, TEST_TIMERS, Rig, make_rig


def states(rig: Rig) -> list[tuple[int, str]]:
    return [(t.amount, t.state) for t in rig.sim.books.payments()]


def test_register_and_status(rig: Rig) -> None:
    info = rig.term.register()
    assert info.tid == "52523535" and info.status == 0
    assert rig.sim.config_byte == 0xBE
    status = rig.term.status()
    assert status.ready and status.sw == "kiosk-sim 1.0" and status.key == "terminal_ready"


def test_approve_commits_once(rig: Rig) -> None:
    rig.term.register()
    seen: list[StatusInformation] = []

    def decide(si: StatusInformation) -> Commit:
        seen.append(si)
        assert states(rig) == [(1250, "authorised")]  # the terminal holds the goods decision for us
        return Commit()

    result = rig.term.authorize(1250, vending=True, decide=decide)
    assert result.outcome is Outcome.APPROVED_COMMITTED and result.paid
    assert (result.amount, result.receipt_no, result.trace, result.tid) == (1250, 1, 1, "52523535")
    assert result.card_name == "Maestro" and result.receipt_pan == "xxxxxxxxxxxx1230"
    assert len(seen) == 1 and states(rig) == [(1250, COMMITTED)]
    keys = [e.key for e in rig.events if isinstance(e, StatusEvent)]
    assert keys == ["insert_card", "please_wait", "remove_card"]


def test_receipt_numbers_and_traces_increase(rig: Rig) -> None:
    first = rig.term.authorize(100)
    second = rig.term.authorize(200, vending=False)
    assert (first.receipt_no, second.receipt_no) == (1, 2) and (first.trace, second.trace) == (1, 2)
    assert states(rig) == [(100, COMMITTED), (200, COMMITTED)]


def test_decline(rig: Rig) -> None:
    rig.sim.push("decline")
    called: list[object] = []
    result = rig.term.authorize(500, decide=called.append)  # type: ignore[arg-type]
    assert result.outcome is Outcome.DECLINED and result.result_code == 0x05 and not result.paid
    assert called == [] and states(rig) == [(500, DECLINED)]


@pytest.mark.parametrize("scenario", ["cancel", "card_timeout"])
def test_customer_cancel_and_card_timeout(rig: Rig, scenario: str) -> None:
    rig.sim.push(scenario)
    result = rig.term.authorize(500)
    assert result.outcome is Outcome.CANCELLED and result.result_code == 0x6C
    assert states(rig) == []


def test_kiosk_reverses_in_vending_mode(rig: Rig) -> None:
    result = rig.term.authorize(700, decide=lambda si: Reverse())
    assert result.outcome is Outcome.APPROVED_REVERSED and not result.paid
    assert states(rig) == [(700, REVERSED)]
    assert "auto_reversal" in [e.key for e in rig.events if isinstance(e, StatusEvent)]


def test_ask_again_then_commit(rig: Rig) -> None:
    answers = [AskAgain(), AskAgain(), Commit()]
    result = rig.term.authorize(900, decide=lambda si: answers.pop(0))
    assert result.outcome is Outcome.APPROVED_COMMITTED and answers == []
    assert states(rig) == [(900, COMMITTED)]


def test_ask_again_too_often_reverses(rig: Rig) -> None:
    result = rig.term.authorize(900, decide=lambda si: AskAgain())  # max 3 status-infos in the rig
    assert result.outcome is Outcome.APPROVED_REVERSED
    assert states(rig) == [(900, REVERSED)]


def test_decide_callback_error_refuses_goods(rig: Rig) -> None:
    def broken(si: StatusInformation) -> Commit:
        raise RuntimeError("SIP2 client crashed")

    result = rig.term.authorize(300, decide=broken)
    assert result.outcome is Outcome.APPROVED_REVERSED and states(rig) == [(300, REVERSED)]


def test_partial_approval_is_refused(rig: Rig) -> None:
    rig.sim.approved_amount = 200  # the terminal approves less than asked
    result = rig.term.authorize(1000, decide=lambda si: Commit())
    assert result.outcome is Outcome.APPROVED_REVERSED and states(rig) == [(200, REVERSED)]


def test_receipt_lines(rig: Rig) -> None:
    rig.sim.push("receipt")
    result = rig.term.authorize(250)
    assert result.outcome is Outcome.APPROVED_COMMITTED
    assert result.receipt_lines == rig.sim.settings.receipt_lines
    lines = [e for e in rig.events if isinstance(e, PrintLineEvent)]
    assert [e.last for e in lines] == [False, False, True]


def test_slow_ack_still_works(rig: Rig) -> None:
    rig.sim.push("slow_ack")
    assert rig.term.authorize(250).outcome is Outcome.APPROVED_COMMITTED
    assert rig.sim.played == ["slow_ack"]


def test_no_ack_is_unknown_never_declined(rig: Rig) -> None:
    rig.sim.push("no_ack")
    # The terminal swallows the Authorization on purpose: short T2 (serial) / T3 (TCP) for this wait only.
    rig.term.link.timers = SILENT_TIMERS
    result = rig.term.authorize(250)
    rig.term.link.timers = TEST_TIMERS
    assert result.outcome is Outcome.UNKNOWN and result.amount == 250 and not result.paid
    wait_until(
        lambda: rig.sim.played == ["no_ack"], what="the terminal swallowed every send of the Authorization"
    )
    assert states(rig) == []
    # recovery: the terminal's last transaction is not this payment → it failed, nothing to book
    assert rig.term.repeat_receipt() is None
    assert rig.term.authorize(250).outcome is Outcome.APPROVED_COMMITTED


def test_power_loss_after_commit_is_unknown_then_recovered(rig: Rig) -> None:
    rig.term.authorize(100)  # an older payment
    rig.sim.push("power_loss")
    # After the commit the terminal is silent on purpose: a shorter T4 for this payment only.
    rig.term.link.timers = dataclasses.replace(TEST_TIMERS, t4=QUIET_T4)
    result = rig.term.authorize(250)
    rig.term.link.timers = TEST_TIMERS
    assert result.outcome is Outcome.UNKNOWN and result.receipt_no == 2
    wait_until(lambda: states(rig) == [(100, COMMITTED), (250, COMMITTED)], what="the terminal committed it")
    rig.term.register()
    again = rig.term.repeat_receipt()
    assert again is not None and again.outcome is Outcome.APPROVED_COMMITTED
    assert (again.receipt_no, again.trace, again.amount, again.tid) == (2, 2, 250, "52523535")


def test_reversal_and_double_reversal(rig: Rig) -> None:
    paid = rig.term.authorize(1500)
    assert paid.receipt_no is not None
    rev = rig.term.reverse(paid.receipt_no)
    assert rev.outcome is Outcome.APPROVED_REVERSED and rev.amount == 1500 and rev.receipt_no == 2
    assert states(rig) == [(1500, REVERSED)]
    again = rig.term.reverse(paid.receipt_no)
    assert again.outcome is Outcome.DECLINED and again.result_code == 0xB4
    assert rig.term.reverse(77).outcome is Outcome.DECLINED


def test_end_of_day_totals_and_blocks_reversal(rig: Rig) -> None:
    rig.term.authorize(1000)
    rig.term.authorize(250)
    rig.term.authorize(999, decide=lambda si: Reverse())
    eod = rig.term.end_of_day()
    assert eod.ok and eod.total == 1250 and eod.receipt_lines[-1] == "Totaal EUR 12.50"
    late = rig.term.reverse(1)
    assert late.outcome is Outcome.DECLINED and late.result_code == 0xB5


def test_abort_request_from_kiosk(rig: Rig) -> None:
    rig.sim.push("card_timeout")
    rig.sim.settings = dataclasses.replace(rig.sim.settings, card_wait=30.0)

    def on_status(event: object) -> None:
        rig.events.append(event)  # type: ignore[arg-type]
        if isinstance(event, StatusEvent) and event.key == "insert_card":
            threading.Thread(target=rig.term.abort).start()  # e.g. the UI's "stop" button

    rig.term.on_status = on_status
    result = rig.term.authorize(500)
    assert result.outcome is Outcome.CANCELLED and states(rig) == []
    assert rig.term.abort() is True  # when idle the request is answered directly


def test_wrong_password_is_refused(rig: Rig) -> None:
    from drivers.payment import TerminalRefusedError

    rig.term._password = "654321"
    with pytest.raises(TerminalRefusedError):
        rig.term.register()
    with pytest.raises(TerminalRefusedError):
        rig.term.status()


def test_secrets_never_logged(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rig.sim.push("receipt", "corrupt_crc" if rig.transport == "pty" else "approve")
    rig.term.register()
    with_receipt = rig.term.authorize(1234)  # the "receipt" scenario: the terminal prints the masked PAN
    assert any("1230" in line for line in with_receipt.receipt_lines)  # ... on the member's paper only
    result = rig.term.authorize(1234)
    again = rig.term.repeat_receipt()
    text = caplog.text + repr(rig.term)
    for each in (with_receipt, result, again):
        if each is not None:
            text += repr(each) + str(each.to_dict())
    assert PASSWORD not in text and "676389" not in text and "xxxxxxxxxxxx1230" not in text
    assert "EEEEEE" not in text.upper()
    assert "Maestro" not in str(with_receipt.to_dict())  # the card name is card data too


def test_state_file_keeps_numbers(state_file: object, tmp_path: object) -> None:
    r = make_rig("tcp", Books(state_file))  # type: ignore[arg-type]
    try:
        r.term.authorize(100)
        r.term.authorize(200)
    finally:
        r.term.close()
    r = make_rig("pty", Books(state_file))  # type: ignore[arg-type]
    try:
        again = r.term.repeat_receipt()
        assert again is not None and again.receipt_no == 2
        assert r.term.authorize(300).receipt_no == 3
        assert [t.state for t in Books(state_file).payments()] == [COMMITTED] * 3  # type: ignore[arg-type]
    finally:
        r.term.close()
