"""Maintenance screens: the technician PIN, then status, device tests, queue actions and the log.

Every backend call runs on a worker thread (device and network I/O never on the Kivy thread); its
result comes back through ``Clock.schedule_once``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.core.view import SessionView
from kiosk.maintenance.access import AccessState
from kiosk.maintenance.backend import ActionResult
from kiosk.maintenance.pin import PinAttempt
from kiosk.monitoring.health import HealthSnapshot
from kiosk.ui.kit import KioskLabel
from kiosk.ui.screens.base import KioskScreen

if TYPE_CHECKING:
    from kiosk.ui.root import KioskRoot

log = logging.getLogger(__name__)


def run_in_background(work: Callable[[], Any], done: Callable[[Any], None]) -> threading.Thread:
    """Run ``work()`` on a daemon thread and hand its result (or exception) to ``done`` on the Kivy
    thread."""

    def target() -> None:
        try:
            result: Any = work()
        except Exception as exc:  # reported on screen as a failed action, and logged (redacted)
            log.exception("maintenance action failed")
            result = exc
        Clock.schedule_once(lambda _dt: done(result), 0)

    thread = threading.Thread(target=target, name="maintenance-action", daemon=True)
    thread.start()
    return thread


_pin_worker: ThreadPoolExecutor | None = None
_pin_worker_guard = threading.Lock()


def check_pin_in_background(work: Callable[[], PinAttempt], done: Callable[[Any], None]) -> Future[None]:
    """Run a PIN check (``work``, scrypt: 50–100 ms) off the Kivy thread and hand its
    :class:`PinAttempt` (or exception) to ``done`` on the Kivy thread.

    All checks share one worker thread, so they finish in the order they were typed; the gate counts
    them one at a time anyway (see :class:`~kiosk.maintenance.pin.PinGate`)."""
    global _pin_worker
    with _pin_worker_guard:
        if _pin_worker is None:
            _pin_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maintenance-pin")
        worker = _pin_worker

    def target() -> None:
        try:
            result: Any = work()
        except Exception as exc:  # shown as a failed check; the PIN itself is never in the log
            log.exception("maintenance PIN check failed")
            result = exc
        Clock.schedule_once(lambda _dt: done(result), 0)

    return worker.submit(target)


DEVICE_KEYS = ("pass_reader", "barcode_scanner", "printer", "terminal", "rfid", "speech", "service_mode")


def device_name(t: Any, name: str) -> str:
    """A device's readable name: ``pass_reader_0`` → "Paslezer 1"."""
    base, _, number = name.rpartition("_")
    if number.isdigit() and base in DEVICE_KEYS:
        return str(t(f"maint.dev.{base}", number=int(number) + 1))
    if name in DEVICE_KEYS:
        return str(t(f"maint.dev.{name}", number="")).strip()
    return name


def state_name(t: Any, state: str) -> str:
    """A device or paper state in words (``terminal_ready`` → "klaar"); unknown states as they are."""
    key = f"maint.state.{state}"
    return str(t(key)) if t.has(key) else state.replace("_", " ")


def failed_row_text(t: Any, row: dict[str, Any]) -> str:
    """One failed queue row as ``kiosk queue list`` shows it: kind, item, time, the ILS's reason."""
    kind_key = f"maint.kind.{row.get('kind', '')}"
    kind = str(t(kind_key)) if t.has(kind_key) else str(row.get("kind", ""))
    when = str(row.get("updated_at") or row.get("created_at") or "")[:16].replace("T", " ")
    return str(
        t(
            "maint.failed_row",
            kind=kind,
            item=row.get("item_id", ""),
            time=when,
            reason=row.get("result_code") or "-",
        )
    )


def _ignore(_result: Any) -> None:
    """Nothing to show (restart/exit end the program)."""


class MaintPinScreen(KioskScreen):
    """The technician PIN prompt (after a technician card or the corner gesture).

    OK hands the PIN to a worker thread (:func:`check_pin_in_background`); the pad stays usable while
    it is checked, and each result is applied on the Kivy thread when it comes back. A result that
    comes back after the prompt was closed (or closed and opened again) opens nothing.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checks_pending = 0  # PINs handed to the worker whose result has not come back yet
        self._round = 0  # bumped by reset(): results from an earlier prompt are stale

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Title, pad, and the lockout/wrong-PIN text."""
        ids = self.ids
        ids.title.text = ui.t("maint.pin_title")
        ids.pad.clear_text, ids.pad.ok_text = ui.t("common.clear"), ui.t("common.ok")
        ids.pad.on_pin = lambda pin: self._check(pin, ui)
        ids.back.text = ui.t("common.cancel")
        ids.back.action = ui.close_maintenance
        ids.pad._show()
        self._show_lock(ui)

    def _show_lock(self, ui: KioskRoot) -> bool:
        """While the gate is locked the pad is disabled (no guess is even checked); True if locked."""
        gate = ui.access.gate if ui.access is not None else None
        until = gate.locked_until(ui.clock()) if gate is not None else None
        for key in self.ids.pad.children:
            key.disabled = until is not None
        if until is not None:
            minutes = max(1, round((until - ui.clock()) / 60))
            self.ids.status.text = ui.t("maint.locked", minutes=minutes)
        return until is not None

    def _check(self, pin: str, ui: KioskRoot) -> None:
        access = ui.access
        if access is None or access.state is not AccessState.PIN:
            return
        now, round_ = ui.clock(), self._round
        self.checks_pending += 1
        self.ids.status.text = ui.t("maint.running")
        check_pin_in_background(
            lambda: access.gate.attempt(pin, now), lambda attempt: self._checked(attempt, round_, ui)
        )

    def _checked(self, attempt: Any, round_: int, ui: KioskRoot) -> None:
        """A check came back (on the Kivy thread)."""
        self.checks_pending -= 1
        access = ui.access
        if access is None or round_ != self._round or ui.maintenance != "maint_pin":
            return  # the prompt it was typed into is gone; the gate has counted it all the same
        if not isinstance(attempt, PinAttempt):
            self.ids.status.text = ui.t("maint.result.failed", error=type(attempt).__name__)
            ui.play_sound("error")
            return
        result = access.settle(attempt)
        if result.state is AccessState.OPEN:
            ui.show_maintenance_panel()
            return
        if attempt.locked:
            self._show_lock(ui)
            ui.play_sound("error")
        else:
            self.ids.status.text = ui.t("maint.pin_wrong", tries=attempt.tries_left)
            ui.play_sound("error")

    def reset(self) -> None:
        """Drop typed digits and the status line; a check still running belongs to the old prompt."""
        self._round += 1
        self.ids.pad.reset()
        self.ids.status.text = ""


class MaintenanceScreen(KioskScreen):
    """Status, device tests, queue, log, out of order, restart/exit."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last_result: ActionResult | None = None
        self.health: HealthSnapshot | None = None
        self.failed_rows: list[dict[str, Any]] | None = None  # shown before "clear failed" is confirmed
        self._asked_health = float("-inf")

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Buttons and their actions; then ask the backend for fresh health."""
        t = ui.t
        ids = self.ids
        ids.title.text = t("maint.title")
        backend = ui.backend
        actions: list[tuple[Any, str, Callable[[], Any] | None]] = [
            (ids.test_card, "maint.test_card", (lambda: backend.test_read_card(10.0)) if backend else None),
            (ids.test_print, "maint.test_print", backend.print_test_receipt if backend else None),
            (ids.terminal_status, "maint.terminal_status", backend.terminal_status if backend else None),
            (ids.end_of_day, "maint.end_of_day", backend.terminal_end_of_day if backend else None),
            (ids.replay, "maint.replay", backend.replay_queue if backend else None),
            (ids.pad_status, "maint.pad_status", getattr(backend, "pad_status", None) if backend else None),
            (ids.tag_test, "maint.tag_test", getattr(backend, "pad_tag_test", None) if backend else None),
        ]
        if self.failed_rows is None:  # first tap: show what would be cleared, and ask
            ids.purge.text = t("maint.purge")
            ids.purge.role = "button"
            ids.purge.disabled = backend is None
            ids.purge.action = (lambda: self._ask_purge(ui)) if backend is not None else None
        else:
            ids.purge.text = t("maint.purge_confirm", count=len(self.failed_rows))
            ids.purge.role = "danger"
            ids.purge.disabled = False
            ids.purge.action = lambda: self._purge(ui)
        for button, key, work in actions:
            button.text = t(key)
            button.disabled = work is None
            button.action = (lambda w=work: self._run(ui, w)) if work is not None else None
        ids.out_of_order.text = t("maint.out_of_order_off" if ui.out_of_order else "maint.out_of_order_on")
        ids.out_of_order.action = lambda: ui.set_out_of_order(not ui.out_of_order, from_maintenance=True)
        ids.restart.text, ids.restart.disabled = t("maint.restart"), backend is None
        ids.restart.action = (lambda: run_in_background(backend.restart, _ignore)) if backend else None
        ids.exit.text, ids.exit.disabled = t("maint.exit"), backend is None
        # Exit stops the Kivy app, which must happen on the Kivy thread (it is not device I/O).
        ids.exit.action = backend.exit if backend else None
        ids.close.text = t("maint.close")
        ids.close.action = ui.close_maintenance
        ids.log_title.text = t("maint.log")
        self._show(ui)
        if backend is not None:
            run_in_background(backend.health, lambda h: self._got_health(ui, h))

    def _ask_purge(self, ui: KioskRoot) -> None:
        """List the failed rows (kind, item, time, reason) and turn the button into "yes, clear"."""
        backend = ui.backend
        rows = getattr(backend, "failed_rows", None)

        def got(result: Any) -> None:
            self.failed_rows = list(result) if isinstance(result, list) else []
            ui.rerender()

        run_in_background(rows if rows is not None else (lambda: []), got)

    def _purge(self, ui: KioskRoot) -> None:
        self.failed_rows = None
        if ui.backend is not None:
            self._run(ui, ui.backend.purge_failed)

    def refresh(self, ui: KioskRoot, now: float, every: float = 2.0) -> None:
        """Ask for fresh health now and then while the panel is open: counts follow the queue (a replay
        runs in the background and ends after its "started" answer)."""
        if ui.backend is not None and now - self._asked_health >= every:
            self._asked_health = now
            run_in_background(ui.backend.health, lambda h: self._got_health(ui, h))

    def reset(self) -> None:
        """Forget a pending "clear failed" question."""
        self.failed_rows = None

    def _run(self, ui: KioskRoot, work: Callable[[], Any]) -> None:
        self.ids.result.text = ui.t("maint.running")
        run_in_background(work, lambda r: self._got_result(ui, r))

    def _got_result(self, ui: KioskRoot, result: Any) -> None:
        if isinstance(result, ActionResult):
            self.last_result = result
            self.ids.result.text = ui.t(result.key, **result.fields())
        else:
            self.last_result = ActionResult(False, "maint.result.failed", (("error", type(result).__name__),))
            self.ids.result.text = ui.t("maint.result.failed", error=type(result).__name__)
        if ui.backend is not None:
            run_in_background(ui.backend.health, lambda h: self._got_health(ui, h))

    def _got_health(self, ui: KioskRoot, health: Any) -> None:
        if isinstance(health, HealthSnapshot):
            self.health = health
        self._show(ui)

    def _show(self, ui: KioskRoot) -> None:
        t = ui.t
        box = self.ids.status_lines
        box.clear_widgets()
        h = self.health
        if h is None:
            key = "maint.no_backend" if ui.backend is None else "maint.running"
            box.add_widget(KioskLabel(text=t(key), role="panel"))
        else:
            latency = round((h.ils_latency_s or 0) * 1000)
            ils = t("maint.ils_online", latency=latency) if h.ils_online else t("maint.ils_offline")
            lines = [
                t("maint.ils", state=ils),
                t("maint.queue", depth=h.queue_depth, failed=h.queue_failed),
                t("maint.paper", state=state_name(t, h.printer_paper)),
            ]
            lines += [
                t(
                    "maint.device",
                    name=device_name(t, d.name),
                    state=state_name(t, d.state),
                    detail=f"({state_name(t, d.detail)})" if d.detail else "",
                )
                for d in h.devices
            ]
            override = h.service_hours.get("override_until") or ""  # issue 17: mode and override
            lines.append(
                t(
                    "maint.device",
                    name=device_name(t, "service_mode"),
                    state=state_name(t, h.service_mode),
                    # the end in the library's wall time ("tot 03:00"), never the UTC instant
                    detail=f"({t('maint.until', time=ui.settings.local_time(override))})" if override else "",
                )
            )
            for line in lines:
                # Wrapped inside the panel's width: a long device detail never runs over its neighbours.
                box.add_widget(KioskLabel(text=line, role="panel", size_name="small", shorten=False))
            if self.failed_rows is not None:
                box.add_widget(
                    KioskLabel(
                        text=t("maint.failed_list", count=len(self.failed_rows)),
                        role="panel",
                        size_name="small",
                        bold=True,
                    )
                )
                for row in self.failed_rows[:8]:
                    box.add_widget(KioskLabel(text=failed_row_text(t, row), role="panel", size_name="small"))
        log_lines = ui.log_buffer.lines(last=12) if ui.log_buffer is not None else []
        self.ids.log.text = "\n".join(log_lines)
        self.ids.log.texture_update()
        self.ids.log_scroll.scroll_y = 0  # follow the newest line
