"""ZVT link layer: the one transport seam between the command layer and a serial line or TCP socket.

* :class:`~drivers.payment.channels.ByteChannel` is the I/O: a serial port or pty (pyserial, imported
  lazily), a raw file descriptor (the simulator's pty master), or a TCP socket.
* :class:`SerialLink` runs the serial link protocol of PA00P016 §3 on a channel: frames with CRC, an
  ``ACK``/``NAK`` for every received frame, T1 (inter-character timeout → NAK), T2 (no ACK → repeat,
  at most two repeats, then :class:`NoAcknowledgeError`). One NAK per broken frame, never per stray
  byte (noise outside frames is discarded and logged once); a frame the other side repeats because our
  ACK got lost is acknowledged again but delivered once (the same APDU again, before we sent anything,
  within the repeat window). ``strict_ack`` (the simulator's strict mode) behaves like the least
  forgiving terminals: while it waits for an ACK, any other byte is a failed try.
* :class:`TcpLink` sends bare APDUs (P016: "no DLE, no CRC, no ACK" over TCP port 20007) and reassembles
  APDUs from however TCP fragments them.

Both offer the same two calls, :meth:`send` and :meth:`receive`; the command layer never knows which
it has. Timers are injectable (:class:`Timers`) so tests run with milliseconds instead of seconds.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from drivers.errors import (
    DeviceProtocolError,
    DeviceTimeoutError,
)
from drivers.payment.channels import (  # re-exported: the transport seam lives here
    ByteChannel,
    FdChannel,
    SerialChannel,
    SocketChannel,
    connect_tcp,
)
from drivers.payment.codec import (
    ACK,
    NAK,
    Apdu,
    ApduStreamParser,
    EventKind,
    FrameParser,
    LinkEvent,
    decode_apdu,
    encode_apdu,
    encode_frame,
)

log = logging.getLogger(__name__)

_FAILED_TRY = -1  # strict_ack: something other than ACK/NAK came while an ACK was awaited


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
        self._last_byte = 0.0
        #: Strict terminals: while waiting for an ACK, anything but ACK/NAK is a failed try (its bytes
        #: are dropped and the frame is repeated). Set by the simulator's ``strict_ack`` mode.
        self.strict_ack = False
        self._awaiting_ack = False
        self._strict_pending = bytearray()  # strict_ack: bytes not yet judged by an ACK wait
        self.failed_tries = 0  # failed tries seen in strict_ack mode (tests and the campaign count them)
        self._last_rx: tuple[bytes, float] | None = None  # the last frame delivered, and when
        self._sent_since_rx = False  # an APDU of ours left since then (so an equal frame is new)
        self.repeats_dropped = 0  # frames repeated by the other side, acknowledged but not delivered

    def send(self, apdu: Apdu) -> None:
        """Send ``apdu`` and wait for the ACK; NAK or T2 → repeat; raise :class:`NoAcknowledgeError`."""
        frame = encode_frame(apdu)
        self._sent_since_rx = True
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
            what = {NAK: "NAK", _FAILED_TRY: "other bytes instead of an ACK"}.get(answer or 0, "no ACK")
            log.info("terminal link: %s for %s, repeating", what, apdu.describe())
        leftover, self._strict_pending = bytes(self._strict_pending), bytearray()
        self._pump_data(leftover)  # what the strict tries did not judge is read as line data
        raise NoAcknowledgeError(f"no ACK for {apdu.describe()} after {self.timers.repeats} repeats")

    def _wait_ack(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        self._awaiting_ack = True
        if self._strict_pending:  # strict_ack: stray bytes already here judge this try at once
            self._pump_data(self._strict_first_byte(b""))
        try:
            while not self._acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._pump(remaining)
            return self._acks.popleft()
        finally:
            self._awaiting_ack = False

    def receive(self, timeout: float) -> Apdu | None:
        """The next APDU from the other side within ``timeout`` s (ACKed already), or ``None``."""
        deadline = time.monotonic() + timeout
        while not self._inbox:
            remaining = deadline - time.monotonic()
            # At least one look at the line, even when this thread was held up past the deadline: a frame
            # that is already waiting must not be taken for silence.
            self._pump(max(remaining, 0.0))
            if remaining <= 0:
                break
        return self._inbox.popleft() if self._inbox else None

    def _pump(self, timeout: float) -> None:
        """Read once (bounded by T1 inside a frame) and handle what arrived.

        T1 counts from the last byte received, across calls, so a caller polling in short slices still
        gets the NAK for a frame that stopped half-way.
        """
        t1_left = self._last_byte + self.timers.t1 - time.monotonic()
        wait = min(timeout, max(t1_left, 0.0)) if self._parser.in_frame else timeout
        data = self.channel.read(wait)
        if data and self.strict_ack and self._awaiting_ack and not self._parser.in_frame:
            self._last_byte = time.monotonic()
            data = self._strict_first_byte(data)
            if not data:
                return
        if data:
            self._last_byte = time.monotonic()
            self._handle(self._parser.feed(data))
        elif self._parser.in_frame and time.monotonic() - self._last_byte >= self.timers.t1:
            self._handle(self._parser.expire())

    def _pump_data(self, data: bytes) -> None:
        """Handle bytes already read (strict mode hands them back after its verdict)."""
        if data:
            self._handle(self._parser.feed(data))

    def _handle(self, events: list[LinkEvent]) -> None:
        for ev in events:
            if ev.kind is EventKind.ACK:
                self._acks.append(ACK)
            elif ev.kind is EventKind.NAK:
                self._acks.append(NAK)
            elif ev.kind is EventKind.ERROR:
                log.info("terminal link: bad frame (%s), NAK", ev.reason)
                self.channel.write(bytes((NAK,)))
            elif ev.kind is EventKind.NOISE:
                log.info("terminal link: discarding bytes outside a frame (%s)", ev.reason)
            else:
                self._on_frame(ev.payload)

    def _strict_first_byte(self, data: bytes) -> bytes:
        """strict_ack: while waiting for an ACK, each byte that is not ACK or NAK is a failed try (as on
        the strictest terminals, which read byte by byte: a 9-byte frame written over their wait burns
        all their tries). Bytes after the verdict stay for the next try's wait; the rest of the line
        after an ACK / NAK is read normally."""
        self._strict_pending += data
        first = self._strict_pending[0]
        del self._strict_pending[0]
        self._awaiting_ack = False
        if first in (ACK, NAK):
            rest, self._strict_pending = bytes(self._strict_pending), bytearray()
            self._acks.append(first)
            return rest
        self.failed_tries += 1
        log.info("terminal link (strict): %02X while waiting for an ACK: failed try", first)
        self._acks.append(_FAILED_TRY)
        self._last_byte = time.monotonic()
        return b""

    def _repeat_window(self) -> float:
        """How long after a frame an equal one can still be its repeat (all repeats, each after T2)."""
        return self.timers.t2 * (self.timers.repeats + 1) + self.timers.t1

    def _on_frame(self, raw: bytes) -> None:
        now = time.monotonic()
        last = self._last_rx
        if (
            last is not None
            and last[0] == raw
            and not self._sent_since_rx
            and now - last[1] <= self._repeat_window()
        ):
            # The other side did not get our ACK and sent the frame again: acknowledge, do not redo it.
            self.channel.write(bytes((ACK,)))
            self.repeats_dropped += 1
            self._last_rx = (raw, now)
            log.info("terminal link: frame repeated after a lost ACK: acknowledged, processed once")
            return
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
        self._last_rx, self._sent_since_rx = (raw, now), False
        self._inbox.append(apdu)

    def drain(self, quiet: float = 0.0) -> None:
        """Forget buffered input (after a power cycle); read until ``quiet`` s pass without data."""
        self._parser = FrameParser()
        self._inbox.clear()
        self._acks.clear()
        self._last_rx = None
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
            data = self.channel.read(max(remaining, 0.0))  # at least one look (see SerialLink.receive)
            for apdu in self._parser.feed(data):
                if self.faults.swallow(apdu):
                    continue
                delay = self.faults.ack_delay(apdu)
                if delay:
                    time.sleep(delay)
                self._inbox.append(apdu)
            if remaining <= 0:
                break
        return self._inbox.popleft() if self._inbox else None

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


__all__ = [
    "ApduLink",
    "ByteChannel",
    "FdChannel",
    "LinkFaults",
    "NoAcknowledgeError",
    "SerialChannel",
    "SerialLink",
    "SocketChannel",
    "TcpLink",
    "Timers",
    "connect_tcp",
]
