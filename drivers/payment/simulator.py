"""A ZVT payment terminal simulator: the demo's terminal and the tests' counterpart.

It speaks the same link layer as the driver (serial frames with ACK/NAK on a pty, or bare APDUs on
TCP), keeps books (:mod:`drivers.payment.sim_books`) with receipt and trace numbers, answers Repeat
Receipt, Reversal, End-of-Day and Status Enquiry, and auto-reverses a payment the kiosk never committed
(no ACK of the ``04 0F``, ``84 yy`` in vending mode, or no answer within the vending timeout), as a
real terminal does (P015 §2.2.6-2.2.9).
Each payment plays a scenario (:mod:`drivers.payment.sim_scenarios`); queue them with
:meth:`TerminalSimulator.push` (or set a default).

It honours the ECR's registration config byte (:mod:`drivers.payment.sim_config`), and with
``SimSettings.strict_ack`` it is as strict as the least forgiving terminals about ACKs.
"""

from __future__ import annotations

import logging
import time

from drivers.errors import DeviceConnectionError, DeviceTimeoutError, DriverError
from drivers.payment import messages as m
from drivers.payment import sim_config
from drivers.payment.codec import Apdu
from drivers.payment.fields import bcd_decode, parse_bitmaps
from drivers.payment.link import ApduLink, LinkFaults, SerialLink, Timers
from drivers.payment.sim_books import AUTHORISED, COMMITTED, DECLINED, REVERSED, Books, SimTransaction
from drivers.payment.sim_host import SimulatorHost
from drivers.payment.sim_scenarios import ScenarioQueue, SimSettings, check_scenario
from drivers.payment.status_information import StatusInformation, build_status_information

log = logging.getLogger(__name__)

WRONG_PASSWORD = 0x83  # the simulator's answer (84 83) to a wrong terminal password
NOTHING_TO_REPEAT = 0xFF


class TerminalSimulator(SimulatorHost):
    """The simulated terminal; serve it on a link (``serve``) or start it on a pty/TCP port/socketpair."""

    def __init__(
        self,
        settings: SimSettings | None = None,
        books: Books | None = None,
        timers: Timers | None = None,
        default_scenario: str = "approve",
    ) -> None:
        super().__init__()
        self.settings = settings or SimSettings()
        self.books = books or Books()
        self.timers = timers or Timers()
        self.scenarios = ScenarioQueue(default_scenario)
        self._current: str | None = None  # scenario of the payment in progress
        self._swallowed = 0
        self._link: ApduLink | None = None
        self.slept = 0.0  # seconds spent in deliberate delays (the benchmark subtracts them)
        self.config_byte: int | None = None
        self.logged_off = 0  # Log-Offs (06 02) received
        self.played: list[str] = []  # scenarios of the payments handled, in order
        self.approved_amount: int | None = None  # approve this amount instead of the one asked (tests)
        self.auto_reversals: list[tuple[float, int, str]] = []  # (monotonic time, receipt, why)

    # --- scenario control ----------------------------------------------------------------------------

    def set_default(self, scenario: str) -> None:
        """The scenario for payments when the queue is empty."""
        self.scenarios.default = check_scenario(scenario)

    def push(self, *scenarios: str) -> None:
        """Queue scenarios for the next payments, in order."""
        self.scenarios.push(*scenarios)

    def _swallow(self, apdu: Apdu) -> bool:
        """Link hook: in the no_ack scenario drop the Authorization and each of its repeats."""
        if apdu.command != m.AUTHORIZATION or self.scenarios.peek() != "no_ack":
            return False
        self._swallowed += 1
        assert self._link is not None
        expected = self._link.timers.repeats + 1 if isinstance(self._link, SerialLink) else 1
        if self._swallowed >= expected:
            self._swallowed = 0
            self.played.append(self.scenarios.take())
        return True

    def _ack_delay(self, apdu: Apdu) -> float:
        """Link hook: in the slow_ack scenario every ACK of the payment comes late (within T2)."""
        slow = self._current == "slow_ack" or (
            apdu.command == m.AUTHORIZATION and self.scenarios.peek() == "slow_ack"
        )
        return (self.settings.slow_ack or self.timers.t2 / 2) if slow else 0.0

    # --- serving -------------------------------------------------------------------------------------

    def serve(self, link: ApduLink) -> None:
        """Answer the kiosk on ``link`` until :meth:`stop` or the link closes."""
        self._link = link
        faults: LinkFaults = link.faults  # type: ignore[attr-defined]
        faults.swallow_hook, faults.ack_delay_hook = self._swallow, self._ack_delay
        if isinstance(link, SerialLink):
            link.strict_ack = self.settings.strict_ack
        while not self._stop.is_set():
            try:
                apdu = link.receive(0.05)
                if apdu is not None:
                    self._dispatch(apdu)
            except DeviceConnectionError:
                return
            except DriverError as exc:  # the kiosk went away mid-command: back to idle
                log.info("simulator: %s", exc)
            except Exception:  # keep the demo terminal alive whatever a test throws at it
                log.exception("simulator failed on a command")

    def _dispatch(self, apdu: Apdu) -> None:
        handlers = {
            m.REGISTRATION: self._registration,
            m.AUTHORIZATION: self._authorization,
            m.REPEAT_RECEIPT: self._repeat_receipt,
            m.REVERSAL: self._reversal,
            m.END_OF_DAY: self._end_of_day,
            m.STATUS_ENQUIRY: self._status_enquiry,
        }
        handler = handlers.get(apdu.command)
        if apdu.command in (m.ABORT_REQUEST, m.LOG_OFF):
            if apdu.command == m.LOG_OFF:
                self.config_byte = 0x86  # zvt.md §3: Log-Off resets the config byte to 86
                self.logged_off += 1
            self._send(m.ack_apdu())
        elif apdu.cls in (0x80, 0x84):
            pass  # a late answer from a command that ended already
        elif handler is None or (
            apdu.command not in (m.AUTHORIZATION, m.STATUS_ENQUIRY) and not self._password_ok(apdu.data)
        ):
            self._send(m.negative_apdu(WRONG_PASSWORD))
        else:
            handler(apdu)

    def _password_ok(self, data: bytes) -> bool:
        return data[:3] == bytes.fromhex(self.settings.password)

    def _send(self, apdu: Apdu) -> None:
        assert self._link is not None
        self._link.send(apdu)

    def _answer(self, timeout: float) -> Apdu | None:
        """Wait for the kiosk's 80 00 / 84 xx (an abort request on the way is acknowledged)."""
        assert self._link is not None
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            apdu = self._link.receive(remaining)
            if apdu is None:
                return None
            if apdu.cls in (0x80, 0x84):
                return apdu
            if apdu.command == m.ABORT_REQUEST:
                self._send(m.ack_apdu())
        return None

    def _status_info(self, code: int) -> None:
        """An Intermediate Status (04 FF), only if the ECR asked for them (config bit 08)."""
        if sim_config.intermediate_wanted(self.config_byte):
            self._tell(m.intermediate_status(code))

    def _tell(self, apdu: Apdu) -> Apdu | None:
        """Send a message the kiosk must answer; return its answer (None after T3)."""
        self._send(apdu)
        return self._answer(self.timers.t3)

    def _pause(self, seconds: float) -> bool:
        """A deliberate delay in which the kiosk may ask to abort; True if it did (06 B0 answered)."""
        assert self._link is not None
        start = time.monotonic()
        deadline = start + seconds
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                apdu = self._link.receive(min(remaining, 0.05))
                if apdu is not None and apdu.command == m.ABORT_REQUEST:
                    self._send(m.ack_apdu())
                    return True
            return False
        finally:
            self.slept += time.monotonic() - start

    # --- commands ------------------------------------------------------------------------------------

    def _registration(self, apdu: Apdu) -> None:
        self.config_byte = apdu.data[3] if len(apdu.data) > 3 else None
        self._send(m.ack_apdu())
        self._tell(m.completion(tid=self.settings.tid, status=0x00))

    def _status_enquiry(self, apdu: Apdu) -> None:
        if apdu.data and not self._password_ok(apdu.data):
            self._send(m.negative_apdu(WRONG_PASSWORD))
            return
        self._send(m.ack_apdu())
        self._tell(m.completion(sw_version=self.settings.sw_version, status=0x00))

    def status_information(self, tx: SimTransaction, result: int = 0x00) -> Apdu:
        """The ``04 0F`` sent about ``tx`` (:meth:`SimSettings.status_information`; tests override it
        for a terminal that misbehaves)."""
        return self.settings.status_information(tx, result)

    def _authorization(self, apdu: Apdu) -> None:
        scenario = self._current = self.scenarios.take()
        self.played.append(scenario)
        assert self._link is not None
        faults: LinkFaults = self._link.faults  # type: ignore[attr-defined]
        try:
            self._payment(apdu, scenario, faults)
        finally:
            self._current = None

    def _payment(self, apdu: Apdu, scenario: str, faults: LinkFaults) -> None:
        bmps = parse_bitmaps(apdu.data, lenient=True)
        raw_amount = bmps.get(0x04)
        if raw_amount is None:
            self._send(m.negative_apdu(WRONG_PASSWORD))
            return
        amount = bcd_decode(raw_amount)
        vending = 0x01 in bmps
        vend_timeout = float((bmps.get(0x01) or b"\x1e")[0])
        max_si = (bmps.get(0x02) or b"\x01")[0]
        self._send(m.ack_apdu())
        step = self.settings.step_delay
        self._status_info(0x0A)  # insert card
        if self._pause(self.settings.card_wait if scenario == "card_timeout" else step) or scenario in (
            "card_timeout",
            "cancel",
        ):
            self._status_info(0x0E)
            self._tell(m.abort_from_terminal(m.RESULT_ABORT))
            return
        self._status_info(0x17)  # please wait: the host is deciding
        if self._pause(step):
            self._tell(m.abort_from_terminal(m.RESULT_ABORT))
            return
        now = time.localtime()
        date, clock = time.strftime("%m-%d", now), time.strftime("%H:%M:%S", now)
        if scenario == "decline":
            tx = self.books.new(amount, DECLINED, date=date, time=clock)
            self._tell(self.status_information(tx, m.RESULT_DECLINED))
            self._tell(m.abort_from_terminal(m.RESULT_DECLINED))
            return
        tx = self.books.new(self.approved_amount or amount, AUTHORISED, date=date, time=clock)
        if scenario == "corrupt_crc":
            faults.corrupt_frames = 1
        window = min(vend_timeout, self.settings.commit_timeout) if vending else self.timers.t3
        asks = 0
        while True:
            try:
                answer = self._tell_within(self.status_information(tx), window)
            except DeviceTimeoutError:  # the kiosk never ACKed our 04 0F
                return self._auto_reverse(tx, "no ACK of the Status-Information")
            if answer is None:
                return self._auto_reverse(tx, "no answer to the Status-Information")
            if answer.cls == 0x80 or answer.instr == 0x00:
                break
            if answer.instr == m.RESULT_PLEASE_WAIT and vending and asks < max_si:
                asks += 1
                self._pause(self.settings.ask_again_delay)
                continue
            return self._auto_reverse(tx, f"kiosk answered 84 {answer.instr:02X}", tell=True)
        if scenario == "receipt" and sim_config.payment_lines_wanted(self.config_byte):
            lines = self.settings.receipt_lines
            for i, line in enumerate(lines):
                try:
                    answer = self._tell(m.print_line(line, last=i == len(lines) - 1))
                    if answer is None:
                        return self._auto_reverse(tx, "print line not acknowledged")
                    if answer.cls != 0x80 and answer.instr != 0x00:  # e.g. 84 CC printer not ready
                        return self._auto_reverse(tx, f"print line answered 84 {answer.instr:02X}", tell=True)
                except DeviceTimeoutError:
                    return self._auto_reverse(tx, "print line not acknowledged")
        self.books.set_state(tx.receipt_no, COMMITTED)
        if scenario == "power_loss":
            self._power_loss()
            return
        self._status_info(0x0B)  # remove card
        self._tell(m.completion())

    def _tell_within(self, apdu: Apdu, timeout: float) -> Apdu | None:
        self._send(apdu)
        return self._answer(timeout)

    def _auto_reverse(self, tx: SimTransaction, why: str, tell: bool = False) -> None:
        log.info("simulator: auto-reversal of receipt %04d (%s)", tx.receipt_no, why)
        self.auto_reversals.append((time.monotonic(), tx.receipt_no, why))
        self.books.set_state(tx.receipt_no, REVERSED)
        if tell:
            self._status_info(0x05)
            abort = m.abort_from_terminal(m.RESULT_ABORT)
            self._tell(Apdu(abort.cls, abort.instr, abort.data + self.settings.abort_extra))

    def _power_loss(self) -> None:
        log.info("simulator: power loss")
        time.sleep(self.settings.power_off)
        self.slept += self.settings.power_off
        assert self._link is not None
        self._link.drain()

    def _repeat_receipt(self, apdu: Apdu) -> None:
        self._send(m.ack_apdu())
        tx = self.books.last()
        if tx is None:
            self._tell(m.abort_from_terminal(NOTHING_TO_REPEAT))
            return
        self._tell(self.status_information(tx, m.RESULT_DECLINED if tx.state == DECLINED else 0x00))
        self._tell(m.completion())

    def _reversal(self, apdu: Apdu) -> None:
        bmps = parse_bitmaps(apdu.data[3:], lenient=True)
        raw = bmps.get(0x87)
        self._send(m.ack_apdu())
        original = self.books.find(bcd_decode(raw)) if raw is not None else None
        if original is None or original.settled or original.state not in (COMMITTED, REVERSED):
            self._tell(m.abort_from_terminal(m.RESULT_REVERSAL_IMPOSSIBLE))
            return
        if original.state == REVERSED:
            self._tell(m.abort_from_terminal(m.RESULT_ALREADY_REVERSED))
            return
        self._status_info(0x17)
        self._pause(self.settings.step_delay)
        self.books.set_state(original.receipt_no, REVERSED)
        now = time.localtime()
        record = self.books.new(
            original.amount,
            COMMITTED,
            kind="reversal",
            reverses=original.receipt_no,
            date=time.strftime("%m-%d", now),
            time=time.strftime("%H:%M:%S", now),
        )
        self._tell(self.status_information(record))
        self._tell(m.completion())

    def _end_of_day(self, apdu: Apdu) -> None:
        self._send(m.ack_apdu())
        count, total = self.books.settle()
        si = StatusInformation(result_code=0, amount=total, trace=self.books.trace, tid=self.settings.tid)
        self._tell(build_status_information(si))
        lines = ("Kassenschnitt / Dagafsluiting", f"Betalingen: {count}", f"Totaal EUR {total / 100:.2f}")
        for i, line in enumerate(lines if sim_config.admin_lines_wanted(self.config_byte) else ()):
            self._tell(m.print_line(line, last=i == len(lines) - 1))
        self._tell(m.completion())
