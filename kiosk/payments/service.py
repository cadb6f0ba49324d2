"""``PaymentService``: what the kiosk runtime calls for the core's :class:`~kiosk.core.effects.StartPayment`.

Blocking; the runtime calls it on a worker thread, never on the UI thread, and posts the returned
event to the core. Progress (the terminal's prompts: insert card, PIN, please wait, take your card)
arrives through the ``progress`` callback as kiosk message keys, on that same worker thread.

Start-up: :meth:`PaymentService.start` registers at the terminal and settles every unfinished journal
row (recovery) before the first payment; :meth:`PaymentService.recover` may be called again later
(e.g. from the idle loop) to deliver Fee Paid messages that waited for the ILS.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.payment import StatusEvent, TerminalEvent, ZvtTerminal
from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentCompleted, PaymentFailed, ResultEvent, ServiceUnavailable
from kiosk.core.rental import rental_item
from kiosk.errors import KioskConnectionError
from kiosk.payments import terminal as t
from kiosk.payments.flow import PaymentFlow, PaymentOutcome
from kiosk.payments.ils import IlsFees
from kiosk.payments.journal import JournalError, PaymentJournal
from kiosk.payments.recovery import AlertHook, Settler
from kiosk.payments.states import PaymentRecord, State

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

#: Driver intermediate-status keys (drivers.payment.texts) → kiosk message keys (kiosk/i18n). Anything
#: else, "approved, take goods" included, shows "please wait": nothing is final before the ILS said so.
PROMPTS = {
    "insert_card": "terminal.insert_card",
    "watch_pin_pad": "terminal.enter_pin",
    "wrong_pin": "terminal.enter_pin",
    "remove_card": "terminal.remove_card",
}


def amount_to_cents(amount: Decimal) -> int:
    """A Decimal euro amount as whole cents; :class:`ValueError` for anything but 0.01 steps > 0."""
    try:
        value = Decimal(amount)
        cents = value * 100
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite() or value <= 0 or cents != cents.to_integral_value():
        raise ValueError(f"not a payable amount: {amount}")
    return int(cents)


class PaymentService:
    """Pays a patron's fees on the terminal and records them in the ILS; answers with core events.

    ``terminal`` is an open :class:`~drivers.payment.ZvtTerminal` (its ``on_status`` is taken over);
    ``max_amount`` refuses larger payments before anything is sent; ``on_alert(kind, payment_id,
    detail)`` is told whenever staff must act (monitoring forwards it; no personal data in it).
    ``hold_quiet``: how long recovery listens for a held payment's fresh ``04 0F`` after answering it
    unasked (longer than the terminal's 2 s "ask again" pause).
    """

    def __init__(
        self,
        journal: PaymentJournal,
        terminal: ZvtTerminal,
        ils: IlsFees,
        *,
        vending: bool = True,
        max_amount: Decimal | None = None,
        on_alert: AlertHook | None = None,
        ask_slice: float = 0.5,
        register_attempts: int = 3,
        retention_days: int = 14,
        hold_quiet: float = 2.5,
    ) -> None:
        self.journal = journal
        self.retention_days = retention_days
        self.terminal = terminal
        self.ils = ils
        self.max_amount = max_amount
        self.settler = Settler(journal, terminal, ils, on_alert, register_attempts, hold_quiet)
        self.flow = PaymentFlow(journal, terminal, self.settler, vending=vending, ask_slice=ask_slice)
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        terminal.on_status = self._on_terminal

    def _on_terminal(self, event: TerminalEvent) -> None:
        progress = self._progress
        if progress is not None and isinstance(event, StatusEvent):
            # Every driver status key has a text in the catalogs ("card not accepted", "contacting
            # your bank", ...); the table only merges keys that should read the same.
            progress(PROMPTS.get(event.key, f"terminal.{event.key}"))

    # --- start-up and recovery ---------------------------------------------------------------------------

    def start(self) -> list[PaymentRecord]:
        """Registration, recovery of every unfinished payment, and the receipt baseline. Returns what
        recovery touched. The terminal being away is not an error here: payments simply stay blocked."""
        with self._lock:
            # Recovery first: the terminal may still hold an approved payment waiting for our answer,
            # and it would not take a Registration before that. Then always 06 00 (zvt.md §6 start-up).
            touched = self._recover()
            purged = self.journal.purge(self.retention_days)
            if purged:
                log.info("purged %d finished payments older than %d days", purged, self.retention_days)
            registered = t.register(self.terminal, self.settler.register_attempts)
            if registered and self.journal.last_receipt() is None:
                last = t.last_receipt(self.terminal)
                if last is not False:
                    self.journal.set_last_receipt(0 if last is None or last is True else last.receipt_no)
            return touched

    def recover(self) -> list[PaymentRecord]:
        """Settle unfinished payments now (also delivers Fee Paid that waited for the ILS)."""
        with self._lock:
            return self._recover()

    def _recover(self) -> list[PaymentRecord]:
        done = []
        for rec in self.journal.unfinished():
            log.info("recovering payment %s from %s", rec.payment_id, rec.state.value)
            try:
                done.append(self.settler.settle(rec))
            except Exception:
                log.exception("recovery of payment %s failed; it stays for the next try", rec.payment_id)
        return done

    # --- the effect ----------------------------------------------------------------------------------------

    def handle(self, effect: StartPayment, progress: Progress | None = None) -> ResultEvent:
        """Carry out ``StartPayment``: PaymentCompleted, PaymentFailed or ServiceUnavailable."""
        sid = effect.session_id
        try:
            cents = amount_to_cents(effect.amount)
        except ValueError:
            return PaymentFailed(sid, reason="payment.nothing_selected")
        if not effect.fee_ids:
            return PaymentFailed(sid, reason="payment.nothing_selected")
        if self.max_amount is not None and effect.amount > self.max_amount:
            return PaymentFailed(sid, reason="payment.disabled")
        with self._lock:
            if self.journal.unfinished():
                self._recover()
            if not self._printer_can_print():
                # The terminal sends the receipt as Print Lines (config byte 80) and would be answered
                # "printer not ready" after the fees were recorded (issue of goods): start nothing.
                return PaymentFailed(sid, reason="payment.terminal_unavailable")
            try:
                fees = self._fee_lines(effect.pass_number, effect.fee_ids, cents)
            except KioskConnectionError:
                return ServiceUnavailable(sid, request="payment")
            if fees is None:  # the fees changed since the account was shown: charge nothing
                return PaymentFailed(sid, reason="payment.aborted")
            self._progress = progress
            try:
                outcome = self.flow.pay(effect.pass_number, fees)
            except JournalError as exc:
                log.warning("payment refused before the terminal: %s", exc)
                return PaymentFailed(sid, reason="payment.terminal_unavailable")
            except Exception:  # the journal row stays unfinished: recovery settles it before the next one
                log.exception("payment failed unexpectedly; recovery will settle it")
                return PaymentFailed(sid, reason=self._reason_after_failure())
            finally:
                self._progress = None
        event = self._event(sid, outcome)
        if isinstance(event, PaymentCompleted):  # rentals paid here: their loans' due dates for the line
            dues = self.ils.rentals.dues
            rented = tuple((i, dues.pop(i, "")) for i in map(rental_item, effect.fee_ids) if i is not None)
            if rented:
                event = dataclasses.replace(event, rented=rented)
        return event

    def _printer_can_print(self) -> bool:
        """The terminal's ``printer_ready`` check, before a payment (zvt.md §6 "Printer")."""
        ready = getattr(self.terminal, "printer_ready", None)
        if ready is None:
            return True
        try:
            return bool(ready())
        except Exception:
            log.exception("printer status check failed before a payment")
            return False

    def _reason_after_failure(self) -> str:
        """What the member is told when a payment broke off with an unexpected error: once the
        Authorization may have left (the journal row is past NEW) the terminal may have taken money,
        so "unknown, do not pay again" (``payment.unknown``); before that, "terminal unavailable"."""
        pid = self.flow.current
        if pid is None:
            return "payment.terminal_unavailable"
        try:
            rec = self.journal.get(pid)
        except Exception:  # the journal itself is failing: assume the worst for the member
            log.exception("payment %s: journal unreadable after a failure", pid)
            return "payment.unknown"
        return "payment.terminal_unavailable" if rec.state is State.NEW else "payment.unknown"

    def _fee_lines(self, patron: str, fee_ids: tuple[str, ...], cents: int) -> list[tuple[str, int]] | None:
        """Each fee with the amount the ILS has open for it now; None unless they add up to ``cents``."""
        if len(fee_ids) == 1 and rental_item(fee_ids[0]) is not None:
            return [(fee_ids[0], cents)]  # a rental: the amount the ILS asked for in its 12 (BV)
        open_fees = self.ils.open_fees(patron)
        lines: list[tuple[str, int]] = []
        for fee_id in fee_ids:
            if fee_id not in open_fees:
                return None
            amount = open_fees[fee_id]
            if amount is None:  # the ILS lists no amount: only a single fee can take the whole sum
                if len(fee_ids) != 1:
                    return None
                lines.append((fee_id, cents))
            else:
                lines.append((fee_id, amount_to_cents(amount)))
        return lines if sum(c for _, c in lines) == cents else None

    def abort(self) -> bool:
        """The member walked away or pressed "cancel" on screen: ask the terminal to abort (``06 B0``).

        A request only (zvt.md §6: some terminals cannot abort); the running :meth:`handle` still waits
        for the terminal's own end, so an approval that raced the request is handled normally.
        """
        try:
            return self.terminal.abort()
        except Exception as exc:  # a broken line must not break the screen that asked
            log.info("abort request failed: %s", exc)
            return False

    @staticmethod
    def _event(session_id: int, outcome: PaymentOutcome) -> ResultEvent:
        rec = outcome.record
        if outcome.paid:
            return PaymentCompleted(
                session_id,
                fee_ids=rec.fee_ids,
                amount=Decimal(rec.amount_cents) / 100,
                terminal_lines=outcome.terminal_lines,
            )
        return PaymentFailed(session_id, reason=outcome.reason, screen_message=outcome.member_message)

    @classmethod
    def from_config(
        cls,
        config: Any,
        sip2_client: Any,
        *,
        on_alert: AlertHook | None = None,
        printer_ready: Callable[[], bool] | None = None,
    ) -> PaymentService:
        """Build the service from a :class:`kiosk.config.KioskConfig` and a SIP2 client.

        The journal shares the store's SQLite file and key file (``[store] path``, ``key_file``); the
        terminal comes from ``[devices] terminal`` with ``[payment] terminal_password``; issue of goods
        and the maximum amount from ``[payment]``; Wise 41 for open fees from ``[sip2] wise_sip2plus``.
        ``printer_ready`` (e.g. the receipt printer's ``status().can_print``) is asked when the terminal
        sends receipt lines: if the kiosk cannot print, they are answered "printer not ready" (84 CC)
        and the terminal does not keep the payment. Call :meth:`start` next (on a worker thread: it
        talks to the terminal).
        """
        from drivers.payment import open_terminal

        payment = config.payment
        journal = PaymentJournal(config.store.path, config.store.key_file)
        try:
            terminal = open_terminal(config.devices.terminal, password=payment.terminal_password)
            terminal.printer_ready = printer_ready
        except Exception:
            journal.close()
            raise
        ils = IlsFees(sip2_client, wise=bool(config.sip2.wise_sip2plus), currency=payment.currency)
        return cls(
            journal, terminal, ils, vending=bool(payment.issue_of_goods),
            max_amount=Decimal(str(payment.max_amount)), on_alert=on_alert,
            retention_days=int(config.store.retention_days),
        )  # fmt: skip

    def close(self) -> None:
        """Log off from the terminal (``06 02``, best effort), then close it and the journal."""
        try:
            self.terminal.log_off()
        except Exception as exc:  # shutting down: a terminal that is away must not stop that
            log.info("terminal log-off on shutdown failed: %s", exc)
        try:
            self.terminal.close()
        finally:
            self.journal.close()

    def status(self) -> dict[str, Any]:
        """Counts per journal state (for monitoring and ``kiosk terminal`` tooling; no personal data)."""
        return {"payments": self.journal.counts()}
