"""Receipt printers: ESC/POS over serial/TCP/USB, a text-file demo printer and a fake.

URLs (``[devices] printer``):

* ``escpos+serial:///dev/ttyUSB0?baud=19200&rtscts=no&status=dle|gs|none&timeout=1``
* ``escpos+tcp://192.0.2.7:9100?status=dle&timeout=3``
* ``escpos+usb://04b8:0e15?status=dle`` (needs pyusb)
* ``file://var/receipts`` — DEMO ONLY: writes each receipt (titles included) as a text file
* ``fake://`` — keeps rendered bytes in memory (tests)

Rendering is separate and I/O-free: :func:`render_receipt` (ESC/POS bytes) and :func:`render_text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from drivers.printer.backends import (
    STATUS_MODES,
    EscposPrinter,
    FakePrinter,
    FilePrinter,
    SerialTransport,
    TcpTransport,
    Transport,
    UsbTransport,
)
from drivers.printer.escpos_render import CODE_PAGES, DEFAULT_CODE_PAGE, check_code_page, render_receipt
from drivers.printer.receipt import LABELS, WIDTHS, FeePayment, LoanLine, Receipt, ReturnLine, render_text
from drivers.printer.status import Paper, PrinterStatus
from drivers.url import parse_device_url

__all__ = [
    "CODE_PAGES",
    "LABELS",
    "WIDTHS",
    "FakePrinter",
    "FeePayment",
    "FilePrinter",
    "LoanLine",
    "Paper",
    "PrinterStatus",
    "Receipt",
    "ReceiptPrinter",
    "ReturnLine",
    "open_printer",
    "render_receipt",
    "render_text",
]


class ReceiptPrinter(Protocol):
    """What every printer backend offers."""

    width: int

    def print_receipt(self, receipt: Receipt) -> object:
        """Print one receipt (raises DeviceConnectionError if it cannot)."""

    def status(self) -> PrinterStatus:
        """The paper/online status (never raises)."""

    def close(self) -> None:
        """Release the device."""


def open_printer(url: str, width: int = 42, code_page: str = DEFAULT_CODE_PAGE) -> ReceiptPrinter:
    """Open the printer named by ``url``; ``width``/``code_page`` come from ``[receipt]``.

    Raises DeviceConfigurationError for a bad URL, width or code page. ESC/POS backends connect lazily,
    so an unplugged printer shows up in :meth:`ReceiptPrinter.status`, not here.
    """
    from drivers.errors import DeviceConfigurationError

    if width not in WIDTHS:
        raise DeviceConfigurationError(
            f"receipt width {width}; expected one of {', '.join(map(str, WIDTHS))}"
        )
    code_page = check_code_page(code_page)
    device = parse_device_url(url, ("escpos+serial", "escpos+tcp", "escpos+usb", "file", "fake"))
    if device.scheme == "fake":
        device.check_options(())
        return FakePrinter(width, code_page)
    if device.scheme == "file":
        device.check_options(("keep",))
        if not device.path:
            raise DeviceConfigurationError(f"{url}: no directory; expected e.g. file://var/receipts")
        return FilePrinter(Path(device.path), width, keep=device.option_int("keep", FilePrinter.KEEP, 1))
    transport: Transport
    if device.transport == "serial":
        device.check_options(("baud", "rtscts", "status", "timeout"))
        if not device.path:
            raise DeviceConfigurationError(f"{url}: no device path; expected escpos+serial:///dev/ttyUSB0")
        transport = SerialTransport(
            device.path,
            baud=device.option_int("baud", 19200, minimum=50),
            timeout=device.option_float("timeout", 1.0, minimum=0.01),
            rtscts=device.option_bool("rtscts", False),
        )
    elif device.transport == "tcp":
        device.check_options(("status", "timeout"))
        host, port = device.host_port(9100)
        transport = TcpTransport(host, port, timeout=device.option_float("timeout", 3.0, minimum=0.01))
    else:
        device.check_options(("status", "timeout"))
        vendor, product = device.hex_pair()
        transport = UsbTransport(vendor, product, timeout=device.option_float("timeout", 1.0, minimum=0.01))
    return EscposPrinter(transport, width, code_page, device.option_choice("status", STATUS_MODES, "dle"))
