"""Counting transactions for the metrics from the views the runtime broadcasts.

The runtime already tells every subscriber about each new :class:`~kiosk.core.view.SessionView`, so
monitoring needs no hook in the services: a loan, return or renewal is counted when its line first
reaches *done* (or *done offline*) or *refused*, a payment when it appears in ``view.payments`` or a
payment message says it failed, a patron lookup when the session leaves the "checking your pass"
screen. Only kinds and results are counted, never who or what.

Subscribe it with ``runtime.subscribe(TransactionCounter(metrics))``; it is called on the runtime's
thread, and prometheus-client counters are thread-safe.
"""

from __future__ import annotations

from kiosk.core.view import LineKind, LineStatus, Screen, SessionView
from kiosk.monitoring.metrics import KioskMetrics

_KINDS = {
    LineKind.LOAN: "loan",
    LineKind.RETURN: "return",
    LineKind.RENEWAL: "renewal",
    LineKind.PAYMENT: "payment",
}
_PAYMENT_FAILED = (
    "payment.declined",
    "payment.aborted",
    "payment.terminal_unavailable",
    "payment.not_recorded",
)


class TransactionCounter:
    """A view subscriber that counts each finished transaction once."""

    def __init__(self, metrics: KioskMetrics) -> None:
        self.metrics = metrics
        self._seen: set[tuple[str, str, str, int]] = set()
        self._payments = 0
        self._last: SessionView | None = None

    def __call__(self, view: SessionView) -> None:
        """Look at a new view."""
        last, self._last = self._last, view
        if not view.in_session and not view.items:
            self._seen.clear()  # a new session starts from nothing
            self._payments = 0
        if last is not None and last.screen is Screen.IDENTIFYING:
            if view.screen is Screen.MENU:
                offline = view.patron is not None and view.patron.offline
                self.metrics.count_transaction("patron", "offline" if offline else "ok")
            elif view.screen is Screen.NOTICE:
                self.metrics.count_transaction("patron", "refused")
        occurrences: dict[tuple[str, str], int] = {}
        for line in view.items:
            ident = (line.kind.value, line.item_id)
            n = occurrences[ident] = occurrences.get(ident, 0) + 1
            if line.status is LineStatus.PENDING:
                # The same item presented again: its next outcome is a new transaction.
                self._seen -= {(*ident, status.value, n) for status in LineStatus}
                continue
            key = (*ident, line.status.value, n)
            if key in self._seen:
                continue
            self._seen.add(key)
            result = "refused" if line.status is LineStatus.REFUSED else "offline" if line.offline else "ok"
            self.metrics.count_transaction(_KINDS[line.kind], result)
        for _ in range(self._payments, len(view.payments)):
            self.metrics.count_transaction("payment", "ok")
        self._payments = len(view.payments)
        message = view.message.key if view.message else None
        last_message = last.message.key if last is not None and last.message else None
        if message in _PAYMENT_FAILED and message != last_message:
            self.metrics.count_transaction("payment", "refused")
