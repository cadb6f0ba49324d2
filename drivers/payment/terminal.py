"""The ZVT command layer: Registration, Authorization (with issue of goods), Reversal, Repeat Receipt,
End-of-Day, Status Enquiry and Abort, on top of any :class:`~drivers.payment.link.ApduLink`.

Blocking and single-flight: one command at a time (a lock), called from a worker thread, never from the
UI thread. :meth:`ZvtTerminal.abort` may be called from another thread while a payment runs; it asks
the terminal to abort at the next opportunity (a request only, P015 §2.12: some terminals cannot).

How a payment ends (P015 §2.2.6-2.2.9, §4 "issue of goods"): the terminal stores a payment only after
the kiosk acknowledged the approved ``04 0F`` (and every Print Line). So the result is
``APPROVED_COMMITTED`` only after our ``80 00 00`` was acknowledged and the Completion ``06 0F`` came;
any silence or broken link after the ``06 01`` left is ``UNKNOWN`` (journal → recovery), never declined.

The exchange of one command (T3, the terminal as master, T4) is :mod:`drivers.payment.exchange`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.errors import DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError, DriverError
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.exchange import CommandExchange, StatusCallback, TerminalRefusedError
from drivers.payment.fields import password_bcd
from drivers.payment.link import ApduLink, Timers
from drivers.payment.payment_flow import (
    DecideCallback,
    Run,
    answer_status_information,
    is_reversal_record,
    payment_result,
)
from drivers.payment.results import (
    EndOfDayResult,
    Outcome,
    PaymentResult,
    TerminalEvent,
    TerminalInfo,
    TerminalStatus,
)
from drivers.payment.si_answers import (
    HeldCallback,
    OwnStatusInformation,
    held_answer,
    refuse_payment_si,
)
from drivers.payment.status_information import StatusInformation
from drivers.payment.texts import terminal_status_key

if TYPE_CHECKING:
    from drivers.payment.simulator import TerminalSimulator

log = logging.getLogger(__name__)


class ZvtTerminal:
    """A ZVT payment terminal behind one link. See :func:`drivers.payment.open_terminal`."""

    def __init__(
        self,
        link: ApduLink,
        password: str = "000000",
        on_status: StatusCallback | None = None,
        config_byte: int = m.CONFIG_KIOSK,
        currency: int = m.EUR,
        vending_timeout: int = 30,
        max_status_infos: int = 10,
        on_close: Callable[[], None] | None = None,
        printer_ready: Callable[[], bool] | None = None,
    ) -> None:
        password_bcd(password)  # validate early; the value itself is never logged or shown
        self.link = link
        self._password = password
        self.on_status = on_status
        self.config_byte = config_byte
        self.currency = currency
        self.vending_timeout = vending_timeout
        self.max_status_infos = max_status_infos
        self._on_close = on_close
        #: Asked at the first Print Line of a command: can the kiosk print the receipt now? If not, the
        #: lines are answered ``84 CC`` "printer not ready" (zvt.md §3), so during a payment the terminal
        #: does not store it (P015 §2.2.6). None: the kiosk prints whatever comes.
        self.printer_ready = printer_ready
        self._lock = threading.Lock()
        self._abort = threading.Event()
        self.tid: str | None = None
        self.simulator: TerminalSimulator | None = None  # the embedded one for zvt+sim:// and fake://

    def __repr__(self) -> str:  # never show the password
        return f"ZvtTerminal(link={type(self.link).__name__}, tid={self.tid!r})"

    # --- helpers ---------------------------------------------------------------------------------------

    @property
    def timers(self) -> Timers:
        """The link's timers."""
        return self.link.timers

    def _notify(self, event: TerminalEvent) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(event)
        except Exception:  # a broken screen callback must not break a payment
            log.exception("terminal status callback failed")

    def _exchange(self) -> CommandExchange:
        """A fresh exchange for one command (call with the lock held)."""
        return CommandExchange(self.link, self._notify, self.printer_ready, self._abort)

    # --- public commands --------------------------------------------------------------------------------

    def register(self, on_si: HeldCallback | None = None) -> TerminalInfo:
        """``06 00``: log on with the kiosk's config byte; return the terminal id and status.

        A terminal still holding an approved issue-of-goods payment may ask about it again (a fresh
        ``04 0F``, P015 §2.2.6) while Registration runs, before or after its ``80 00``. Without
        ``on_si`` every approved Status-Information is refused (``84 6C``: the terminal reverses it),
        since nobody decides on it. With ``on_si`` (start-up recovery), it decides: True commits
        (``80 00 00``), False refuses. Unreadable ones are always refused, declined ones acknowledged
        (acknowledging a decline commits nothing).
        """
        answer = refuse_payment_si if on_si is None else held_answer(on_si)
        with self._lock:
            run = self._exchange().run(
                m.registration(self._password, self.config_byte, self.currency), answer, answer
            )
        if run.completion is None:
            raise self._run_error(run, "Registration")
        self.tid = run.completion.tid
        log.info("terminal registered, tid %s", self.tid)
        return TerminalInfo(
            tid=run.completion.tid, sw=run.completion.sw_version, status=run.completion.status
        )

    def status(self) -> TerminalStatus:
        """``05 01``: the terminal status (00 = ready) and software version."""
        with self._lock:
            run = self._exchange().run(m.status_enquiry(self._password), refuse_payment_si)
        if run.completion is None or run.completion.status is None:
            raise self._run_error(run, "Status Enquiry")
        code = run.completion.status
        return TerminalStatus(status=code, sw=run.completion.sw_version, key=terminal_status_key(code))

    def authorize(
        self, amount_cents: int, vending: bool = True, decide: DecideCallback | None = None
    ) -> PaymentResult:
        """``06 01``: take a payment. Never raises for what the terminal or the line does once started.

        ``decide(status_information)`` is called with each *approved* 04 0F (vending mode lets it hold
        the terminal while the kiosk sends SIP2 Fee Paid) and returns :class:`Commit`, :class:`Reverse`
        or :class:`AskAgain`. An approved amount that differs from ``amount_cents`` is always refused
        (no partial approvals). Without ``decide`` the payment is committed.
        """
        command = m.authorization(
            amount_cents,
            self.currency,
            self.vending_timeout if vending else None,
            self.max_status_infos if vending else None,
        )
        with self._lock:
            self._abort.clear()
            run = Run()

            def on_si(si: StatusInformation | None) -> tuple[Apdu, bool]:
                return answer_status_information(run, si, amount_cents, self.currency, vending, decide)

            exchange = self._exchange()
            try:
                first = exchange.start(command)
            except TerminalRefusedError as exc:
                return PaymentResult(
                    Outcome.DECLINED, amount=amount_cents, result_code=exc.code, error=str(exc)
                )
            except DriverError as exc:
                return PaymentResult(
                    Outcome.UNKNOWN, amount=amount_cents, error=f"{type(exc).__name__}: {exc}"
                )
            try:
                exchange.serve_master(run, first, on_si)
            except DriverError as exc:
                run.error = f"{type(exc).__name__}: {exc}"
            finally:
                self._abort.clear()
        return payment_result(run, amount_cents)

    def repeat_receipt(self, on_si: HeldCallback | None = None) -> PaymentResult | None:
        """``06 20`` with service byte 01: the terminal's last transaction (for recovery), or ``None``.

        An approved record is ``APPROVED_COMMITTED``, unless it is the record of a reversal
        (:func:`~drivers.payment.payment_flow.is_reversal_record`): then ``REVERSAL_RECORD``, which
        took no money and must never be taken for a payment. ``on_si``: as for :meth:`register`, for a
        held payment the terminal asks about again before it answers this command (after its ``80 00``
        the one Status-Information is the record itself).
        """
        check = OwnStatusInformation("Repeat Receipt")
        stale = held_answer(on_si) if on_si is not None else None
        with self._lock:
            run = self._exchange().run(m.repeat_receipt(self._password), check, stale)
        if run.abort is not None and check.problem is None:
            return None
        if run.completion is None and check.problem is None:
            raise self._run_error(run, "Repeat Receipt")
        check.raise_if_foreign(run)
        if run.si is None:
            raise DeviceProtocolError(
                "Repeat Receipt: Completion without the Status-Information it resends (service byte 01); "
                "cannot tell what the terminal stored"
            )
        outcome = Outcome.APPROVED_COMMITTED if run.si.approved else Outcome.DECLINED
        if run.si.approved and is_reversal_record(run.si, run.lines):
            outcome = Outcome.REVERSAL_RECORD
        return PaymentResult.from_status(outcome, run.si, run.lines)

    def reverse(self, receipt_no: int, amount_cents: int | None = None) -> PaymentResult:
        """``06 30``: reverse the payment with ``receipt_no`` (same day, before End-of-Day)."""
        with self._lock:
            try:
                run = self._exchange().run(m.reversal(self._password, receipt_no, amount_cents))
            except TerminalRefusedError as exc:
                return PaymentResult(
                    Outcome.DECLINED, receipt_no=receipt_no, result_code=exc.code, error=str(exc)
                )
            except DriverError as exc:
                return PaymentResult(
                    Outcome.UNKNOWN, receipt_no=receipt_no, error=f"{type(exc).__name__}: {exc}"
                )
        if run.completion is not None and run.si is not None and run.si.approved:
            return PaymentResult.from_status(Outcome.APPROVED_REVERSED, run.si, run.lines)
        if run.abort is not None or (run.completion is not None and run.si is not None):
            code = run.abort.result_code if run.abort is not None else None
            return PaymentResult.from_status(Outcome.DECLINED, run.si, run.lines, code)
        return PaymentResult.from_status(Outcome.UNKNOWN, run.si, run.lines, None, run.error or "no result")

    def end_of_day(self) -> EndOfDayResult:
        """``06 50``: close the terminal's batch; totals and receipt lines."""
        check = OwnStatusInformation("End-of-Day", totals=True)
        with self._lock:
            run = self._exchange().run(m.end_of_day(self._password), check)
        si = run.si
        if run.completion is None and run.abort is None and check.problem is None:
            raise self._run_error(run, "End-of-Day")
        check.raise_if_foreign(run)
        ok = run.completion is not None and (si is None or si.approved)
        code = run.abort.result_code if run.abort is not None else (si.result_code if si else None)
        return EndOfDayResult(
            ok,
            code,
            si.amount if si else None,
            si.trace if si else None,
            tuple(run.lines),
            run.abort.error_text if run.abort else None,
        )

    def log_off(self, wait: float = 0.0) -> bool:
        """``06 02`` Log-Off (zvt.md §3: resets the terminal's config byte to 86), for shutdown.

        Best effort and never in the way of a command: if one is running and does not end within
        ``wait`` seconds, nothing is sent. Returns True if the terminal acknowledged it.
        """
        acquired = self._lock.acquire(timeout=wait) if wait > 0 else self._lock.acquire(blocking=False)
        if not acquired:
            return False
        try:
            self._exchange().start(m.log_off())
            log.info("terminal logged off")
            return True
        except DriverError as exc:
            log.info("terminal log-off failed: %s", exc)
            return False
        finally:
            self._lock.release()

    def abort(self) -> bool:
        """``06 B0``: ask the terminal to abort. During a payment the request is sent from the payment's
        own thread at the next chance; otherwise now. Returns False if the terminal refused it."""
        if self._lock.locked():
            self._abort.set()
            return True
        with self._lock:
            try:
                self._exchange().start(m.abort_request())
            except TerminalRefusedError:
                return False
            return True

    def close(self) -> None:
        """Close the link (and stop an embedded simulator)."""
        try:
            self.link.close()
        finally:
            if self._on_close is not None:
                self._on_close()

    def __enter__(self) -> ZvtTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _run_error(run: Run, what: str) -> DriverError:
        if run.error and "DeviceConnectionError" in run.error:
            return DeviceConnectionError(f"{what}: {run.error}")
        if run.abort is not None:
            return TerminalRefusedError(m.ABORT_FROM_PT, run.abort.result_code)
        return DeviceTimeoutError(f"{what}: {run.error or 'no completion'}")
