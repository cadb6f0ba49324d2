"""ZVT link layer: the one transport seam between the command layer and a serial line or TCP socket.

* :class:`ByteChannel` is the I/O: a pty or serial port (pyserial, imported lazily), a raw file
  descriptor (the simulator's pty master), or a TCP socket.
* :class:`SerialLink` runs the serial link protocol of PA00P016 §3 on a channel: frames with CRC, an
  ``ACK``/``NAK`` for every received frame, T1 (inter-character timeout → NAK), T2 (no ACK → repeat,
  at most two repeats, then :class:`NoAcknowledgeError`).
* :class:`TcpLink` sends bare APDUs (P016: "no DLE, no CRC, no ACK" over TCP port 20007) and reassembles
  APDUs from however TCP fragments them.

Both offer the same two calls, :meth:`send` and :meth:`receive`; the command layer never knows which
it has. Timers are injectable (:class:`Timers`) so tests run with milliseconds instead of seconds.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from drivers.errors import (
    DeviceConfigurationError,
    DeviceConnectionError,
    DeviceProtocolError,
    DeviceTimeoutError,
)
from drivers.payment.codec import (
    ACK,
    NAK,
    Apdu,
    ApduStreamParser,
    EventKind,
    FrameParser,
    decode_apdu,
    encode_apdu,
    encode_frame,
)

log = logging.getLogger(__name__)


class NoAcknowledgeError(DeviceTimeoutError):
    """The other side did not acknowledge a frame after the initial send and all repeats (T2)."""


@dataclass(frozen=True)
class Timers:
    """ZVT timers in seconds (P016 §3, P015 §2): defaults are the spec's; tests pass small values."""

    t1: float = 0.2  # max. time between two bytes of a frame
    t2: float = 5.0  # ACK wait before a repeat
    t3: float = 5.0  # the answer (80 00 / 84 xx) to a command
    t4: float = 180.0  # from 80 00 to the Completion; restarted by every 04 FF / 04 0F
    repeats: int = 2  # repeats after the first send

    @classmethod
    def fast(cls, scale: float = 0.01) -> Timers:
        """Spec timers multiplied by ``scale`` (``t1`` never below 50 ms, so a busy CI machine is fine)."""
        return cls(t1=max(0.05, 0.2 * scale), t2=5.0 * scale, t3=5.0 * scale, t4=180.0 * scale)


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


@dataclass
class LinkFaults:
    """Faults the simulator injects into its own link (never used by the kiosk).

    The hooks are asked at the moment a frame arrives, so a scenario chosen just before a command is
    sent applies to that command without a race.
    """

    corrupt_frames: int = 0  # send this many frames with a broken CRC first
    swallow_hook: Callable[[Apdu], bool] | None = None  # True: drop this frame without ACK
    ack_delay_hook: Callable[[Apdu], float] | None = None  # seconds to wait before the ACK

    def swallow(self, apdu: Apdu) -> bool:
        """True if this received APDU is to be dropped without ACK."""
        return self.swallow_hook is not None and self.swallow_hook(apdu)

    def ack_delay(self, apdu: Apdu) -> float:
        """Seconds to hold back the ACK of this APDU."""
        return self.ack_delay_hook(apdu) if self.ack_delay_hook is not None else 0.0


class SerialLink:
    """The serial link protocol on a :class:`ByteChannel` (see module docstring)."""

    def __init__(self, channel: ByteChannel, timers: Timers | None = None, faults: LinkFaults | None = None):
        self.channel = channel
        self.timers = timers or Timers()
        self.faults = faults or LinkFaults()
        self._parser = FrameParser()
        self._inbox: deque[Apdu] = deque()
        self._acks: deque[int] = deque()

    def send(self, apdu: Apdu) -> None:
        """Send ``apdu`` and wait for the ACK; NAK or T2 → repeat; raise :class:`NoAcknowledgeError`."""
        frame = encode_frame(apdu)
        for attempt in range(self.timers.repeats + 1):
            self._acks.clear()
            out = frame
            if self.faults.corrupt_frames > 0:
                self.faults.corrupt_frames -= 1
                out = frame[:-2] + bytes((frame[-2] ^ 0xFF, frame[-1]))
            self.channel.write(out)
            log.debug("sent %s (attempt %d)", apdu.describe(), attempt + 1)
            answer = self._wait_ack(self.timers.t2)
            if answer == ACK:
                return
            log.info(
                "terminal link: %s for %s, repeating", "NAK" if answer == NAK else "no ACK", apdu.describe()
            )
        raise NoAcknowledgeError(f"no ACK for {apdu.describe()} after {self.timers.repeats} repeats")

    def _wait_ack(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while not self._acks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pump(remaining)
        return self._acks.popleft()

    def receive(self, timeout: float) -> Apdu | None:
        """The next APDU from the other side within ``timeout`` s (ACKed already), or ``None``."""
        deadline = time.monotonic() + timeout
        while not self._inbox:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pump(remaining)
        return self._inbox.popleft()

    def _pump(self, timeout: float) -> None:
        """Read once (bounded by T1 inside a frame) and handle what arrived."""
        wait = min(timeout, self.timers.t1) if self._parser.in_frame else timeout
        data = self.channel.read(wait)
        events = self._parser.feed(data) if data else self._parser.expire() if wait >= self.timers.t1 else []
        for ev in events:
            if ev.kind is EventKind.ACK:
                self._acks.append(ACK)
            elif ev.kind is EventKind.NAK:
                self._acks.append(NAK)
            elif ev.kind is EventKind.ERROR:
                log.info("terminal link: bad frame (%s), NAK", ev.reason)
                self.channel.write(bytes((NAK,)))
            else:
                self._on_frame(ev.payload)

    def _on_frame(self, raw: bytes) -> None:
        try:
            apdu = decode_apdu(raw)
        except DeviceProtocolError as exc:
            log.info("terminal link: %s, NAK", exc)
            self.channel.write(bytes((NAK,)))
            return
        if self.faults.swallow(apdu):
            return
        delay = self.faults.ack_delay(apdu)
        if delay:
            time.sleep(delay)
        self.channel.write(bytes((ACK,)))
        log.debug("received %s", apdu.describe())
        self._inbox.append(apdu)

    def drain(self, quiet: float = 0.0) -> None:
        """Forget buffered input (after a power cycle); read until ``quiet`` s pass without data."""
        self._parser = FrameParser()
        self._inbox.clear()
        self._acks.clear()
        while quiet > 0 and self.channel.read(quiet):
            pass

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()


class TcpLink:
    """Bare APDUs on a stream (ZVT over TCP): no framing, no ACK; fragmentation is reassembled."""

    def __init__(self, channel: ByteChannel, timers: Timers | None = None, faults: LinkFaults | None = None):
        self.channel = channel
        self.timers = timers or Timers()
        self.faults = faults or LinkFaults()
        self._parser = ApduStreamParser()
        self._inbox: deque[Apdu] = deque()

    def send(self, apdu: Apdu) -> None:
        """Write the APDU (TCP itself guarantees delivery or a connection error)."""
        self.channel.write(encode_apdu(apdu))
        log.debug("sent %s", apdu.describe())

    def receive(self, timeout: float) -> Apdu | None:
        """The next APDU within ``timeout`` s, or ``None``."""
        deadline = time.monotonic() + timeout
        while not self._inbox:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            data = self.channel.read(remaining)
            for apdu in self._parser.feed(data):
                if self.faults.swallow(apdu):
                    continue
                delay = self.faults.ack_delay(apdu)
                if delay:
                    time.sleep(delay)
                self._inbox.append(apdu)
        return self._inbox.popleft()

    def drain(self, quiet: float = 0.0) -> None:
        """Forget buffered input."""
        self._parser = ApduStreamParser()
        self._inbox.clear()
        while quiet > 0 and self.channel.read(quiet):
            pass

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()


class ApduLink(Protocol):
    """What the command layer needs from a link (implemented by :class:`SerialLink` and :class:`TcpLink`)."""

    timers: Timers

    def send(self, apdu: Apdu) -> None:
        """Deliver one APDU (or raise a :class:`DriverError`)."""

    def receive(self, timeout: float) -> Apdu | None:
        """The next APDU, or ``None`` after ``timeout`` s."""

    def drain(self, quiet: float = 0.0) -> None:
        """Forget buffered input."""

    def close(self) -> None:
        """Release the transport."""


def connect_tcp(host: str, port: int, timeout: float = 5.0) -> SocketChannel:
    """Open a TCP connection to a terminal (``zvt+tcp://host:port``)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise DeviceConnectionError(f"cannot connect to terminal {host}:{port}: {exc}") from None
    sock.settimeout(None)
    return SocketChannel(sock)
