"""Byte channels under the ZVT link layer: a serial port (pyserial, imported lazily), a raw file
descriptor (the simulator's pty master) and a TCP socket, all with the same three calls.

A pty has no modem lines: setting DTR/RTS raises ENOTTY there, which is tolerated (notes/test-infra.md §3).
The serial line is 8 data bits, no parity, 2 stop bits, no handshake (PA00P016 §2).
"""

from __future__ import annotations

import errno
import os
import select
import socket
from typing import Any, Protocol

from drivers.errors import DeviceConfigurationError, DeviceConnectionError


class ByteChannel(Protocol):
    """A bidirectional byte stream with read timeouts."""

    def write(self, data: bytes) -> None:
        """Write all of ``data``; raise :class:`DeviceConnectionError` if the line is gone."""

    def read(self, timeout: float) -> bytes:
        """Up to a few KiB that arrived within ``timeout`` s (``b""`` if none); raise if closed."""

    def close(self) -> None:
        """Release the channel."""


class FdChannel:
    """A channel on a raw file descriptor (the master side of a pty)."""

    def __init__(self, fd: int, owns: bool = True) -> None:
        self.fd = fd
        self._owns = owns

    def write(self, data: bytes) -> None:
        """Write everything, waiting when the pty buffer is full."""
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                select.select([], [self.fd], [], 0.05)
                continue
            except OSError as exc:
                raise DeviceConnectionError(f"terminal line write failed: {exc.strerror}") from None
            view = view[n:]

    def read(self, timeout: float) -> bytes:
        """Wait up to ``timeout`` for data."""
        try:
            ready, _, _ = select.select([self.fd], [], [], max(timeout, 0.0))
            if not ready:
                return b""
            data = os.read(self.fd, 4096)
        except (OSError, ValueError) as exc:
            raise DeviceConnectionError(f"terminal line read failed: {exc}") from None
        if not data:
            raise DeviceConnectionError("terminal line closed")
        return data

    def close(self) -> None:
        """Close the descriptor if this channel owns it."""
        if self._owns and self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


class SocketChannel:
    """A channel on a connected TCP socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) if sock.family != socket.AF_UNIX else None

    def write(self, data: bytes) -> None:
        """Send all of ``data``."""
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise DeviceConnectionError(f"terminal connection lost: {exc}") from None

    def read(self, timeout: float) -> bytes:
        """Wait up to ``timeout`` for data."""
        try:
            ready, _, _ = select.select([self.sock], [], [], max(timeout, 0.0))
            if not ready:
                return b""
            data = self.sock.recv(4096)
        except (OSError, ValueError) as exc:
            raise DeviceConnectionError(f"terminal connection lost: {exc}") from None
        if not data:
            raise DeviceConnectionError("terminal closed the connection")
        return data

    def close(self) -> None:
        """Close the socket."""
        try:
            self.sock.close()
        except OSError:
            pass


class SerialChannel:
    """A channel on a serial port opened with pyserial (8N2 per P016 §2)."""

    def __init__(self, port: str, baudrate: int = 9600) -> None:
        try:
            import serial  # lazily: only a serial terminal needs pyserial
        except ImportError:
            raise DeviceConfigurationError("zvt+serial:// needs pyserial: pip install pyserial") from None
        try:
            self.port: Any = serial.serial_for_url(
                port,
                baudrate=baudrate,
                bytesize=8,
                parity="N",
                stopbits=2,
                timeout=0,
                write_timeout=5,
                do_not_open=True,
            )
            self.port.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceConnectionError(f"cannot open terminal port {port}: {exc}") from None
        for line in ("dtr", "rts"):  # no handshake, but keep the modem lines up; a pty has none (ENOTTY)
            try:
                setattr(self.port, line, True)
            except OSError as exc:
                if exc.errno not in (errno.ENOTTY, errno.EINVAL):
                    raise DeviceConnectionError(f"terminal port {port}: {exc}") from None

    def write(self, data: bytes) -> None:
        """Write and flush."""
        try:
            self.port.write(data)
            self.port.flush()
        except Exception as exc:  # pyserial raises SerialException/SerialTimeoutException/OSError
            raise DeviceConnectionError(f"terminal line write failed: {exc}") from None

    def read(self, timeout: float) -> bytes:
        """Wait up to ``timeout`` for data (select on the port's descriptor where there is one)."""
        try:
            fileno = self.port.fileno()
        except Exception:
            fileno = None
        try:
            if fileno is not None:
                ready, _, _ = select.select([fileno], [], [], max(timeout, 0.0))
                if not ready:
                    return b""
                data = bytes(self.port.read(4096))
                if not data:
                    raise DeviceConnectionError("terminal line closed")
                return data
            self.port.timeout = timeout
            return bytes(self.port.read(max(1, self.port.in_waiting)))
        except DeviceConnectionError:
            raise
        except Exception as exc:
            raise DeviceConnectionError(f"terminal line read failed: {exc}") from None

    def close(self) -> None:
        """Close the port."""
        try:
            self.port.close()
        except Exception:
            pass


def connect_tcp(host: str, port: int, timeout: float = 5.0) -> SocketChannel:
    """Open a TCP connection to a terminal (``zvt+tcp://host:port``)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise DeviceConnectionError(f"cannot connect to terminal {host}:{port}: {exc}") from None
    sock.settimeout(None)
    return SocketChannel(sock)
