"""Build a running kiosk from the configuration: ILS (or the embedded simulator), offline queue,
circulation, receipts, payments and pass readers, all wired to one :class:`~kiosk.runtime.KioskRuntime`.

This module wires the services (circulation, receipts, payments, the kept service mode); the devices
(printer, pass readers, scanner, speech) are opened by :mod:`kiosk.device_wiring`, the RFID pad by
:mod:`kiosk.rfid.hub`.

Every piece that is opened is registered to be closed again by :meth:`KioskRuntime.stop`, so a failed
start leaves nothing running.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.errors import DeviceConfigurationError, DriverError
from kiosk.config_schema import KioskConfig
from kiosk.core import Session, SessionSettings
from kiosk.core import events as ev
from kiosk.device_wiring import (
    ReaderRouter,
    Releases,
    missing_at_start,
    open_pass_readers,
    open_receipt_printer,
    open_scanner_for,
    open_speech_output,
)
from kiosk.ils_connection import client_settings, ils_address, start_embedded_ils
from kiosk.runtime import KioskRuntime
from kiosk.service_clock import ServiceClock
from kiosk.standby import TerminalStandby, describe

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """The assembled kiosk: the runtime plus handles on its parts (for maintenance and tests)."""

    config: KioskConfig
    runtime: KioskRuntime
    circulation: Any
    receipts: Any
    payments: Any = None
    ils_simulator: Any = None
    readers: list[Any] = field(default_factory=list)
    printer: Any = None
    reader_router: Any = None
    alert_listeners: list[Callable[[str, str], None]] = field(default_factory=list)
    scanner: Any = None
    keyboard: Any = None  # KeyboardEntry for a hid:// scanner: the UI feeds it the window's keys
    scanner_retry: Any = None  # a Reopener while the configured scanner is missing
    early_alerts: list[tuple[str, str]] = field(default_factory=list)  # (kind, reference) before listeners
    pad: Any = None  # the RFID pad (kiosk.rfid.hub.Pad) when [devices] rfid names one
    service_clock: ServiceClock | None = None  # wall-clock time and staffing overrides for the core
    speech: Any = None  # the SpeechService when [speech] url is set

    def alert(self, kind: str, reference: str, detail: str = "") -> None:
        """Something staff must act on (e.g. a payment that needs checking): log it and tell the
        listeners (monitoring's webhook). ``reference`` is an opaque id, never patron data."""
        log.warning("alert %s for %s: %s", kind, reference, detail)
        if not self.alert_listeners:  # raised while starting, before monitoring listens: kept for it
            self.early_alerts.append((kind, reference))
        for listener in self.alert_listeners:
            try:
                listener(kind, reference)
            except Exception:  # monitoring must never break the kiosk
                log.exception("alert listener failed")

    def stop(self) -> None:
        """Stop everything (the runtime releases the parts in reverse order)."""
        self.runtime.stop()

    def idle(self) -> bool:
        """True when no service has work in hand (used by ``runtime.settle``)."""
        busy = getattr(self.circulation, "busy", False)
        payments_idle = self.payments is None or self.payments.idle
        pad_idle = self.pad is None or self.pad.idle
        return not busy and payments_idle and pad_idle and (self.receipts is None or self.receipts.idle)


def build_kiosk(config: KioskConfig, *, readers: bool = True, start: bool = True) -> Kiosk:
    """Assemble (and by default start) the kiosk described by ``config``."""
    from kiosk.services.circulation import CirculationService, OfflinePolicy, default_pass_validator
    from kiosk.services.receipts import ReceiptService
    from kiosk.store.queue import TransactionQueue
    from kiosk.store.statelock import StateDirectoryError, StateLock
    from sip2.client import Sip2Client

    state_dir = Path(config.store.path).parent
    try:
        lock = StateLock.acquire(state_dir)  # one process owns the devices and the journals
    except OSError as exc:
        raise StateDirectoryError.about(state_dir / "kiosk.lock", exc) from None
    session = Session(SessionSettings.from_config(config))
    runtime = KioskRuntime(session, on_stop=[lock.release])
    # Everything opened is released by runtime.stop(), in reverse order. (This used to be a list handed
    # to the runtime's constructor, which copied it while it was still empty: nothing was ever released,
    # so the WAL kept deleted rows after a "clean" stop and the devices stayed open.)
    stops = Releases(runtime)
    try:
        address = ils_address(config.sip2)
        simulator = None
        if address.scheme == "sim":
            # Fresh demo data on every start, so the demo is the same each time it is shown.
            simulator = start_embedded_ils(config.sip2)
            stops.append(simulator.stop)
            address = type(address)("tcp", "127.0.0.1", simulator.port)
        # The circulation service sends its own keepalive (its health probe), so the client's is off.
        settings = client_settings(config.sip2, address, keepalive_interval=0)

        store = TransactionQueue.from_config(config.store)
        stops.append(getattr(store, "close", lambda: None))
        validator = default_pass_validator(
            config.passes.validation if config.offline.offline_pass_validation else "off",
            tuple(config.passes.legacy_lengths),
        )
        circulation = CirculationService(
            lambda: Sip2Client(settings),
            store,
            OfflinePolicy.from_config(config.offline),
            runtime.send,
            validate_pass=validator,
            offline_after=config.sip2.offline_after,
            probe_interval=config.sip2.keepalive_interval,  # [sip2] keepalive_interval: the idle 99
        )
        stops.append(circulation.stop)

        printer = open_receipt_printer(config, stops)
        receipts = ReceiptService(printer, config.site.library_name)
        stops.append(receipts.stop)

        kiosk = Kiosk(
            config,
            runtime,
            circulation,
            receipts,
            None,
            simulator,
            printer=printer,
            reader_router=ReaderRouter(runtime),
        )
        for device, why in missing_at_start(printer):
            kiosk.alert("device_unavailable", device, why)
        kiosk.payments = _payments(config, settings, kiosk, stops, scrub=store.scrub)
        if kiosk.payments is not None:  # the terminal's prompts reach the pay screen through the view
            kiosk.payments.on_progress = lambda key: runtime.send(ev.TerminalPrompt(key))
        runtime.handlers.extend(h for h in (circulation, kiosk.payments, receipts) if h is not None)
        if readers:
            kiosk.readers = open_pass_readers(kiosk, stops)
            open_scanner_for(kiosk, stops)
        _keep_service_mode(runtime, state_dir / SERVICE_MODE_FILE)
        if readers and config.devices.rfid:
            from kiosk.rfid.hub import open_pad

            kiosk.pad = open_pad(kiosk)
        kiosk.speech = open_speech_output(config, runtime, stops)
        kiosk.service_clock = ServiceClock(runtime, state_dir)
        kiosk.service_clock.restore()  # the override and the time, before any member can act
        if start:
            kiosk.service_clock.start()
            stops.append(kiosk.service_clock.stop)
            circulation.start()
            runtime.start()
        return kiosk
    except BaseException:
        runtime.stop()
        raise


def _payments(
    config: KioskConfig,
    settings: Any,
    kiosk: Kiosk,
    stops: Releases,
    scrub: Callable[[], object] = lambda: None,
) -> Any:
    """The payment worker (terminal + journal + its own SIP2 connection), when payments are enabled."""
    if not config.payment.enabled:
        return None
    from sip2.client import Sip2Client

    # Fee Paid goes over its own SIP2 connection (Wise gives payment terminals their own port), so a
    # payment never waits behind a loan and the circulation worker never waits behind the terminal.
    fee_client = Sip2Client(settings)
    stops.append(fee_client.close)
    # The terminal's receipt lines go on the member's receipt: with no paper the kiosk starts no payment
    # and answers the lines "printer not ready" (the terminal then keeps no money). A kiosk that never
    # prints receipts ([receipt] mode = "never") does not depend on its printer for payments.
    printer = kiosk.printer

    def printer_ready() -> bool:
        return printer is None or bool(printer.status().can_print)

    def open_worker() -> Any:
        return _payment_worker(config, fee_client, kiosk, printer_ready, scrub)

    try:
        worker = open_worker()
    except DriverError as exc:
        if isinstance(exc, DeviceConfigurationError):
            raise  # a wrong setting is not a missing device: exit 2 with the message
        # The terminal is unplugged or unreachable: the kiosk runs without payments and keeps trying.
        kiosk.alert("device_unavailable", "terminal", describe(exc))
        worker = TerminalStandby(open_worker, kiosk.runtime.send, describe(exc))
    stops.append(worker.stop)
    return worker


def _payment_worker(
    config: KioskConfig,
    fee_client: Any,
    kiosk: Kiosk,
    printer_ready: Callable[[], bool],
    scrub: Callable[[], object],
) -> Any:
    """Open the terminal and the journal and start their worker (raises DriverError when the terminal
    cannot be opened)."""
    from kiosk.payments.service import PaymentService
    from kiosk.payments.worker import PaymentWorker

    service = PaymentService.from_config(
        config,
        fee_client,
        on_alert=kiosk.alert,
        printer_ready=printer_ready if config.receipt.mode != "never" else None,
    )
    _scrub_after_final(service.journal, scrub)
    return PaymentWorker(service, kiosk.runtime.send)


SERVICE_MODE_FILE = "service-mode.json"


def _keep_service_mode(runtime: KioskRuntime, path: Path) -> None:
    """Out of order survives a restart (a power cut in unstaffed hours must not put a kiosk a technician
    switched off back in service): the availability to come back to is kept in the state directory and
    applied before the first event. Maintenance itself is not kept; what it would return to is."""
    import json

    from kiosk.core.service import Availability

    try:
        saved = Availability(json.loads(path.read_text(encoding="ascii"))["availability"])
    except FileNotFoundError:
        saved = Availability.IN_SERVICE
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("%s is unreadable; starting out of order until a technician decides", path)
        saved = Availability.OUT_OF_ORDER
    if saved is not Availability.IN_SERVICE:
        runtime.send(ev.ServiceModeChanged(saved))
    kept = [saved]

    def remember(view: Any) -> None:
        mode = view.service
        lasting = mode.resume if mode.availability is Availability.MAINTENANCE else mode.availability
        if lasting is kept[0]:
            return
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(json.dumps({"availability": lasting.value}), encoding="ascii")
            os.replace(tmp, path)
            kept[0] = lasting
        except OSError as exc:
            log.error("cannot keep the service mode in %s: %s", path, exc.strerror)

    runtime.subscribe(remember)


def _scrub_after_final(journal: Any, scrub: Callable[[], object]) -> None:
    """When a payment is final its encrypted pass number is wiped; scrub the WAL then, so the wiped
    value does not stay readable in it until the next stop."""
    from kiosk.payments.states import FINAL

    before = journal.on_write

    def written(payment_id: str, state: Any) -> None:
        if before is not None:
            before(payment_id, state)
        if state in FINAL:
            scrub()

    journal.on_write = written
