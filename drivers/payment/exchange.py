"""One ZVT command, from the kiosk's side: send it, wait T3 for ``80 00``, then serve the terminal
(which is master now) until its Completion (``06 0F``) or Abort (``06 1E``).

While it is master the terminal sends Intermediate Status (``04 FF``, shown on screen), the
Status-Information (``04 0F``, answered by the caller's ``on_si``: commit, ask again or refuse), Print
Lines and Text-Blocks (the receipt, or ``84 CC`` "printer not ready" when the kiosk cannot print it,
zvt.md §3). :class:`~drivers.payment.terminal.ZvtTerminal` makes one :class:`CommandExchange` per
command, under its lock; this module knows nothing of which command it is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from drivers.errors import DeviceProtocolError, DeviceTimeoutError, DriverError
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.link import ApduLink
from drivers.payment.payment_flow import Run
from drivers.payment.results import PrintLineEvent, StatusEvent, TerminalEvent
from drivers.payment.si_answers import SiAnswer, parse_si, refuse_undecided
from drivers.payment.status_information import StatusInformation
from drivers.payment.texts import intermediate_key

log = logging.getLogger(__name__)


# Messages of its own (a late Completion, a repeated frame) the terminal may send before it answers our
# command; after each one T3 starts again, but only this many times.
MAX_STRAYS_BEFORE_ANSWER = 3

StatusCallback = Callable[[TerminalEvent], None]


class TerminalRefusedError(DeviceProtocolError):
    """The terminal answered a command with ``84 xx`` (e.g. wrong password, busy)."""

    def __init__(self, command: bytes, code: int) -> None:
        super().__init__(f"terminal refused {command.hex(' ').upper()} with code {code:02X}")
        self.code = code


class CommandExchange:
    """The exchange of one command on ``link``.

    ``notify`` gets each Intermediate Status and Print Line; ``printer_ready`` is asked at the first
    receipt line (None: the kiosk prints whatever comes); ``abort`` set from another thread sends
    ``06 B0`` at the next chance while the terminal is master.
    """

    def __init__(
        self,
        link: ApduLink,
        notify: StatusCallback,
        printer_ready: Callable[[], bool] | None,
        abort: threading.Event,
    ) -> None:
        self.link = link
        self._notify = notify
        self.printer_ready = printer_ready
        self._abort = abort

    def start(self, apdu: Apdu, on_si: SiAnswer | None = None) -> Apdu | None:
        """Send a command and wait T3 for ``80 00``; return an early 04 FF if one came instead.

        Messages left over from an earlier command (a late Completion after T4, a repeated frame whose
        ACK was lost) are dropped first, and any that still arrive before the answer are acknowledged
        and ignored: they must never be taken for this command's result. A Status-Information among them
        is refused, unless ``on_si`` (Registration with a held payment) decides on it.
        """
        self.link.drain()
        self.link.send(apdu)
        t3 = self.link.timers.t3
        deadline = time.monotonic() + t3
        strays = 0
        while (remaining := deadline - time.monotonic()) > 0:
            reply = self.link.receive(remaining)
            if reply is None:
                break
            if reply.cls == 0x80 or (reply.cls == 0x84 and reply.instr == 0x00):
                return None
            if reply.cls == 0x84:
                raise TerminalRefusedError(apdu.command, reply.instr)
            if reply.command == m.INTERMEDIATE_STATUS:
                return reply  # the terminal went straight on: accept it as "command taken"
            log.info("ignoring stale %s before the answer to %s", reply.describe(), apdu.command.hex(" "))
            # A stale Status-Information is a payment nobody is deciding on now: "80 00 00" would make the
            # terminal store (commit) it (P015 §2.2.6), so refuse it and let the terminal reverse, unless
            # the caller decides on it (a held payment asked about again, see ZvtTerminal.register).
            if reply.command == m.STATUS_INFORMATION and on_si is not None:
                self.answer(on_si(parse_si(reply.data))[0])
            else:
                self.answer(refuse_undecided(reply))
            # The terminal spent this time on its own message, not on our command: T3 starts again after
            # our answer (a few times at most, so a terminal that keeps sending cannot hold us forever).
            strays += 1
            if strays <= MAX_STRAYS_BEFORE_ANSWER:
                deadline = time.monotonic() + t3
        raise DeviceTimeoutError(f"no answer to {apdu.command.hex(' ').upper()} within T3")

    def answer(self, apdu: Apdu) -> None:
        self.link.send(apdu)

    def serve_master(
        self, run: Run, first: Apdu | None, on_si: Callable[[StatusInformation | None], tuple[Apdu, bool]]
    ) -> None:
        """Serve the terminal's messages until Completion or Abort; timeouts end the run with ``error``."""
        t4 = self.link.timers.t4
        deadline = time.monotonic() + t4
        abort_sent = False
        pending = first
        while True:
            if self._abort.is_set() and not abort_sent:
                abort_sent = True
                self.link.send(m.abort_request())
            if pending is not None:
                apdu, pending = pending, None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    run.error = "no completion from the terminal within T4"
                    return
                got = self.link.receive(min(remaining, 0.1))
                if got is None:
                    continue
                apdu = got
            cmd = apdu.command
            if cmd == m.INTERMEDIATE_STATUS:
                code, minutes = m.parse_intermediate_status(apdu.data)
                self.answer(m.ack_apdu())
                t4 = minutes * 60.0 if minutes else t4
                deadline = time.monotonic() + t4
                self._notify(StatusEvent(code, intermediate_key(code)))
            elif cmd == m.STATUS_INFORMATION:
                deadline = time.monotonic() + t4
                si = parse_si(apdu.data)
                run.si = si
                reply, commits = on_si(si)
                self.answer(reply)  # raises if never ACKed: then the payment is not committed → UNKNOWN
                run.committed = run.committed or commits
            elif cmd in (m.PRINT_LINE, m.TEXT_BLOCK) and not self.can_print(run):
                run.print_refused = True
                self.answer(m.negative_apdu(m.RESULT_PRINTER_NOT_READY))
            elif cmd == m.PRINT_LINE:
                text, last = m.parse_print_line(apdu.data)
                run.lines.append(text)
                self.answer(m.ack_apdu())
                self._notify(PrintLineEvent(text, last))
            elif cmd == m.TEXT_BLOCK:
                lines = m.parse_text_block(apdu.data)
                run.lines.extend(lines)
                self.answer(m.ack_apdu())
                for i, text in enumerate(lines):
                    self._notify(PrintLineEvent(text, i == len(lines) - 1))
            elif cmd == m.COMPLETION:
                run.completion = m.parse_completion(apdu.data)
                self.answer(m.ack_apdu())
                return
            elif cmd == m.ABORT_FROM_PT:
                run.abort = m.parse_abort(apdu.data)
                self.answer(m.ack_apdu())
                return
            elif apdu.cls in (0x80, 0x84):
                continue  # the answer to our 06 B0
            else:
                log.warning("unexpected %s from terminal while it is master", apdu.describe())
                self.answer(m.negative_apdu(0x83))

    def can_print(self, run: Run) -> bool:
        """Whether the kiosk printer can take this command's receipt (asked once per command)."""
        if run.printer_ok is None:
            run.printer_ok = True
            if self.printer_ready is not None:
                try:
                    run.printer_ok = bool(self.printer_ready())
                except Exception:  # a printer that cannot even say: it cannot print either
                    log.exception("printer status check failed; answering printer not ready")
                    run.printer_ok = False
                if not run.printer_ok:
                    log.warning("kiosk printer not ready: receipt lines answered 84 CC")
        return run.printer_ok

    def run(self, command: Apdu, on_si: SiAnswer | None = None, stale_si: SiAnswer | None = None) -> Run:
        """Run one command to its end; DriverErrors are caught into ``run.error`` after the command left.
        ``stale_si`` answers a Status-Information that comes before the command's ``80 00``."""
        run = Run()
        first = self.start(command, stale_si)  # errors before "80 00" propagate to the caller
        try:
            self.serve_master(run, first, on_si or (lambda si: (m.ack_apdu(), False)))
        except DriverError as exc:
            run.error = f"{type(exc).__name__}: {exc}"
        return run
