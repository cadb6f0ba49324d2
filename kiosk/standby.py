"""A missing device never takes the kiosk down: stand-ins for devices that could not be opened at start.

A PIN terminal that is unplugged, a scanner port that is not there, a receipt directory that cannot be
made: the kiosk starts anyway, loans and returns work, the device shows as ``offline`` in health and
metrics, one alert goes out (``device_unavailable``), and the device is tried again in the background
with a capped backoff (5 s, doubling, at most 60 s) until it opens; then it is used as if it had been
there from the start.

* :class:`TerminalStandby` stands in for the payment worker: a payment asked for meanwhile is answered
  ``payment.terminal_unavailable`` at once (the member is never left waiting on the paying screen).
* :class:`PrinterStandby` stands in for the receipt printer and retries on use.
* :class:`Reopener` is the retry loop for anything else (the barcode scanner).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.core import effects as fx
from kiosk.core import events as ev

log = logging.getLogger(__name__)

FIRST_RETRY, MAX_RETRY = 5.0, 60.0
Alert = Callable[[str, str, str], None]


def describe(exc: BaseException) -> str:
    """A short, data-free reason for logs and health: the error's class and message (device paths)."""
    return f"{type(exc).__name__}: {exc}"


class Reopener:
    """Calls ``opener()`` every 5 s … 60 s (doubling) on its own thread until it succeeds, then hands the
    device to ``on_open``. ``stop()`` ends the loop (and is registered with the runtime's stop)."""

    def __init__(
        self,
        name: str,
        opener: Callable[[], Any],
        on_open: Callable[[Any], None],
        first: float = FIRST_RETRY,
        cap: float = MAX_RETRY,
        error: str = "",
    ) -> None:
        self.name = name
        self._opener, self._on_open = opener, on_open
        self._first, self._cap = first, cap
        self._stop = threading.Event()
        self.last_error = error
        self._thread = threading.Thread(target=self._run, name=f"reopen-{name}", daemon=True)

    def start(self) -> Reopener:
        """Start trying; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop trying (a device opened meanwhile is the caller's to close)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        delay = self._first
        while not self._stop.wait(delay):
            try:
                device = self._opener()
            except Exception as exc:  # still missing: try again later
                self.last_error = describe(exc)
                log.debug("%s still unavailable: %s", self.name, self.last_error)
                delay = min(delay * 2, self._cap)
                continue
            if self._stop.is_set():
                _close(device)
                return
            log.warning("%s is available again", self.name)
            self._on_open(device)
            return


def _close(device: Any) -> None:
    for name in ("stop", "close"):
        release = getattr(device, name, None)
        if release is not None:
            try:
                release()
            except Exception:
                log.exception("closing a device that came back after stop")
            return


class TerminalStandby:
    """The payment worker while the terminal is missing; becomes the real one once it opens.

    Implements what the runtime and maintenance use of :class:`kiosk.payments.worker.PaymentWorker`:
    ``submit``, ``idle``, ``health``, ``end_of_day``, ``on_progress``, ``stop``.
    """

    def __init__(
        self,
        open_worker: Callable[[], Any],
        post: Callable[[ev.Event], None],
        error: str,
        first: float = FIRST_RETRY,
        cap: float = MAX_RETRY,
    ) -> None:
        self._post = post
        self._worker: Any = None
        self._lock = threading.Lock()
        self._error = error
        self._on_progress: Callable[[str], None] | None = None
        self._retry = Reopener("payment terminal", open_worker, self._opened, first, cap).start()

    def _opened(self, worker: Any) -> None:
        with self._lock:
            worker.on_progress = self._on_progress
            self._worker = worker

    @property
    def worker(self) -> Any:
        """The real payment worker once the terminal opened, else None."""
        return self._worker

    @property
    def on_progress(self) -> Callable[[str], None] | None:
        """The terminal's prompts for the screen (handed on to the real worker)."""
        return self._on_progress

    @on_progress.setter
    def on_progress(self, callback: Callable[[str], None] | None) -> None:
        with self._lock:
            self._on_progress = callback
            if self._worker is not None:
                self._worker.on_progress = callback

    def submit(self, effect: fx.Effect) -> bool:
        """Take :class:`StartPayment`: the real worker's, or "terminal unavailable" at once."""
        worker = self._worker
        if worker is not None:
            return bool(worker.submit(effect))
        if not isinstance(effect, fx.StartPayment):
            return False
        log.warning("payment asked for while the terminal is unavailable (%s)", self._error)
        self._post(ev.PaymentFailed(effect.session_id, reason="payment.terminal_unavailable"))
        return True

    @property
    def idle(self) -> bool:
        """Nothing in hand (a stand-in never has anything)."""
        worker = self._worker
        return True if worker is None else bool(worker.idle)

    def health(self, refresh: bool = False, timeout: float = 20.0) -> tuple[str, str]:
        """``("offline", why)`` until the terminal opened."""
        worker = self._worker
        if worker is not None:
            state, detail = worker.health(refresh=refresh, timeout=timeout)
            return str(state), str(detail)
        return "offline", self._retry.last_error or self._error

    def end_of_day(self, timeout: float = 120.0) -> tuple[bool, str]:
        """The real worker's end of day, or "unavailable"."""
        worker = self._worker
        if worker is None:
            return False, "terminal unavailable"
        ok, detail = worker.end_of_day(timeout)
        return bool(ok), str(detail)

    def stop(self) -> None:
        """Stop retrying, and the real worker if it came."""
        self._retry.stop()
        if self._worker is not None:
            self._worker.stop()


class PrinterStandby:
    """The receipt printer while it cannot be opened; tries again (at most every ``every`` s) when asked."""

    def __init__(
        self,
        open_printer: Callable[[], Any],
        error: str,
        every: float = FIRST_RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open, self._error = open_printer, error
        self._every, self._clock = every, clock
        self._last_try = clock()
        self._printer: Any = None
        self._lock = threading.Lock()

    def _current(self) -> Any:
        with self._lock:
            if self._printer is None and self._clock() - self._last_try >= self._every:
                self._last_try = self._clock()
                try:
                    self._printer = self._open()
                    log.warning("receipt printer is available again")
                except Exception as exc:
                    self._error = describe(exc)
            return self._printer

    def status(self) -> Any:
        """The real printer's status, or offline with the reason."""
        from drivers.printer.status import Paper, PrinterStatus

        printer = self._current()
        if printer is None:
            return PrinterStatus(Paper.UNKNOWN, online=False, detail=self._error)
        return printer.status()

    def print_receipt(self, receipt: Any) -> object:
        """Print on the real printer, or raise the driver's connection error."""
        from drivers.errors import DeviceConnectionError

        printer = self._current()
        if printer is None:
            raise DeviceConnectionError(f"receipt printer unavailable: {self._error}")
        return printer.print_receipt(receipt)

    def close(self) -> None:
        """Close the real printer if it came."""
        if self._printer is not None:
            self._printer.close()
