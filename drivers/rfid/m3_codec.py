"""3M / Bibliotheca pad protocol frames, sans-IO ("3M RFID Reader Model 210 Protocol Specification" v1.0.0;
rfid note §4.2).

Frame: ``D6 | LEN (2, big endian: bytes after LEN, BCC included) | CMD | fields | BCC (2, MSB first)``.
A response carries an error byte after CMD: ``D6 LEN CMD ERR [UID] fields BCC``. The BCC is
CRC-16/GENIBUS over everything after ``D6``. UIDs travel MSB first (``E0 …``), numbers big endian.
Block data travels in tag order. 19200 baud, 8N1.

Host commands (§7) offered here: ``FE`` inventory ("Read Block UID"), ``02`` read multiblock, ``04`` write
multiblock, ``0A`` get AFI, ``09`` write AFI, ``03`` check EAS, ``0C`` EAS control, ``0D`` tag info.
Lock commands (``06``, ``07``, ``08``, ``0E``) are deliberately absent.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.rfid.crc import crc16_genibus
from drivers.rfid.errors import ReaderError, TagError, TagLocked, TagNotFound, TagRefused, TagWriteFailed

START = 0xD6
CMD_INVENTORY = 0xFE
CMD_READ_MULTIBLOCK = 0x02
CMD_WRITE_MULTIBLOCK = 0x04
CMD_GET_AFI = 0x0A
CMD_WRITE_AFI = 0x09
CMD_CHECK_EAS = 0x03
CMD_EAS_CONTROL = 0x0C
CMD_TAG_INFO = 0x0D
INVENTORY_UID = 0x01  # options bit 0: return the UIDs
INVENTORY_DSFID = 0x02  # options bit 1: and each tag's DSFID
TAG_INFO_ALL = 0x0F  # DSFID, AFI, memory size, IC reference

# Error bytes (Appendix A)
OK = 0x00
NOT_IMPLEMENTED = 0x02
NO_TRANSPONDER = 0x06
UNKNOWN = 0x0F
MEMORY_NOT_AVAILABLE = 0x11
LOCKED = 0x12
NOT_READ = 0x15
NOT_WRITTEN = 0x16
ISO_ERROR_1, ISO_ERROR_2, ISO_ERROR_3 = 0x21, 0x22, 0x23
NOT_SUPPORTED = 0x30
OPTION_NOT_SUPPORTED = 0x31
PARAMETER_ERROR = 0x32


@dataclass(frozen=True)
class Frame:
    """One pad frame; ``error`` is ``None`` for a host request, the ERR byte for a response."""

    cmd: int
    data: bytes = b""
    error: int | None = None


@dataclass(frozen=True)
class FrameError:
    """Bytes that were not a valid frame; ``raw`` is what was dropped."""

    reason: str
    raw: bytes


def build(frame: Frame) -> bytes:
    """The bytes of a frame (request if ``frame.error`` is None, else response)."""
    body = bytes((frame.cmd,)) + (b"" if frame.error is None else bytes((frame.error,))) + frame.data
    length = len(body) + 2
    if length > 0xFFFF:
        raise ValueError("frame too long")
    covered = bytes((length >> 8, length & 0xFF)) + body
    bcc = crc16_genibus(covered)
    return bytes((START,)) + covered + bytes((bcc >> 8, bcc & 0xFF))


class FrameDecoder:
    """Cuts the pad's byte stream into frames (``responses`` = with the ERR byte); feed any amount."""

    def __init__(self, responses: bool = True) -> None:
        self.responses = responses
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame."""
        return len(self._buf)

    def reset(self) -> None:
        """Forget a partial frame."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Add bytes; return every frame or error they completed. Bytes before a ``D6`` are errors."""
        self._buf += data
        out: list[Frame | FrameError] = []
        minimum = 4 if self.responses else 3  # CMD [ERR] BCC(2)
        while self._buf:
            if self._buf[0] != START:
                junk = len(self._buf) if START not in self._buf else self._buf.index(START)
                out.append(FrameError("bytes outside a frame", bytes(self._buf[:junk])))
                del self._buf[:junk]
                continue
            if len(self._buf) < 3:
                break
            length = (self._buf[1] << 8) | self._buf[2]
            if length < minimum:
                out.append(FrameError(f"impossible length {length}", bytes(self._buf[:3])))
                del self._buf[:1]
                continue
            if len(self._buf) < 3 + length:
                break
            raw = bytes(self._buf[: 3 + length])
            del self._buf[: 3 + length]
            if crc16_genibus(raw[1:-2]) != (raw[-2] << 8) | raw[-1]:
                out.append(FrameError("BCC error", raw))
                continue
            if self.responses:
                out.append(Frame(raw[3], raw[5:-2], raw[4]))
            else:
                out.append(Frame(raw[3], raw[4:-2]))
        return out


# --- request data (host side) ------------------------------------------------------------------------------


def inventory(afi: int = 0) -> Frame:
    """``FE [AFI filter][options]``: UIDs and DSFIDs of the tags in the field (AFI 0 = every tag)."""
    return Frame(CMD_INVENTORY, bytes((afi, INVENTORY_UID | INVENTORY_DSFID)))


def read_multiblock(uid: bytes, first: int, count: int) -> Frame:
    """``02 UID first count`` (old-style answer: per block ``blk# lock/err data``)."""
    return Frame(CMD_READ_MULTIBLOCK, uid + bytes((first, count)))


def write_multiblock(uid: bytes, first: int, data: bytes, block_size: int = 4) -> Frame:
    """``04 UID first count flags(0) data``."""
    return Frame(CMD_WRITE_MULTIBLOCK, uid + bytes((first, len(data) // block_size, 0)) + data)


def addressed(cmd: int, uid: bytes, *fields: int) -> Frame:
    """A command that carries only the UID and single-byte fields (get/write AFI, EAS, tag info)."""
    return Frame(cmd, uid + bytes(fields))


# --- response data ----------------------------------------------------------------------------------------


def parse_inventory(data: bytes) -> list[tuple[int, bytes]]:
    """``AFI options N {DSFID? UID?}×N`` → [(dsfid, uid)], duplicates kept (the pad repeats UIDs)."""
    if len(data) < 3:
        raise ValueError("inventory answer too short")
    options, n = data[1], data[2]
    step = (8 if options & INVENTORY_UID else 0) + (1 if options & INVENTORY_DSFID else 0)
    if not options & INVENTORY_UID or len(data) != 3 + n * step:
        raise ValueError(f"inventory answer of {len(data)} bytes does not hold {n} tags")
    out = []
    for i in range(n):
        chunk = data[3 + i * step : 3 + (i + 1) * step]
        dsfid = chunk[0] if options & INVENTORY_DSFID else 0
        out.append((dsfid, chunk[-8:]))
    return out


def parse_read_multiblock(data: bytes, uid: bytes, first: int, count: int) -> bytes:
    """``UID N {blk# lock/err data(4)}×N`` → the blocks in tag order, checked against the request."""
    if data[:8] != uid:
        raise ValueError("read answer for another tag")
    rest = data[8:]
    if not rest or rest[0] != count or len(rest) != 1 + count * 6:
        raise ValueError(f"read answer does not hold {count} blocks")
    out = bytearray()
    for i in range(count):
        entry = rest[1 + i * 6 : 7 + i * 6]
        if entry[0] != first + i:
            raise ValueError(f"read answer has block {entry[0]} where {first + i} belongs")
        out += entry[2:]
    return bytes(out)


_ERRORS = {
    NOT_IMPLEMENTED: "command not implemented",
    UNKNOWN: "unknown error",
    NOT_SUPPORTED: "not supported",
    OPTION_NOT_SUPPORTED: "option not supported",
    PARAMETER_ERROR: "parameter error",
}


def error_for(code: int, uid: str | None) -> Exception:
    """The typed error for a response's ERR byte."""
    text = f"3M error 0x{code:02X}"
    if code == NO_TRANSPONDER:
        return TagNotFound(f"{text}: no transponder {uid or ''}".rstrip(), uid, code)
    if code == NOT_WRITTEN:
        return TagWriteFailed(f"{text}: not written (not enough power?) on tag {uid}", uid, code)
    if code == LOCKED:
        return TagLocked(f"{text}: locked or password-protected", uid, code)
    if code in (MEMORY_NOT_AVAILABLE, NOT_READ, ISO_ERROR_1, ISO_ERROR_2, ISO_ERROR_3):
        return TagRefused(f"{text}: tag {uid} refused or could not be read", uid, code)
    return ReaderError(f"{text}: {_ERRORS.get(code, 'unexpected error')}", code)


__all__ = ["Frame", "FrameDecoder", "FrameError", "TagError", "build", "error_for"]
