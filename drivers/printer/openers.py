"""Printer openers, registered in :mod:`drivers.registry` under kind ``printer``.

Each is called as ``opener(device, width=, code_page=)`` with a parsed URL;
:func:`drivers.printer.open_printer` has already checked ``width`` and ``code_page``.
ESC/POS backends connect lazily, on the first job.
"""

from __future__ import annotations

from pathlib import Path

from drivers.errors import DeviceConfigurationError
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
from drivers.printer.escpos_render import DEFAULT_CODE_PAGE
from drivers.url import DeviceURL


def open_fake(device: DeviceURL, width: int = 42, code_page: str = DEFAULT_CODE_PAGE) -> FakePrinter:
    """``fake://``: keeps rendered bytes in memory."""
    device.check_options(())
    return FakePrinter(width, code_page)


def open_file(device: DeviceURL, width: int = 42, code_page: str = DEFAULT_CODE_PAGE) -> FilePrinter:
    """``file://DIR?keep=N``: DEMO ONLY, each receipt as a text file."""
    device.check_options(("keep",))
    if not device.path:
        raise DeviceConfigurationError(f"{device.url}: no directory; expected e.g. file://var/receipts")
    return FilePrinter(Path(device.path), width, keep=device.option_int("keep", FilePrinter.KEEP, 1))


def open_escpos(device: DeviceURL, width: int = 42, code_page: str = DEFAULT_CODE_PAGE) -> EscposPrinter:
    """``escpos+serial://PORT``, ``escpos+tcp://HOST[:PORT]``, ``escpos+usb://VID:PID``."""
    transport: Transport
    if device.transport == "serial":
        device.check_options(("baud", "rtscts", "status", "timeout"))
        transport = SerialTransport(
            device.serial_port("escpos+serial:///dev/ttyUSB0"),
            baud=device.option_int("baud", 19200, minimum=50),
            timeout=device.option_float("timeout", 1.0, minimum=0.01),
            rtscts=device.option_bool("rtscts", False),
        )
    elif device.transport == "tcp":
        device.check_options(("status", "timeout"))
        host, port = device.host_port(9100)
        transport = TcpTransport(host, port, timeout=device.option_float("timeout", 3.0, minimum=0.01))
    elif device.transport == "usb":
        device.check_options(("status", "timeout"))
        vendor, product = device.hex_pair()
        transport = UsbTransport(vendor, product, timeout=device.option_float("timeout", 1.0, minimum=0.01))
    else:
        raise DeviceConfigurationError(f"{device.url}: expected escpos+serial, escpos+tcp or escpos+usb")
    return EscposPrinter(transport, width, code_page, device.option_choice("status", STATUS_MODES, "dle"))
