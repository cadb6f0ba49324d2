"""Receipt printers: ESC/POS over serial/TCP/USB, a text-file demo printer and a fake.

URLs (``[devices] printer``):

* ``escpos+serial:///dev/ttyUSB0?baud=19200&rtscts=no&status=dle|gs|none&timeout=1``
* ``escpos+tcp://192.0.2.7:9100?status=dle&timeout=3``
* ``escpos+usb://04b8:0e15?status=dle`` (needs pyusb)
* ``file://var/receipts`` — DEMO ONLY: writes each receipt (titles included) as a text file
* ``fake://`` — keeps rendered bytes in memory (tests)

The serial port may be a pyserial URL (``escpos+serial://socket://host:port``,
``escpos+serial://spy:///dev/ttyUSB0``, see :mod:`drivers.url`).
The scheme → backend table is :mod:`drivers.registry` (openers in :mod:`.openers`).

Rendering is separate and I/O-free: :func:`render_receipt` (ESC/POS bytes) and :func:`render_text`.
"""

from __future__ import annotations

from typing import Protocol

from drivers.printer.backends import FakePrinter, FilePrinter
from drivers.printer.escpos_render import CODE_PAGES, DEFAULT_CODE_PAGE, check_code_page, render_receipt
from drivers.printer.receipt import LABELS, WIDTHS, FeePayment, LoanLine, Receipt, ReturnLine, render_text
from drivers.printer.status import Paper, PrinterStatus

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
    from drivers.registry import open_device

    if width not in WIDTHS:
        raise DeviceConfigurationError(
            f"receipt width {width}; expected one of {', '.join(map(str, WIDTHS))}"
        )
    code_page = check_code_page(code_page)
    printer: ReceiptPrinter = open_device("printer", url, width=width, code_page=code_page)
    return printer
