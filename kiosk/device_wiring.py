"""The kiosk's devices, opened from the configuration: receipt printer, pass readers, barcode scanner and
speech output, and the router that takes pass reader events to the session.

:func:`kiosk.assembly.build_kiosk` calls these.  A device that cannot be opened at start (unplugged,
unreachable) is alerted about and stood in for (:mod:`kiosk.standby`): the kiosk runs degraded and
takes the device when it appears.  A wrong setting (:class:`~drivers.errors.DeviceConfigurationError`)
is not a missing device: it stops the start with its message.  Everything opened is registered with
:class:`Releases`, so the runtime closes it again when it stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceConfigurationError, DriverError
from kiosk.config_schema import KioskConfig
from kiosk.core import events as ev
from kiosk.logsetup import short_hash
from kiosk.runtime import KioskRuntime
from kiosk.standby import PrinterStandby, Reopener, describe

if TYPE_CHECKING:
    from kiosk.assembly import Kiosk

log = logging.getLogger(__name__)


class Releases:
    """``append(release)`` registers ``release`` with the runtime's stop (the list the builders use)."""

    def __init__(self, runtime: KioskRuntime) -> None:
        self._runtime = runtime

    def append(self, release: Callable[[], None]) -> None:
        """Release ``release`` when the runtime stops (after everything registered before it)."""
        self._runtime.add_on_stop(release)


class ReaderRouter:
    """Routes pass reader events: to a technician's card test, to maintenance (technician cards,
    via ``pass_filters``), or as :class:`~kiosk.core.events.PassPresented` to the patron session."""

    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.capture: Callable[[Any], None] | None = None
        self.pass_filters: list[Callable[[str], bool]] = []

    def __call__(self, event: Any) -> None:
        """Called by the readers' threads."""
        from drivers.cardreader.events import ForeignCardRead, PassRead

        capture = self.capture
        if capture is not None and isinstance(event, PassRead | ForeignCardRead):
            capture(event)
        elif isinstance(event, PassRead):
            log.info("pass presented on %s: %s", event.source, short_hash(event.pass_number))
            if not any(consumed(event.pass_number) for consumed in self.pass_filters):
                self.runtime.send(ev.PassPresented(event.pass_number))
        elif isinstance(event, ForeignCardRead):
            log.info("card on %s is not a library pass: %s", event.source, event.reason)
            self.runtime.send(ev.CardNotAPass())


def open_scanner_for(kiosk: Kiosk, stops: Releases) -> None:
    """Open the barcode scanner; a ``hid://`` one also gets a :class:`KeyboardEntry` for the UI."""
    from drivers.scanner import HidWedgeScanner, open_scanner
    from kiosk.scanning import KeyboardEntry, ScanRouter

    passes = kiosk.config.passes
    router = ScanRouter(kiosk.runtime, passes.validation, kiosk.reader_router.pass_filters)

    def opener() -> Any:
        return open_scanner(
            kiosk.config.devices.barcode_scanner, router, passes.validation, passes.legacy_lengths
        )

    def use(scanner: Any) -> None:
        stops.append(scanner.close)
        kiosk.scanner = scanner
        if isinstance(scanner, HidWedgeScanner):
            kiosk.keyboard = KeyboardEntry(scanner, lambda n: router.typed(n, passes.legacy_lengths))

    try:
        use(opener())
    except DriverError as exc:
        if isinstance(exc, DeviceConfigurationError):
            raise
        kiosk.alert("device_unavailable", "barcode_scanner", describe(exc))
        kiosk.scanner_retry = Reopener("barcode scanner", opener, use, error=describe(exc)).start()
        stops.append(kiosk.scanner_retry.stop)


def open_receipt_printer(config: KioskConfig, stops: Releases) -> Any:
    """The receipt printer, or a stand-in that keeps trying when it cannot be opened now."""
    from drivers.printer import open_printer

    def opener() -> Any:
        return open_printer(config.devices.printer, config.receipt.width, config.receipt.code_page)

    try:
        printer = opener()
    except DriverError as exc:
        if isinstance(exc, DeviceConfigurationError):
            raise
        printer = PrinterStandby(opener, describe(exc))
    stops.append(printer.close)
    return printer


def missing_at_start(printer: Any) -> list[tuple[str, str]]:
    """Devices standing in for missing ones, to alert about once at start."""
    if isinstance(printer, PrinterStandby):
        return [("printer", printer.status().detail)]
    return []


def open_pass_readers(kiosk: Kiosk, stops: Releases) -> list[Any]:
    """Open every configured pass reader, delivering to the kiosk's router; one that cannot be opened
    now is alerted about and tried again in the background (it joins ``kiosk.readers`` when it opens)."""
    from drivers.cardreader import open_pass_reader

    config, opened = kiosk.config, []
    for url in config.devices.pass_readers:

        def opener(url: str = url) -> Any:
            return open_pass_reader(
                url,
                kiosk.reader_router,
                rule=config.passes.uid_rule,
                table_file=config.passes.uid_table_file or None,
                validation=config.passes.validation,
                legacy_lengths=config.passes.legacy_lengths,
            )

        def use(reader: Any) -> None:
            stops.append(reader.close)
            kiosk.readers.append(reader)

        try:
            reader = opener()
        except DriverError as exc:
            if isinstance(exc, DeviceConfigurationError):
                raise
            kiosk.alert("device_unavailable", "pass_reader", describe(exc))
            stops.append(Reopener("pass reader", opener, use, error=describe(exc)).start().stop)
            continue
        stops.append(reader.close)
        opened.append(reader)
    return opened


def open_speech_output(config: KioskConfig, runtime: KioskRuntime, stops: Releases) -> Any:
    """The speech service when ``[speech] url`` names an output (and the headset jack, if set)."""
    if not config.speech.url:
        return None
    from drivers.speech import open_jack, open_speech
    from kiosk.speech_service import SpeechService

    output = open_speech(config.speech.url)  # lazy: espeak-ng is looked for at the first word
    stops.append(output.close)
    speech = SpeechService(
        output,
        config.site.default_language,
        config.hours.schedule.timezone,
        config.site.library_name,
        pad=bool(config.devices.rfid),
    )
    speech.attach(runtime)
    if config.speech.jack:
        jack = open_jack(config.speech.jack, speech.headset)
        stops.append(jack.close)
    return speech
