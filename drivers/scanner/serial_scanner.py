"""Serial (and USB-CDC) barcode scanners over pyserial: ``serial:///dev/ttyACM0?baud=9600&suffix=cr``.

The scanner sends each barcode followed by its configured suffix (CR, LF, CR LF or Tab). A background
thread reads, splits on the suffix and calls ``on_barcode(text)``. With ``suffix=none`` a barcode ends
when the line has been quiet for ``gap`` seconds. If the device goes away (USB unplugged), the thread
closes it and reopens it every second until it is back; bytes of a half-received barcode are dropped
with a warning, complete ones are never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.errors import DeviceConfigurationError

log = logging.getLogger(__name__)

SUFFIXES: dict[str, bytes] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t", "none": b""}
MAX_BARCODE = 256


def import_serial() -> Any:
    """Import pyserial, or say what to install."""
    try:
        import serial
    except ImportError as exc:
        raise DeviceConfigurationError("serial scanners need pyserial: pip install pyserial==3.5") from exc
    return serial


class SerialScanner:
    """Reads barcodes from a serial port on a background thread."""

    def __init__(
        self,
        port: str,
        on_barcode: Callable[[str], None],
        baud: int = 9600,
        suffix: str = "cr",
        gap: float = 0.1,
        reopen_interval: float = 1.0,
    ) -> None:
        if suffix not in SUFFIXES:
            raise DeviceConfigurationError(f"suffix {suffix!r}; expected one of {', '.join(SUFFIXES)}")
        self._serial_module = import_serial()
        self.port = port
        self.baud = baud
        self._suffix = SUFFIXES[suffix]
        self._gap = gap
        self._reopen = reopen_interval
        self._on_barcode = on_barcode
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._device: Any = self._open()  # fail now if the port cannot be opened at start
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def _open(self) -> Any:
        from drivers.errors import DeviceConnectionError

        try:
            device = self._serial_module.serial_for_url(self.port, baudrate=self.baud, timeout=0.05)
        except (OSError, self._serial_module.SerialException) as exc:
            raise DeviceConnectionError(f"cannot open scanner port {self.port}: {exc}") from exc
        self.connected.set()
        return device

    def close(self) -> None:
        """Stop reading and close the port."""
        self._stop.set()
        self._thread.join(timeout=5.0)
        device, self._device = self._device, None
        if device is not None:
            device.close()
        self.connected.clear()

    def __enter__(self) -> SerialScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _deliver(self, raw: bytes) -> None:
        # Scanners send ASCII; latin-1 maps every byte, so odd bytes show up instead of raising.
        text = raw.decode("latin-1").strip("\r\n\t ")
        if not text:
            return
        try:
            self._on_barcode(text)
        except Exception:
            log.exception("scanner callback failed")

    def _run(self) -> None:
        buffer = b""
        last_byte = time.monotonic()
        while not self._stop.is_set():
            if self._device is None:
                try:
                    self._device = self._open()
                    log.info("scanner port %s is back", self.port)
                except Exception:
                    self._stop.wait(self._reopen)
                    continue
            try:
                chunk = self._device.read(max(1, self._device.in_waiting))
            except (OSError, self._serial_module.SerialException) as exc:
                log.warning("scanner port %s lost (%s); reopening", self.port, type(exc).__name__)
                if buffer:
                    log.warning("dropped %d bytes of an incomplete barcode", len(buffer))
                buffer = b""
                try:
                    self._device.close()
                except Exception:
                    pass
                self._device = None
                self.connected.clear()
                continue
            now = time.monotonic()
            if chunk:
                buffer += chunk
                last_byte = now
                buffer = self._split(buffer)
            elif buffer and not self._suffix and now - last_byte >= self._gap:
                self._deliver(buffer)
                buffer = b""

    def _split(self, buffer: bytes) -> bytes:
        if self._suffix:
            while self._suffix in buffer:
                line, buffer = buffer.split(self._suffix, 1)
                self._deliver(line)
        if len(buffer) > MAX_BARCODE:  # no suffix ever came: deliver rather than grow without bound
            log.warning(
                "barcode of %d bytes without a suffix; check the scanner's suffix setting", len(buffer)
            )
            self._deliver(buffer)
            buffer = b""
        return buffer
