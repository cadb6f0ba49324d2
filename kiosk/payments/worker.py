"""Payments for the runtime: one worker thread around the blocking ``PaymentService``.

* The terminal is used by one thing at a time: patron payments, start-up recovery, health polls and the
  technician's end-of-day all run on this worker, in order.
* :meth:`submit` takes the core's :class:`~kiosk.core.effects.StartPayment` and posts the service's
  answer (``PaymentCompleted``/``PaymentFailed``/``ServiceUnavailable``) back to the session; the
  terminal's prompts (insert card, PIN, …) go to ``on_progress`` as message keys for the screen.
* Start-up runs Registration and recovery of unfinished journal rows before the first payment.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from kiosk.core import effects as fx
from kiosk.core import events as ev

if TYPE_CHECKING:
    from kiosk.payments.service import PaymentService

log = logging.getLogger(__name__)

Job = Callable[[], Any]


class PaymentWorker:
    """Runs everything that talks to the payment terminal on one thread."""

    def __init__(
        self,
        service: PaymentService,
        post: Callable[[ev.Event], None],
        on_progress: Callable[[str], None] | None = None,
        recover_every: float = 60.0,
    ) -> None:
        """``recover_every`` s, when idle, unfinished payments are settled again (e.g. a Fee Paid that
        waited for the ILS to come back), without waiting for the next payment or a restart."""
        self.service = service
        self._post = post
        self.on_progress = on_progress
        self._jobs: queue.Queue[tuple[Job, Future[Any]] | None] = queue.Queue()
        self._busy = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="payments", daemon=True)
        self._thread.start()
        self._last_state: tuple[str, str] = ("unknown", "")
        self.call(self._start_up)
        if recover_every > 0:
            threading.Thread(
                target=self._recover_now_and_then,
                args=(recover_every,),
                name="payments-recovery",
                daemon=True,
            ).start()

    # --- the runtime's side -------------------------------------------------------------------------
    def submit(self, effect: fx.Effect) -> bool:
        """Take :class:`StartPayment`; everything else is not ours."""
        if not isinstance(effect, fx.StartPayment):
            return False
        self.call(lambda: self._pay(effect))
        return True

    @property
    def idle(self) -> bool:
        """Nothing waiting or running."""
        return self._jobs.empty() and not self._busy.is_set()

    def call(self, job: Job) -> Future[Any]:
        """Run ``job`` on the payment thread; the future holds its result."""
        future: Future[Any] = Future()
        self._busy.set()
        self._jobs.put((job, future))
        return future

    def stop(self) -> None:
        """Finish the job in hand, then close the terminal and the journal."""
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(timeout=30)
        self.service.close()

    # --- for maintenance and monitoring -------------------------------------------------------------
    def health(self, refresh: bool = False, timeout: float = 20.0) -> tuple[str, str]:
        """``(state, detail)`` of the terminal: the last known one, or asked now with ``refresh``."""
        if refresh:
            try:
                self._last_state = self.call(self._status).result(timeout)
            except Exception as exc:  # the worker is busy with a payment or the terminal is gone
                return "busy" if not self.idle else "error", type(exc).__name__
        return self._last_state

    def end_of_day(self, timeout: float = 120.0) -> tuple[bool, str]:
        """Close the terminal's day (the totals are on the terminal's own receipt)."""
        try:
            result = self.call(self.service.terminal.end_of_day).result(timeout)
        except Exception as exc:
            return False, type(exc).__name__
        return bool(result.ok), "" if result.ok else str(result.error or result.result_code)

    # --- the payment thread -------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, future = item
            try:
                future.set_result(job())
            except BaseException as exc:  # report on the future; the thread lives on
                future.set_exception(exc)
            finally:
                if self._jobs.empty():
                    self._busy.clear()

    def _recover_now_and_then(self, interval: float) -> None:
        while not self._stop.wait(interval):
            if self.idle and self.service.journal.unfinished():
                self.call(self.service.recover)

    def _start_up(self) -> None:
        try:
            touched = self.service.start()
        except Exception:
            log.exception("payment terminal start-up failed; payments stay blocked until it answers")
            self._last_state = ("error", "start-up failed")
            return
        if touched:
            log.info("payment recovery settled %d unfinished payment(s)", len(touched))
        self._last_state = self._status()

    def _status(self) -> tuple[str, str]:
        try:
            status = self.service.terminal.status()
        except Exception as exc:
            return "offline", type(exc).__name__
        return ("ok" if status.ready else "busy"), status.key

    def _pay(self, effect: fx.StartPayment) -> None:
        try:
            result = self.service.handle(effect, progress=self.on_progress)
        except Exception:  # never leave the patron waiting on a screen that cannot end
            log.exception("payment failed unexpectedly")
            result = ev.PaymentFailed(effect.session_id, reason="payment.terminal_unavailable")
        self._post(result)
