"""Repeat Receipt (06 20) and End-of-Day (06 50): a reversal record is marked as such, never reported as an
approved payment; and only the messages that belong to the command are accepted (zvt.md §3: Repeat Receipt
resends the last Status-Information, End-of-Day sends its totals in one 04 0F, then Print Lines and an
empty 06 0F). Against the simulator over a pty/TCP, and scripted terminals for malformed frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from drivers.errors import DeviceProtocolError
from drivers.payment import Outcome, StatusInformation, ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.link import SocketChannel, TcpLink
from drivers.payment.payment_flow import is_reversal_record
from drivers.payment.status_information import build_status_information, parse_status_information
from tests.payment.conftest import PASSWORD, TEST_TIMERS, Rig
from tests.payment.test_terminal_edge import ScriptedTerminal, Step

Scripted = Callable[[list[Step]], tuple[ZvtTerminal, ScriptedTerminal]]
ACK = m.ack_apdu()
REFUSE = m.negative_apdu(m.RESULT_ECR_REFUSES)


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    """A driver on a socket pair, against a terminal that plays a fixed script."""
    made: list[ZvtTerminal] = []

    def make(script: list[Step]) -> tuple[ZvtTerminal, ScriptedTerminal]:
        pt = ScriptedTerminal(script)
        term = ZvtTerminal(TcpLink(SocketChannel(pt.kiosk_end), TEST_TIMERS), password=PASSWORD)
        made.append(term)
        return term, pt

    yield make
    for term in made:
        term.close()


def _si(receipt: int = 7, amount: int = 500, text: str | None = None, result: int = 0) -> Apdu:
    return build_status_information(
        StatusInformation(result_code=result, amount=amount, currency=978, trace=receipt, receipt_no=receipt,
                          tid="52523535", text=text)
    )  # fmt: skip


# --- 1. reversal records --------------------------------------------------------------------------------


def test_repeat_receipt_marks_the_reversal_record(rig: Rig) -> None:
    paid = rig.term.authorize(250)
    assert paid.paid
    before = rig.term.repeat_receipt()
    assert before is not None and before.outcome is Outcome.APPROVED_COMMITTED
    assert before.receipt_no == paid.receipt_no
    reversed_ = rig.term.reverse(paid.receipt_no or 0)
    assert reversed_.outcome is Outcome.APPROVED_REVERSED
    after = rig.term.repeat_receipt()
    assert after is not None and after.outcome is Outcome.REVERSAL_RECORD and not after.paid
    assert after.receipt_no == reversed_.receipt_no != paid.receipt_no
    assert after.amount == 250  # reads like a payment of the same amount: only the mark tells it apart


@pytest.mark.parametrize(
    "text,lines,marked",
    [
        ("STORNO", (), True),
        ("Reversal", (), True),
        (None, ("OPENBARE BIBLIOTHEEK", "ANNULERING", "EUR 2,50"), True),
        (None, ("Stornierung",), True),
        (None, ("OPENBARE BIBLIOTHEEK", "Betaling / Payment", "Maestro xxxxxxxxxxxx1230"), False),
        ("Stornokosten 0,00", (), False),  # a whole word only
        (None, (), False),
    ],
)
def test_reversal_record_is_told_by_its_receipt_text(
    text: str | None, lines: tuple[str, ...], marked: bool
) -> None:
    si = StatusInformation(result_code=0, amount=250, receipt_no=3, text=text)
    assert is_reversal_record(si, lines) is marked


def test_status_information_text_round_trips() -> None:
    si = parse_status_information(_si(text="STORNO").data)
    assert si.text == "STORNO" and si.receipt_no == 7


def test_reversal_record_from_print_lines(scripted: Scripted) -> None:
    term, pt = scripted(
        [("expect", None), ("send", ACK), ("send", _si()), ("expect", ACK),
         ("send", m.print_line("OPENBARE BIBLIOTHEEK")), ("expect", ACK),
         ("send", m.print_line("*** STORNO ***", last=True)), ("expect", ACK),
         ("send", m.completion()), ("expect", ACK)]
    )  # fmt: skip
    result = term.repeat_receipt()
    pt.join()
    assert pt.error is None
    assert result is not None and result.outcome is Outcome.REVERSAL_RECORD


# --- 2. only the command's own messages ---------------------------------------------------------------------

UNREADABLE = Apdu(0x04, 0x0F, bytes.fromhex("2700 04000000"))  # amount cut off
CARD_SI = build_status_information(
    StatusInformation(result_code=0, amount=500, receipt_no=8, trace=8, tid="52523535", card_name="Maestro"),
    masked_pan="676389EEEEEE1230",
)
ENQUIRY_DONE = m.completion(sw_version="kiosk-sim 1.0", status=0)
REGISTRATION_DONE = m.completion(tid="52523535", status=0)


def _run(term: ZvtTerminal, command: str) -> object:
    return term.repeat_receipt() if command == "repeat" else term.end_of_day()


@pytest.mark.parametrize("command", ["repeat", "end_of_day"])
@pytest.mark.parametrize(
    "after,refused,message",
    [
        ([_si(), _si(receipt=8)], True, "a second Status-Information"),  # a stray payment's 04 0F after ours
        ([UNREADABLE], True, "an unreadable Status-Information"),
        ([_si(), m.print_line("x", last=True)], False, "a Completion of another command"),
    ],
    ids=["second_si", "unreadable", "foreign_completion"],
)
def test_anything_but_the_commands_own_messages_is_a_protocol_error(
    scripted: Scripted, command: str, after: list[Apdu], refused: bool, message: str
) -> None:
    """The stray 04 0F is refused (84 6C: never committed by our acknowledgement), the command fails
    with a clear DeviceProtocolError instead of reporting something that is not its result."""
    script: list[Step] = [("expect", None), ("send", ACK)]
    for i, apdu in enumerate(after):
        last_si = refused and i == len(after) - 1
        script += [("send", apdu), ("expect", REFUSE if last_si else ACK)]
    done = ENQUIRY_DONE if message.startswith("a Completion") else m.completion()
    script += [("send", done), ("expect", ACK)]
    term, pt = scripted(script)
    with pytest.raises(DeviceProtocolError, match=message):
        _run(term, command)
    pt.join()
    assert pt.error is None, pt.error


@pytest.mark.parametrize("done", [ENQUIRY_DONE, REGISTRATION_DONE], ids=["enquiry", "registration"])
def test_a_completion_of_another_command_is_not_a_repeat_receipt(scripted: Scripted, done: Apdu) -> None:
    term, pt = scripted([("expect", None), ("send", ACK), ("send", _si()), ("expect", ACK), ("send", done),
                         ("expect", ACK)])  # fmt: skip
    with pytest.raises(DeviceProtocolError, match=r"Repeat Receipt: .*Completion of another command"):
        term.repeat_receipt()
    pt.join()
    assert pt.error is None, pt.error


def test_repeat_receipt_without_its_status_information_is_an_error_not_an_empty_memory(
    scripted: Scripted,
) -> None:
    """Only 06 1E says "nothing stored"; a bare Completion cannot tell what the terminal stored (taking
    it as "nothing" would let recovery settle a committed payment as not taken)."""
    term, pt = scripted([("expect", None), ("send", ACK), ("send", m.completion()), ("expect", ACK),
                         ("expect", None), ("send", ACK), ("send", m.abort_from_terminal(0xFF)),
                         ("expect", ACK)])  # fmt: skip
    with pytest.raises(DeviceProtocolError, match="without the Status-Information"):
        term.repeat_receipt()
    assert term.repeat_receipt() is None  # 06 1E: the terminal has nothing stored
    pt.join()
    assert pt.error is None, pt.error


def test_end_of_day_refuses_a_payments_status_information(scripted: Scripted) -> None:
    term, pt = scripted([("expect", None), ("send", ACK), ("send", CARD_SI), ("expect", REFUSE),
                         ("send", m.completion()), ("expect", ACK)])  # fmt: skip
    with pytest.raises(DeviceProtocolError, match=r"End-of-Day: .*card data"):
        term.end_of_day()
    pt.join()
    assert pt.error is None, pt.error


def test_end_of_day_and_repeat_receipt_still_work_with_the_simulator(rig: Rig) -> None:
    assert rig.term.authorize(250).paid
    again = rig.term.repeat_receipt()
    assert again is not None and again.outcome is Outcome.APPROVED_COMMITTED and again.amount == 250
    day = rig.term.end_of_day()
    assert day.ok and day.total == 250 and len(day.receipt_lines) == 3
