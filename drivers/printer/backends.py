"""Receipt printer backends: ESC/POS over serial, TCP (port 9100) or USB; a text-file demo printer; a fake.

ESC/POS printers get rendered bytes (:mod:`drivers.printer.escpos_render`) through a small transport
that can also ask one real-time status question and read the one-byte answer. TCP connects per job:
raw port 9100 usually serves one client at a time, and a fresh connection survives a printer restart.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.printer.escpos_render import render_receipt
from drivers.printer.receipt import Receipt, render_text
from drivers.printer.status import (
    DLE_EOT_PAPER,
    DLE_EOT_PRINTER,
    GS_R_PAPER,
    Paper,
    PrinterStatus,
    parse_dle_eot_paper,
    parse_dle_eot_printer,
    parse_gs_r_paper,
)

log = logging.getLogger(__name__)
STATUS_MODES = ("dle", "gs", "none")


class Transport(Protocol):
    """A byte pipe to an ESC/POS printer."""

    def write(self, data: bytes) -> None:
        """Send print data (raises DeviceConnectionError)."""

    def query(self, command: bytes) -> bytes:
        """Send a status command, return its answer byte(s) — ``b""`` if none came in time."""

    def close(self) -> None:
        """Release the device."""


class SerialTransport:
    """A serial ESC/POS printer via pyserial; opened on first use and reopened after a failure."""

    def __init__(self, path: str, baud: int = 19200, timeout: float = 1.0, rtscts: bool = False) -> None:
        try:
            import serial
        except ImportError as exc:
            raise DeviceConfigurationError(
                "serial printers need pyserial: pip install pyserial==3.5"
            ) from exc
        self._serial: Any = serial
        self.path, self.baud, self.timeout, self.rtscts = path, baud, timeout, rtscts
        self._port: Any = None

    def _open(self) -> Any:
        if self._port is None:
            try:
                self._port = self._serial.serial_for_url(
                    self.path, baudrate=self.baud, timeout=self.timeout, write_timeout=30, rtscts=self.rtscts
                )
            except (OSError, self._serial.SerialException) as exc:
                raise DeviceConnectionError(f"cannot open printer port {self.path}: {exc}") from exc
        return self._port

    def _fail(self, exc: Exception) -> DeviceConnectionError:
        self.close()
        return DeviceConnectionError(f"printer port {self.path} failed: {exc}")

    def write(self, data: bytes) -> None:
        port = self._open()
        try:
            port.write(data)
            port.flush()
        except (OSError, self._serial.SerialException) as exc:
            raise self._fail(exc) from exc

    def query(self, command: bytes) -> bytes:
        port = self._open()
        try:
            port.reset_input_buffer()  # drop stale bytes (e.g. automatic status back) before asking
            port.write(command)
            port.flush()
            return bytes(port.read(1))
        except (OSError, self._serial.SerialException) as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                pass


class TcpTransport:
    """A network ESC/POS printer (raw TCP, usually port 9100): one connection per job or question."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 3.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise DeviceConnectionError(f"cannot reach printer {self.host}:{self.port}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def write(self, data: bytes) -> None:
        with self._connect() as sock:
            try:
                sock.sendall(data)
            except OSError as exc:
                raise DeviceConnectionError(f"printer {self.host}:{self.port} failed: {exc}") from exc

    def query(self, command: bytes) -> bytes:
        with self._connect() as sock:
            try:
                sock.sendall(command)
                return sock.recv(1)
            except TimeoutError:
                return b""
            except OSError as exc:
                raise DeviceConnectionError(f"printer {self.host}:{self.port} failed: {exc}") from exc

    def close(self) -> None:
        """Nothing stays open between jobs."""


class UsbTransport:
    """A USB ESC/POS printer through python-escpos's ``Usb`` class (needs pyusb and udev access)."""

    def __init__(self, vendor: int, product: int, timeout: float = 1.0) -> None:
        try:
            import usb  # noqa: F401  (pyusb; python-escpos imports it only when opening)
            from escpos.printer import Usb
        except ImportError as exc:
            raise DeviceConfigurationError("USB printers need pyusb: pip install pyusb") from exc
        self._usb_class: Any = Usb
        self.vendor, self.product, self.timeout = vendor, product, int(timeout * 1000)
        self._device: Any = None

    def _open(self) -> Any:
        if self._device is None:
            try:
                self._device = self._usb_class(self.vendor, self.product, timeout=self.timeout)
                self._device.open()
            except Exception as exc:
                self._device = None
                raise DeviceConnectionError(
                    f"cannot open USB printer {self.vendor:04x}:{self.product:04x}: {exc}"
                ) from exc
        return self._device

    def write(self, data: bytes) -> None:
        device = self._open()
        try:
            device._raw(data)
        except Exception as exc:
            self.close()
            raise DeviceConnectionError(f"USB printer failed: {exc}") from exc

    def query(self, command: bytes) -> bytes:
        device = self._open()
        try:
            device._raw(command)
            return bytes(device._read())[:1]
        except Exception as exc:
            self.close()
            raise DeviceConnectionError(f"USB printer failed: {exc}") from exc

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except Exception:
                pass


class EscposPrinter:
    """A receipt printer speaking ESC/POS over a :class:`Transport`."""

    def __init__(self, transport: Transport, width: int, code_page: str, status_mode: str = "dle") -> None:
        self.transport, self.width, self.code_page, self.status_mode = (
            transport,
            width,
            code_page,
            status_mode,
        )
        self._lock = threading.Lock()

    def print_receipt(self, receipt: Receipt) -> None:
        """Render and send one receipt. Raises DeviceConnectionError if the printer cannot be reached."""
        data = render_receipt(receipt, self.width, self.code_page)
        with self._lock:
            self.transport.write(data)
        log.info("receipt printed (%d bytes)", len(data))

    def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1 + 4, or GS r 1). Never raises: problems become the status."""
        if self.status_mode == "none":
            return PrinterStatus(Paper.UNKNOWN, None, "status queries are off for this printer")
        with self._lock:
            try:
                if self.status_mode == "gs":
                    return self._answer(self.transport.query(GS_R_PAPER), parse_gs_r_paper, None)
                online_byte = self.transport.query(DLE_EOT_PRINTER)
                if not online_byte:
                    return PrinterStatus(Paper.UNKNOWN, None, "no answer to DLE EOT")
                online = parse_dle_eot_printer(online_byte[0])
                return self._answer(self.transport.query(DLE_EOT_PAPER), parse_dle_eot_paper, online)
            except DeviceConnectionError as exc:
                return PrinterStatus(Paper.UNKNOWN, False, str(exc))
            except ValueError as exc:
                return PrinterStatus(Paper.UNKNOWN, None, str(exc))

    @staticmethod
    def _answer(answer: bytes, parse: Any, online: bool | None) -> PrinterStatus:
        if not answer:
            return PrinterStatus(Paper.UNKNOWN, online, "no answer to the paper status query")
        paper: Paper = parse(answer[0])
        return PrinterStatus(paper, online)

    def close(self) -> None:
        """Release the transport."""
        self.transport.close()


class FilePrinter:
    """The demo printer: each receipt becomes a text file in a directory. DEMO ONLY.

    The file holds the receipt as printed — titles included — so it must never be used on a public
    kiosk: the privacy rules forbid titles on disk. Even in a demo only the newest ``keep`` receipts
    (``file://var/receipts?keep=20``, the default) are kept; older ones are deleted after each print.
    """

    KEEP = 20

    def __init__(self, directory: Path, width: int, keep: int = KEEP) -> None:
        if keep < 1:
            raise DeviceConfigurationError(f"file:// printer: keep={keep}; expected 1 or more receipts")
        self.directory, self.width, self.keep = Path(directory), width, keep
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceConnectionError(f"cannot create receipt directory {self.directory}: {exc}") from exc
        log.warning("file:// printer: demo only, receipts (with titles) are written to %s", self.directory)

    def print_receipt(self, receipt: Receipt) -> Path:
        """Write the receipt text; returns the file's path (written atomically)."""
        text = render_text(receipt, self.width)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self.directory / f"receipt-{stamp}.txt"
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".receipt-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, target)
        except OSError as exc:
            raise DeviceConnectionError(f"cannot write receipt to {self.directory}: {exc}") from exc
        self._forget_old_receipts()
        return target

    def _forget_old_receipts(self) -> None:
        """Delete all but the newest ``keep`` receipts (the names sort by time)."""
        for old in sorted(self.directory.glob("receipt-*.txt"))[: -self.keep]:
            try:
                old.unlink()
            except OSError as exc:  # someone else removed it, or a read-only directory: try next time
                log.warning("could not delete an old demo receipt: %s", type(exc).__name__)

    def status(self) -> PrinterStatus:
        """Paper is endless; the directory must be writable."""
        if os.access(self.directory, os.W_OK):
            return PrinterStatus(Paper.OK, True, f"demo printer writing to {self.directory}")
        return PrinterStatus(Paper.UNKNOWN, False, f"{self.directory} is not writable")

    def close(self) -> None:
        """Nothing to release."""


class FakePrinter:
    """A printer for tests: keeps the rendered bytes in :attr:`printed`; set :attr:`paper` to simulate."""

    def __init__(self, width: int, code_page: str) -> None:
        self.width, self.code_page = width, code_page
        self.printed: list[bytes] = []
        self.paper = Paper.OK
        self.online = True

    def print_receipt(self, receipt: Receipt) -> None:
        """Render and keep the bytes; fails like a real printer when out of paper or offline."""
        if not self.online or self.paper is Paper.OUT:
            raise DeviceConnectionError("fake printer is offline or out of paper")
        self.printed.append(render_receipt(receipt, self.width, self.code_page))

    def status(self) -> PrinterStatus:
        """The simulated status."""
        return PrinterStatus(self.paper, self.online)

    def close(self) -> None:
        """Nothing to release."""
