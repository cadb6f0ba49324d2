"""The byte link to a serial or TCP reader: pyserial's ``serial_for_url`` (so ``socket://`` and
``spy://`` work too), plus the request/answer loop the FEIG and 3M backends share.

pyserial is imported when a port is opened, not when this module is imported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from drivers.errors import DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError

log = logging.getLogger(__name__)
T = TypeVar("T")


class SerialTransport:
    """A pyserial port opened by URL (a device path, ``socket://host:port``, ``spy://…``)."""

    POLL = 0.02  # pyserial read timeout per poll; a reply is noticed as soon as its first byte arrives

    def __init__(self, url: str, baudrate: int, parity: str = "N", timeout: float = 1.0) -> None:
        try:
            import serial
        except ImportError as exc:  # pragma: no cover - pyserial is a runtime dependency
            from drivers.errors import DeviceConfigurationError

            raise DeviceConfigurationError("RFID readers need pyserial: pip install pyserial") from exc
        self.url = url
        self.timeout = timeout
        try:
            self._port: Any = serial.serial_for_url(
                url, baudrate=baudrate, parity=parity, bytesize=8, stopbits=1, timeout=self.POLL
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceConnectionError(f"cannot open RFID reader {url}: {exc}") from exc

    def write(self, data: bytes) -> None:
        """Send bytes (drops anything still unread first: a late answer must not be taken for this one)."""
        try:
            self._port.reset_input_buffer()
            self._port.write(data)
            self._port.flush()
        except (OSError, Exception) as exc:  # pyserial raises SerialException (an OSError subclass) or others
            raise DeviceConnectionError(f"RFID reader {self.url}: write failed: {exc}") from exc

    def read_some(self) -> bytes:
        """Whatever arrives within one poll (may be empty)."""
        try:
            waiting = self._port.in_waiting
            return bytes(self._port.read(waiting or 1))
        except (OSError, Exception) as exc:
            raise DeviceConnectionError(f"RFID reader {self.url}: read failed: {exc}") from exc

    def close(self) -> None:
        """Close the port."""
        try:
            self._port.close()
        except Exception:
            log.debug("closing %s failed", self.url, exc_info=True)


def exchange(
    transport: SerialTransport,
    request: bytes,
    feed: Callable[[bytes], Sequence[object]],
    reset: Callable[[], None],
    accept: Callable[[object], T | None],
    retries: int,
    what: str,
    timeout: float | None = None,
) -> T:
    """Send ``request`` and return the first decoded answer ``accept`` takes.

    ``feed`` turns bytes into frames or frame errors (``accept`` returns None for anything else). A
    garbled answer or silence is retried ``retries`` times (the request is sent again), then raised as
    DeviceProtocolError / DeviceTimeoutError. ``timeout``: how long to wait for this answer (default
    the transport's; longer for a command the reader may hold on purpose).
    """
    wait = transport.timeout if timeout is None else timeout
    problem = "no answer"
    for attempt in range(retries + 1):
        reset()
        transport.write(request)
        deadline = time.monotonic() + wait
        garbled = False
        while not garbled and time.monotonic() < deadline:
            chunk = transport.read_some()
            if not chunk:
                continue
            for item in feed(chunk):
                taken = accept(item)
                if taken is not None:
                    return taken
                garbled = True
                problem = f"garbled answer ({getattr(item, 'reason', type(item).__name__)})"
        if attempt < retries:
            log.debug("%s: %s, sending again", what, problem)
    if problem == "no answer":
        raise DeviceTimeoutError(f"{what}: the reader did not answer within {wait:g} s")
    raise DeviceProtocolError(f"{what}: {problem}")
