"""Sans-IO byte layer of ZVT: APDUs, serial framing with DLE doubling, CRC-16/KERMIT.

Nothing here touches a port or a clock. Decoders work on whole buffers (:func:`decode_apdu`,
:func:`decode_frame`) and on bytes fed one at a time (:class:`FrameParser`, :class:`ApduStreamParser`),
and they report trailing data instead of silently eating it.

Layouts quoted from PA00P016 (Transport protocol) §2-§3 and §5:

* APDU: ``CLASS INSTR LEN data``; LEN is one byte, or ``FF lo hi`` for 255..65535 bytes of data.
* Serial frame: ``DLE STX <APDU, each 10 doubled> DLE ETX CRC-lo CRC-hi``. The CRC covers the undoubled
  APDU plus ``ETX`` and is CRC-16/KERMIT (poly 0x1021 reflected, init 0, check value 0x2189 for
  "123456789"); it is sent low byte first and is *not* DLE-doubled.
* Every received frame is answered with ``ACK`` (06) or ``NAK`` (15), which are never acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from drivers.errors import DeviceProtocolError

DLE, STX, ETX, ACK, NAK = 0x10, 0x02, 0x03, 0x06, 0x15
MAX_APDU_DATA = 0xFFFF


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _make_table()


def crc16_kermit(data: bytes, crc: int = 0) -> int:
    """CRC-16/KERMIT of ``data`` (reflected poly 0x8408, init 0, no final xor)."""
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


@dataclass(frozen=True)
class Apdu:
    """One application protocol data unit: ``CLASS INSTR`` and the data after the length field."""

    cls: int
    instr: int
    data: bytes = b""

    @property
    def command(self) -> bytes:
        """The two command bytes, e.g. ``b"\\x06\\x01"`` for Authorization."""
        return bytes((self.cls, self.instr))

    def is_(self, command: bytes) -> bool:
        """True if this APDU is the command ``command`` (two bytes)."""
        return self.command == command

    def __bytes__(self) -> bytes:
        return encode_apdu(self)

    def describe(self) -> str:
        """A log-safe description: command and length only, never the data (it may hold the password)."""
        return f"{self.cls:02X} {self.instr:02X} len={len(self.data)}"


def encode_apdu(apdu: Apdu) -> bytes:
    """Encode an APDU; data of 255 bytes or more uses the extended length ``FF lo hi``."""
    n = len(apdu.data)
    if not (0 <= apdu.cls <= 0xFF and 0 <= apdu.instr <= 0xFF):
        raise ValueError("CLASS and INSTR are single bytes")
    if n > MAX_APDU_DATA:
        raise ValueError(f"APDU data too long: {n} > {MAX_APDU_DATA}")
    # P016 §5: "If the length is > 254 bytes ... LEN = FF, followed by 2 bytes (low, high)".
    head = (
        bytes((apdu.cls, apdu.instr, n))
        if n < 0xFF
        else bytes((apdu.cls, apdu.instr, 0xFF, n & 0xFF, n >> 8))
    )
    return head + apdu.data


def split_apdu(buf: bytes | bytearray) -> tuple[Apdu, int] | None:
    """Take one APDU from the front of ``buf``: ``(apdu, bytes used)``, or ``None`` if incomplete."""
    if len(buf) < 3:
        return None
    if buf[2] == 0xFF:
        if len(buf) < 5:
            return None
        n, start = buf[3] | (buf[4] << 8), 5
    else:
        n, start = buf[2], 3
    if len(buf) < start + n:
        return None
    return Apdu(buf[0], buf[1], bytes(buf[start : start + n])), start + n


def decode_apdu(buf: bytes, allow_trailing: bool = False) -> Apdu:
    """Decode exactly one APDU; raise :class:`DeviceProtocolError` if it is short or (unless allowed) long."""
    got = split_apdu(buf)
    if got is None:
        raise DeviceProtocolError(f"truncated APDU ({len(buf)} bytes)")
    apdu, used = got
    if used != len(buf) and not allow_trailing:
        raise DeviceProtocolError(
            f"APDU LEN says {len(apdu.data)} data bytes but {len(buf) - used} more follow"
        )
    return apdu


def encode_frame(apdu: Apdu | bytes) -> bytes:
    """Frame an APDU for the serial line: ``DLE STX``, doubled DLEs, ``DLE ETX``, CRC low byte first."""
    raw = encode_apdu(apdu) if isinstance(apdu, Apdu) else bytes(apdu)
    crc = crc16_kermit(raw + bytes((ETX,)))
    return bytes((DLE, STX)) + raw.replace(b"\x10", b"\x10\x10") + bytes((DLE, ETX, crc & 0xFF, crc >> 8))


class EventKind(Enum):
    """What the serial receiver saw."""

    ACK = "ack"
    NAK = "nak"
    FRAME = "frame"
    ERROR = "error"  # a broken frame: the receiver answers NAK once (and the sender repeats)
    NOISE = "noise"  # the first of a run of bytes outside any frame: discarded, logged once, no NAK


@dataclass(frozen=True)
class LinkEvent:
    """One event from :class:`FrameParser`: ACK, NAK, a complete frame (its raw APDU), an error or noise."""

    kind: EventKind
    payload: bytes = b""
    reason: str = ""


class _State(Enum):
    IDLE = 0
    DLE = 1
    DATA = 2
    DATA_DLE = 3
    CRC_LO = 4
    CRC_HI = 5
    SKIP = 6  # after a broken frame: discard its rest until DLE STX or a T1 pause (resynchronise)
    SKIP_DLE = 7


class FrameParser:
    """Incremental serial receiver: feed any chunking of the line, get :class:`LinkEvent` values.

    It never raises on line data. The rules (issue 12, item 1):

    * it resynchronises on ``DLE STX``: bytes outside a frame (line noise, the tail of a frame already
      given up on) are discarded; only the first of each run is reported, as ``NOISE`` (log it, never
      NAK it);
    * a broken frame (bad CRC, ``DLE`` + junk inside it, too long, T1 ran out in it) is one ``ERROR``
      (answer it with one NAK); the rest of it is skipped until ``DLE STX`` or a T1 pause, so it
      cannot produce more NAKs, and data bytes ``06``/``15`` in it are never taken for ACK/NAK.

    Call :meth:`expire` when T1 (the inter-character timeout) ran out while :attr:`in_frame`.
    """

    def __init__(self, max_apdu: int = MAX_APDU_DATA + 5) -> None:
        self._state = _State.IDLE
        self._buf = bytearray()
        self._crc_lo = 0
        self._max = max_apdu
        self._noisy = False  # inside a run of noise (reported once)

    @property
    def in_frame(self) -> bool:
        """True while a frame has started (or a ``DLE`` may start one) but not ended, or a broken one is
        being skipped: T1 applies (its expiry resets a lone ``DLE`` silently)."""
        return self._state is not _State.IDLE

    def expire(self) -> list[LinkEvent]:
        """T1 expired: drop a partial frame and report it once (the receiver answers NAK), then skip its
        rest until the line is quiet for T1 again (the next expiry) or ``DLE STX``; a frame being
        skipped just ends (the line is quiet: the next byte starts afresh)."""
        st = self._state
        self._reset()
        if st in (_State.DATA, _State.DATA_DLE, _State.CRC_LO, _State.CRC_HI):
            # the sender may only have paused: skip the rest of this frame until it is quiet again
            return [self._broken("inter-character timeout (T1)")]
        return []

    def _reset(self) -> None:
        self._state = _State.IDLE
        self._buf = bytearray()

    def skip(self) -> None:
        """Drop what was received and skip the rest of the current frame (resynchronise)."""
        self._state, self._buf = _State.SKIP, bytearray()

    def _broken(self, reason: str) -> LinkEvent:
        """A frame broke off: one ERROR, then skip its rest (see the class docstring)."""
        self._state, self._buf = _State.SKIP, bytearray()
        return LinkEvent(EventKind.ERROR, reason=reason)

    def _noise(self, b: int) -> LinkEvent | None:
        self._state = _State.IDLE
        if self._noisy:
            return None
        self._noisy = True
        return LinkEvent(EventKind.NOISE, reason=f"byte {b:02X} outside a frame")

    def feed(self, data: bytes) -> list[LinkEvent]:
        """Feed received bytes; return the events completed by them, in order."""
        events: list[LinkEvent] = []
        for byte in data:
            ev = self._step(byte)
            if ev is not None:
                events.append(ev)
        return events

    def _step(self, b: int) -> LinkEvent | None:
        st = self._state
        if st is _State.IDLE:
            if b == ACK:
                self._noisy = False
                return LinkEvent(EventKind.ACK)
            if b == NAK:
                self._noisy = False
                return LinkEvent(EventKind.NAK)
            if b == DLE:
                self._state = _State.DLE
                return None
            return self._noise(b)
        if st is _State.DLE:
            if b == STX:
                self._state, self._buf, self._noisy = _State.DATA, bytearray(), False
                return None
            if b == DLE:
                return None  # still possibly the DLE of a DLE STX
            return self._noise(b)
        if st in (_State.SKIP, _State.SKIP_DLE):
            if st is _State.SKIP_DLE and b == STX:
                self._state, self._buf = _State.DATA, bytearray()
            else:
                self._state = _State.SKIP_DLE if b == DLE and st is _State.SKIP else _State.SKIP
            return None
        if st is _State.DATA:
            if b == DLE:
                self._state = _State.DATA_DLE
            else:
                return self._append(b)
            return None
        if st is _State.DATA_DLE:
            if b == DLE:  # a doubled DLE is one data byte 10
                self._state = _State.DATA
                return self._append(b)
            if b == ETX:
                self._state = _State.CRC_LO
                return None
            if b == STX:  # a new frame started inside the old one: drop the old one, keep the new
                self._state, self._buf = _State.DATA, bytearray()
                return LinkEvent(EventKind.ERROR, reason="DLE STX inside a frame")
            return self._broken(f"DLE followed by {b:02X} inside a frame")
        if st is _State.CRC_LO:
            self._crc_lo, self._state = b, _State.CRC_HI
            return None
        # CRC_HI
        raw = bytes(self._buf)
        self._reset()
        got = self._crc_lo | (b << 8)
        want = crc16_kermit(raw + bytes((ETX,)))
        if got != want:
            return LinkEvent(EventKind.ERROR, reason=f"CRC {got:04X} != {want:04X}")
        return LinkEvent(EventKind.FRAME, payload=raw)

    def _append(self, b: int) -> LinkEvent | None:
        if len(self._buf) >= self._max:
            return self._broken("frame longer than any APDU")
        self._buf.append(b)
        return None


def decode_frame(data: bytes) -> tuple[Apdu, bytes]:
    """Decode one whole serial frame from the start of ``data``: ``(apdu, trailing bytes)``.

    Raises :class:`DeviceProtocolError` for a bad CRC, broken framing, an APDU whose LEN disagrees with
    the frame, or data that holds no complete frame.
    """
    if data[:2] != bytes((DLE, STX)):
        raise DeviceProtocolError("frame does not start with DLE STX")
    parser = FrameParser()
    for i in range(len(data)):
        for ev in parser.feed(data[i : i + 1]):
            if ev.kind is EventKind.FRAME:
                return decode_apdu(ev.payload), data[i + 1 :]
            raise DeviceProtocolError(f"bad frame: {ev.reason}")
    raise DeviceProtocolError("incomplete frame")


class ApduStreamParser:
    """Incremental parser for bare APDUs on a byte stream (ZVT over TCP, where TCP may fragment)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received that do not yet make a whole APDU."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Apdu]:
        """Feed received bytes; return the APDUs they complete (a partial one stays buffered)."""
        self._buf += data
        out: list[Apdu] = []
        while True:
            got = split_apdu(self._buf)
            if got is None:
                return out
            apdu, used = got
            del self._buf[:used]
            out.append(apdu)
