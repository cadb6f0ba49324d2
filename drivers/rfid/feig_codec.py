"""FEIG OBID ISC host protocol frames, sans-IO (FEIG manual H20800-16e-ID-B §3, §7, Annex C/F).

Standard frame, host → reader ``LEN COM-ADR CMD DATA… CRC_LSB CRC_MSB``; reader → host
``LEN COM-ADR CMD STATUS DATA… CRC``. LEN counts every byte including itself and the CRC (≤ 255).
Advanced frame (longer answers): ``02 ALEN_MSB ALEN_LSB COM-ADR CMD [STATUS] DATA… CRC``, ALEN again
counting every byte. A standard LEN is at least 5, so a first byte ``02`` always means an advanced frame.
The CRC (:func:`~drivers.rfid.crc.crc16_feig`) covers every byte before it, the STX included.

ISO 15693 host commands go under ``[0xB0]`` (sub-command first in DATA); the NXP custom EAS commands
under ``[0xB1]`` as ``MFR CMD MODE UID`` (the FEIG SDK passes MFR = 0x04 apart from the request data;
its wire position first in DATA is the rfid note's inference, §4.1 — confirm on an ISC.MR with a capture).
Blocks travel with their bytes reversed ("MSB first", Annex F); :func:`reverse_blocks` undoes that.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.rfid.crc import crc16_feig
from drivers.rfid.errors import (
    ReaderError,
    ReaderOverflow,
    TagAirError,
    TagLocked,
    TagNotFound,
    TagRefused,
    TagWriteFailed,
)

STX = 0x02
BROADCAST_ADDR = 0xFF  # COM-ADR 255 reaches any reader on the line
CMD_ISO = 0xB0
CMD_CUSTOM = 0xB1
MFR_NXP = 0x04

# [0xB0] sub-commands (§7). Lock AFI 0x28, Lock Block 0x22 and Lock EAS 0xA4 are deliberately absent.
ISO_INVENTORY = 0x01
ISO_READ_MULTIPLE = 0x23
ISO_WRITE_MULTIPLE = 0x24
ISO_WRITE_AFI = 0x27
ISO_SYSTEM_INFO = 0x2B
# [0xB1] NXP custom commands (ISO 15693 custom range; rfid note §2)
NXP_SET_EAS = 0xA2
NXP_RESET_EAS = 0xA3
NXP_EAS_ALARM = 0xA5

MODE_ADDRESSED = 0x01
MODE_SEC = 0x08  # Read Multiple Blocks: return each block's security status
MODE_MORE = 0x80  # Inventory: fetch the rest after status 0x94
MODE_NTFC = 0x40  # Inventory: notification mode, the reader inventories until a tag is found (§7.1.1)
NTFC_UNIT = 0.1  # NTFC_TIME counts 100 ms
TR_TYPE_ISO15693 = 0x03
MAX_BLOCKS_PER_READ = 32  # at most 128 bytes per request (§7.2.4)

# Status bytes (Annex C)
OK = 0x00
NO_TRANSPONDER = 0x01
TAG_CRC_ERROR = 0x02
WRITE_ERROR = 0x03
ADDRESS_ERROR = 0x04
WRONG_TRANSPONDER = 0x05
GENERAL_ERROR = 0x0E
EEPROM_ERROR = 0x10
PARAMETER_RANGE = 0x11
UNKNOWN_COMMAND = 0x80
LENGTH_ERROR = 0x81
NOT_AVAILABLE = 0x82
RF_COMMUNICATION = 0x83
BUFFER_OVERFLOW = 0x93
MORE_DATA = 0x94
ISO_ERROR = 0x95
# ISO 15693 error bytes that follow status 0x95
ISO_ERR_UNKNOWN = 0x0F
ISO_ERR_BLOCK_NOT_AVAILABLE = 0x10
ISO_ERR_BLOCK_LOCKED = 0x12
ISO_ERR_NOT_PROGRAMMED = 0x13

MAX_STANDARD = 255
MAX_ADVANCED = 0xFFFF


@dataclass(frozen=True)
class Request:
    """A host → reader frame."""

    addr: int
    cmd: int
    data: bytes = b""
    advanced: bool = False


@dataclass(frozen=True)
class Response:
    """A reader → host frame."""

    addr: int
    cmd: int
    status: int
    data: bytes = b""
    advanced: bool = False


@dataclass(frozen=True)
class FrameError:
    """Bytes that were not a valid frame (bad CRC, impossible length); ``raw`` is what was dropped."""

    reason: str
    raw: bytes


def _wrap(body: bytes, advanced: bool) -> bytes:
    if advanced:
        total = len(body) + 5
        if total > MAX_ADVANCED:
            raise ValueError(f"frame of {total} bytes is too long")
        head = bytes((STX, total >> 8, total & 0xFF)) + body
    else:
        total = len(body) + 3
        if total > MAX_STANDARD:
            raise ValueError(f"frame of {total} bytes needs the advanced protocol")
        head = bytes((total,)) + body
    crc = crc16_feig(head)
    return head + bytes((crc & 0xFF, crc >> 8))


def build_request(req: Request) -> bytes:
    """The bytes of a host → reader frame."""
    return _wrap(bytes((req.addr, req.cmd)) + req.data, req.advanced)


def build_response(resp: Response) -> bytes:
    """The bytes of a reader → host frame (the simulator's side)."""
    return _wrap(bytes((resp.addr, resp.cmd, resp.status)) + resp.data, resp.advanced)


class FrameDecoder:
    """Cuts a byte stream into frames; feed it any number of bytes at a time.

    ``responses=True`` decodes reader → host frames (with STATUS), ``False`` host → reader frames.
    Bytes that cannot start a frame and frames with a wrong CRC come out as :class:`FrameError`.
    A length above ``max_length`` cannot start a frame. With ``resync`` a frame with a wrong CRC costs
    only its first byte and the rest is scanned again (a forgiving reader finds the next frame in noise).
    """

    def __init__(self, responses: bool = True, max_length: int = MAX_ADVANCED, resync: bool = False) -> None:
        self.responses = responses
        self.max_length = max_length
        self.resync = resync
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame."""
        return len(self._buf)

    def reset(self) -> None:
        """Forget a partial frame (after a time-out)."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[Request | Response | FrameError]:
        """Add bytes; return every frame (or error) they completed."""
        self._buf += data
        out: list[Request | Response | FrameError] = []
        minimum = 6 if self.responses else 5
        while self._buf:
            advanced = self._buf[0] == STX
            if advanced:
                if len(self._buf) < 3:
                    break
                total = (self._buf[1] << 8) | self._buf[2]
                header = 3
            else:
                total = self._buf[0]
                header = 1
            if total < minimum + header - 1 or total > self.max_length:
                out.append(FrameError(f"impossible length {total}", bytes(self._buf[:1])))
                del self._buf[:1]
                continue
            if len(self._buf) < total:
                break
            raw = bytes(self._buf[:total])
            if crc16_feig(raw[:-2]) != raw[-2] | (raw[-1] << 8):
                del self._buf[: 1 if self.resync else total]
                out.append(FrameError("CRC error", raw[:1] if self.resync else raw))
                continue
            del self._buf[:total]
            body = raw[header:-2]
            if self.responses:
                out.append(Response(body[0], body[1], body[2], body[3:], advanced))
            else:
                out.append(Request(body[0], body[1], body[2:], advanced))
        return out


def reverse_blocks(data: bytes, block_size: int) -> bytes:
    """Reverse the bytes inside every block (tag order ⇄ FEIG wire order; its own inverse)."""
    if block_size <= 0 or len(data) % block_size:
        raise ValueError(f"{len(data)} bytes are not whole blocks of {block_size}")
    return b"".join(data[i : i + block_size][::-1] for i in range(0, len(data), block_size))


# --- [0xB0]/[0xB1] request data (host side) ----------------------------------------------------------------


def inventory_data(more: bool = False, notify_time: int | None = None) -> bytes:
    """``[01][MODE]``: a new inventory, or with MORE the rest of the last one after status 0x94.

    ``notify_time`` (1..255, in 100 ms): ``[01][MODE NTFC][NTFC_TIME]``, the notification mode: the reader
    runs the inventory internally again and again until a tag is detected, and answers then (or with
    "no transponder" once NTFC_TIME has passed); MORE and NTFC are exclusive (manual §7.1.1, p. 82-83).
    """
    if notify_time is not None:
        if more or not 1 <= notify_time <= 255:
            raise ValueError("a notification inventory takes NTFC_TIME 1..255 and no MORE")
        return bytes((ISO_INVENTORY, MODE_NTFC, notify_time))
    return bytes((ISO_INVENTORY, MODE_MORE if more else 0x00))


def read_multiple_data(uid: bytes, first: int, count: int, security_status: bool = False) -> bytes:
    """``[23][MODE addressed][UID][DB_ADR][DB-N]``. The blocks' security (lock) status is not asked for
    by default: nothing here uses it, and the tag would send one byte more per block (2.4 ms of air for
    8 blocks). The answer carries a SEC-STATUS byte per block either way, 0x00 when not asked
    (manual §7.1.3, p. 93-94)."""
    mode = MODE_ADDRESSED | (MODE_SEC if security_status else 0)
    return bytes((ISO_READ_MULTIPLE, mode)) + uid + bytes((first, count))


def write_multiple_data(uid: bytes, first: int, data: bytes, block_size: int) -> bytes:
    """``[24][MODE][UID][DB_ADR][DB-N][DB-SIZE][DB…]`` with every block reversed for the wire."""
    count = len(data) // block_size
    head = bytes((ISO_WRITE_MULTIPLE, MODE_ADDRESSED)) + uid + bytes((first, count, block_size))
    return head + reverse_blocks(data, block_size)


def write_afi_data(uid: bytes, afi: int) -> bytes:
    """``[27][MODE][UID][AFI]``."""
    return bytes((ISO_WRITE_AFI, MODE_ADDRESSED)) + uid + bytes((afi,))


def system_info_data(uid: bytes) -> bytes:
    """``[2B][MODE][UID]``."""
    return bytes((ISO_SYSTEM_INFO, MODE_ADDRESSED)) + uid


def nxp_data(command: int, uid: bytes) -> bytes:
    """``[MFR][A2|A3|A5][MODE][UID]`` for ``[0xB1]``."""
    return bytes((MFR_NXP, command, MODE_ADDRESSED)) + uid


# --- response data (host side) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryEntry:
    """One tag of an inventory answer: transponder type, DSFID and UID (MSB first)."""

    tr_type: int
    dsfid: int
    uid: bytes


def parse_inventory(data: bytes) -> list[InventoryEntry]:
    """``DATA-SETS {TR-TYPE DSFID UID(8)}×n``; raises ValueError when the data does not add up."""
    if not data:
        raise ValueError("inventory answer without DATA-SETS")
    n = data[0]
    if len(data) != 1 + 10 * n:
        raise ValueError(f"inventory answer announces {n} tags but carries {len(data) - 1} bytes")
    return [InventoryEntry(data[i], data[i + 1], data[i + 2 : i + 10]) for i in range(1, len(data), 10)]


def parse_read_multiple(data: bytes, with_sec: bool = True) -> tuple[int, bytes]:
    """``DB-N DB-SIZE {SEC-STATUS DB}×N`` → (block size, blocks in tag order). A FEIG reader always sends
    SEC-STATUS (0x00 when MODE.SEC was clear); ``with_sec=False`` only reads foreign captures without it."""
    if len(data) < 2:
        raise ValueError("read answer without DB-N/DB-SIZE")
    count, size = data[0], data[1]
    step = size + (1 if with_sec else 0)
    if size == 0 or len(data) != 2 + count * step:
        raise ValueError(f"read answer of {len(data)} bytes does not hold {count} blocks of {size}")
    wire = b"".join(data[2 + i * step + (1 if with_sec else 0) : 2 + (i + 1) * step] for i in range(count))
    return size, reverse_blocks(wire, size)


def parse_system_info(data: bytes) -> tuple[int, bytes, int, int, int, int]:
    """``DSFID UID(8) AFI MEM-SIZE(2: block size − 1, blocks − 1) IC-REF`` → the six values."""
    if len(data) != 13:
        raise ValueError(f"system information of {len(data)} bytes, expected 13")
    return data[0], data[1:9], data[9], (data[10] & 0x1F) + 1, data[11] + 1, data[12]


_READER_ERRORS = {
    ADDRESS_ERROR: "address error (block outside the tag)",
    WRONG_TRANSPONDER: "wrong transponder type",
    GENERAL_ERROR: "general error",
    EEPROM_ERROR: "reader EEPROM failure",
    PARAMETER_RANGE: "parameter out of range",
    UNKNOWN_COMMAND: "unknown command",
    LENGTH_ERROR: "length error",
    NOT_AVAILABLE: "command not available (is the reader in scan mode?)",
}


def status_error(status: int, data: bytes, uid: str | None) -> Exception:
    """The typed error for a non-OK status (0x94 "more data" is not an error and never comes here)."""
    text = f"FEIG status 0x{status:02X}"
    if status == NO_TRANSPONDER:
        return TagNotFound(f"{text}: no transponder {uid or ''}".rstrip(), uid, status)
    if status == WRITE_ERROR:
        return TagWriteFailed(f"{text}: write error on tag {uid}", uid, status)
    if status in (TAG_CRC_ERROR, RF_COMMUNICATION):
        return TagAirError(f"{text}: air interface error (CRC or unfinished anticollision)", uid, status)
    if status == ISO_ERROR:
        iso = data[0] if data else None
        where = f"ISO error 0x{iso:02X}" if iso is not None else "ISO error"
        if iso in (ISO_ERR_BLOCK_LOCKED, 0x14):
            return TagLocked(f"{text}: {where}: locked or password-protected", uid, status)
        return TagRefused(f"{text}: {where} from tag {uid}", uid, status)
    if status == BUFFER_OVERFLOW:
        return ReaderOverflow(f"{text}: more tags than the reader can hold", status)
    if status in _READER_ERRORS:
        return ReaderError(f"{text}: {_READER_ERRORS[status]}", status)
    return ReaderError(f"{text}: unexpected status", status)
