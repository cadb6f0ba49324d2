"""Build a running kiosk from the configuration: ILS (or the embedded simulator), offline queue,
circulation, receipts, payments and pass readers, all wired to one :class:`~kiosk.runtime.KioskRuntime`.

Every piece that is opened is registered to be closed again by :meth:`KioskRuntime.stop`, so a failed
start leaves nothing running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.config_schema import KioskConfig
from kiosk.core import Session, SessionSettings
from kiosk.core import events as ev
from kiosk.ils import client_settings, ils_address, start_embedded_ils
from kiosk.logsetup import short_hash
from kiosk.runtime import KioskRuntime

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
    pad: Any = None  # the RFID pad (kiosk.rfid.hub.Pad) when [devices] rfid names one

    def alert(self, kind: str, reference: str, detail: str = "") -> None:
        """Something staff must act on (e.g. a payment that needs checking): log it and tell the
        listeners (monitoring's webhook). ``reference`` is an opaque id, never patron data."""
        log.warning("alert %s for %s: %s", kind, reference, detail)
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
    from drivers.printer import open_printer
    from kiosk.services.circulation import CirculationService, OfflinePolicy, default_pass_validator
    from kiosk.services.receipts import ReceiptService
    from kiosk.store.queue import TransactionQueue
    from sip2.client import Sip2Client

    stops: list[Any] = []
    session = Session(SessionSettings.from_config(config))
    runtime = KioskRuntime(session, on_stop=stops)
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
            lambda: Sip2Client(settings), store, OfflinePolicy.from_config(config.offline), runtime.send,
            validate_pass=validator, offline_after=config.sip2.offline_after,
        )
        stops.append(circulation.stop)

        printer = open_printer(config.devices.printer, config.receipt.width, config.receipt.code_page)
        stops.append(printer.close)
        receipts = ReceiptService(printer, config.site.library_name)
        stops.append(receipts.stop)

        kiosk = Kiosk(config, runtime, circulation, receipts, None, simulator, printer=printer,
                      reader_router=ReaderRouter(runtime))
        kiosk.payments = _payments(config, settings, kiosk, stops)
        runtime.handlers.extend(h for h in (circulation, kiosk.payments, receipts) if h is not None)
        if readers:
            kiosk.readers = _open_readers(config, kiosk.reader_router, stops)
            _open_scanner(kiosk, stops)
        if readers and config.devices.rfid:
            from kiosk.rfid.hub import open_pad

            kiosk.pad = open_pad(kiosk)
        if start:
            circulation.start()
            runtime.start()
        return kiosk
    except BaseException:
        runtime.stop()
        raise


def _payments(config: KioskConfig, settings: Any, kiosk: Kiosk, stops: list[Any]) -> Any:
    """The payment worker (terminal + journal + its own SIP2 connection), when payments are enabled."""
    if not config.payment.enabled:
        return None
    from kiosk.payments.service import PaymentService
    from kiosk.services.payments import PaymentWorker
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

    service = PaymentService.from_config(
        config, fee_client, on_alert=kiosk.alert,
        printer_ready=printer_ready if config.receipt.mode != "never" else None,
    )
    worker = PaymentWorker(service, kiosk.runtime.send)
    stops.append(worker.stop)
    return worker


class ReaderRouter:
    """Routes pass reader events: to a technician's card test, to maintenance (technician cards,
    via ``pass_filters``), or as :class:`~kiosk.core.events.PassPresented` to the patron session."""

    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.capture: Callable[[Any], None] | None = None
        self.pass_filters: list[Callable[[str], bool]] = []

    def __call__(self, event: Any) -> None:
        """Called by the readers' threads."""
        from drivers.cardreader.events import CardNotAPass
        from drivers.cardreader.events import PassPresented as ReaderPass

        capture = self.capture
        if capture is not None and isinstance(event, ReaderPass | CardNotAPass):
            capture(event)
        elif isinstance(event, ReaderPass):
            log.info("pass presented on %s: %s", event.source, short_hash(event.pass_number))
            if not any(consumed(event.pass_number) for consumed in self.pass_filters):
                self.runtime.send(ev.PassPresented(event.pass_number))
        elif isinstance(event, CardNotAPass):
            log.info("card on %s is not a library pass: %s", event.source, event.reason)
            self.runtime.send(ev.CardNotAPass())


def _open_scanner(kiosk: Kiosk, stops: list[Any]) -> None:
    """Open the barcode scanner; a ``hid://`` one also gets a :class:`KeyboardEntry` for the UI."""
    from drivers.scanner import HidWedgeScanner, open_scanner
    from kiosk.scanning import KeyboardEntry, ScanRouter

    passes = kiosk.config.passes
    router = ScanRouter(kiosk.runtime, passes.validation, kiosk.reader_router.pass_filters)
    scanner = open_scanner(kiosk.config.devices.barcode_scanner, router, passes.validation,
                           passes.legacy_lengths)
    stops.append(scanner.close)
    kiosk.scanner = scanner
    if isinstance(scanner, HidWedgeScanner):
        kiosk.keyboard = KeyboardEntry(scanner, lambda number: router.typed(number, passes.legacy_lengths))


def _open_readers(config: KioskConfig, router: ReaderRouter, stops: list[Any]) -> list[Any]:
    """Open every configured pass reader, delivering to ``router``."""
    from drivers.cardreader import open_pass_reader

    opened = []
    for url in config.devices.pass_readers:
        reader = open_pass_reader(
            url,
            router,
            rule=config.passes.uid_rule,
            table_file=config.passes.uid_table_file or None,
            validation=config.passes.validation,
            legacy_lengths=config.passes.legacy_lengths,
        )
        stops.append(reader.close)
        opened.append(reader)
    return opened
