"""A simulated FEIG OBID ISC reader: the reader's side of the host protocol, on the same frame codec.

Sans-IO: :meth:`FeigDevice.receive` takes bytes from the host and returns the answers, each with the ISO
15693 air time the command costs (the host runner waits that long when realistic timing is on). Like the
real reader it sends *nothing* for a frame with a bad CRC (manual §3.1). Strict mode behaves like the
least forgiving reader: a byte that cannot start a frame discards everything buffered, frames for another
COM-ADR are ignored, tag commands must be addressed, more than 32 blocks per read or write is a parameter
error, and a command the protocol does not know is refused with 0x80.

One command takes real time inside :meth:`receive`: an inventory in notification mode (MODE.NTFC) runs the
field's inventory every empty-inventory air time (``pause``) until a tag is there or NTFC_TIME has passed,
as the reader does; a stack put down meanwhile is found by the next internal inventory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.rfid import airtime
from drivers.rfid import feig_codec as fc
from drivers.rfid.errors import TagAirError, TagError, TagLocked, TagNotFound, TagWriteFailed
from drivers.rfid.reader import uid_bytes, uid_text
from drivers.rfid.tagfield import TagField

EAS_SEQUENCE = bytes(range(32))  # what an NXP tag with EAS set answers to EAS Alarm (content irrelevant)
STANDARD_PAGE = (fc.MAX_STANDARD - 7) // 10  # tags that fit one standard inventory answer (24)
ADVANCED_PAGE = 255  # DATA-SETS is one byte
MAX_REQUEST = 300


@dataclass(frozen=True)
class Answer:
    """Bytes for the host and the air time the command took before they can go out."""

    data: bytes
    air_time: float


class FeigDevice:
    """The reader: a COM-ADR, a tag field, strict or lenient."""

    kind = "feig"

    def __init__(
        self,
        field: TagField,
        addr: int = 0x00,
        strict: bool = False,
        pause: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        notification: bool = True,
    ) -> None:
        self.field = field
        self.notification = notification  # False: firmware without MODE.NTFC (answers 0x11 to it)
        self.pause = pause
        self.clock = clock
        self.addr = addr
        self.strict = strict
        # a host never sends more than a 32-block write; a lenient reader re-scans noise for a frame
        self._decoder = fc.FrameDecoder(responses=False, max_length=MAX_REQUEST, resync=not strict)
        self._pending: list[tuple[int, str]] = []  # inventory entries not yet handed out (status 0x94)
        self.frame_errors = 0

    def receive(self, data: bytes) -> list[Answer]:
        """Feed bytes from the host; return the answers to every complete request."""
        out: list[Answer] = []
        for item in self._decoder.feed(data):
            if isinstance(item, fc.FrameError):
                self.frame_errors += 1
                if self.strict:
                    self._decoder.reset()
                continue
            assert isinstance(item, fc.Request)
            if self.strict and item.addr not in (self.addr, fc.BROADCAST_ADDR):
                continue
            status, payload, air = self._handle(item)
            raw = fc.build_response(fc.Response(self.addr, item.cmd, status, payload, item.advanced))
            if self.field.take_corrupt_crc():
                raw = raw[:-1] + bytes((raw[-1] ^ 0x5A,))
            out.append(Answer(raw, air))
        return out

    # --- commands ---------------------------------------------------------------------------------------

    def _handle(self, req: fc.Request) -> tuple[int, bytes, float]:
        if req.cmd == fc.CMD_ISO and req.data:
            return self._iso(req)
        if req.cmd == fc.CMD_CUSTOM and len(req.data) >= 3:
            return self._custom(req.data)
        return fc.UNKNOWN_COMMAND, b"", 0.0

    def _uid_for(self, mode: int, rest: bytes) -> tuple[str, bytes]:
        if mode & 0x07 == fc.MODE_ADDRESSED:
            if len(rest) < 8:
                raise _Status(fc.LENGTH_ERROR)
            return uid_text(rest[:8]), rest[8:]
        if self.strict:
            raise _Status(fc.PARAMETER_RANGE)
        present = self.field.inventory()
        if not present:
            raise _Status(fc.NO_TRANSPONDER)
        return present[0][1], rest

    def _iso(self, req: fc.Request) -> tuple[int, bytes, float]:
        sub, mode, rest = req.data[0], (req.data[1] if len(req.data) > 1 else 0), req.data[2:]
        if sub == fc.ISO_INVENTORY:
            return self._inventory(mode, req.advanced, rest)
        air = 0.0
        try:
            uid, rest = self._uid_for(mode, rest)
            if sub == fc.ISO_READ_MULTIPLE and len(rest) == 2:
                first, count = rest
                air = airtime.read_blocks(max(count, 1), security_status=bool(mode & fc.MODE_SEC))
                if self.strict and count > fc.MAX_BLOCKS_PER_READ:
                    return fc.PARAMETER_RANGE, b"", 0.0
                blocks = self.field.read_blocks(uid, first, count)
                wire = fc.reverse_blocks(blocks, 4)
                # SEC-STATUS precedes every block whether asked or not (0x00 then; manual §7.1.3); only
                # the air time differs: the tag sends the status byte only when MODE.SEC asks for it
                body = b"".join(b"\0" + wire[i : i + 4] for i in range(0, len(wire), 4))
                return fc.OK, bytes((count, 4)) + body, air
            if sub == fc.ISO_WRITE_MULTIPLE and len(rest) >= 3:
                first, count, size = rest[0], rest[1], rest[2]
                data = rest[3:]
                if size != 4 or len(data) != count * size:
                    return fc.LENGTH_ERROR, b"", 0.0
                if self.strict and count > fc.MAX_BLOCKS_PER_READ:
                    return fc.PARAMETER_RANGE, b"", 0.0
                air = airtime.write_blocks(count)
                try:
                    self.field.write_blocks(uid, first, fc.reverse_blocks(data, size))
                except TagWriteFailed:
                    return fc.WRITE_ERROR, bytes((first,)), air
                return fc.OK, b"", air
            if sub == fc.ISO_WRITE_AFI and len(rest) == 1:
                air = airtime.write_afi()
                self.field.write_afi(uid, rest[0])
                return fc.OK, b"", air
            if sub == fc.ISO_SYSTEM_INFO and not rest:
                air = airtime.system_info()
                info = self.field.system_info(uid)
                mem = ((info.block_size or 4) - 1, (info.block_count or 32) - 1)
                body = bytes((info.dsfid or 0,)) + uid_bytes(uid) + bytes((info.afi or 0, *mem))
                return fc.OK, body + bytes((info.ic_reference or 0,)), air
            if sub in (fc.ISO_READ_MULTIPLE, fc.ISO_WRITE_MULTIPLE, fc.ISO_WRITE_AFI, fc.ISO_SYSTEM_INFO):
                return fc.LENGTH_ERROR, b"", 0.0
            return fc.UNKNOWN_COMMAND, b"", 0.0
        except _Status as st:
            return st.status, b"", air
        except TagError as exc:
            return (*_status_of(exc), air or airtime.addressed_miss(12))

    def _inventory(self, mode: int, advanced: bool, rest: bytes = b"") -> tuple[int, bytes, float]:
        air = 0.0
        if mode & fc.MODE_NTFC and not self.notification:
            return fc.PARAMETER_RANGE, b"", 0.0
        if mode & fc.MODE_NTFC and (mode & fc.MODE_MORE or len(rest) != 1 or not rest[0]):
            return (fc.PARAMETER_RANGE if rest else fc.LENGTH_ERROR), b"", 0.0  # MORE and NTFC are exclusive
        if not mode & fc.MODE_MORE:
            try:
                start = cycle = self.clock()  # the request's arrival; when this inventory began
                found = self.field.inventory()
                air = airtime.inventory(len(found))
                if mode & fc.MODE_NTFC:  # the reader inventories by itself until a tag answers
                    held = rest[0] * fc.NTFC_UNIT
                    while not found and cycle + air - start < held:
                        self.pause(max(0.0, cycle + air - self.clock()))  # real time: the reader is busy
                        cycle = self.clock()
                        found = self.field.inventory()
                        air = airtime.inventory(len(found))
                    # the whole command from the request on (the host runner waits out the rest)
                    air = cycle - start + air if found else held
            except TagAirError:
                return fc.RF_COMMUNICATION, b"", airtime.inventory(1)
            if not found:
                self._pending = []
                return fc.NO_TRANSPONDER, b"", air  # the reader's way of saying "no tags" (Annex C)
            limit = self.field.faults.buffer_limit
            if limit is not None and len(found) > limit:
                self._pending = []
                return fc.BUFFER_OVERFLOW, _entries(found[:limit]), air
            self._pending = found
        capacity = ADVANCED_PAGE if advanced else STANDARD_PAGE  # what one answer frame can hold
        page = min(self.field.faults.page_size or capacity, capacity)
        now, self._pending = self._pending[:page], self._pending[page:]
        return (fc.MORE_DATA if self._pending else fc.OK), _entries(now), air

    def _custom(self, data: bytes) -> tuple[int, bytes, float]:
        mfr, command, mode, rest = data[0], data[1], data[2], data[3:]
        if mfr != fc.MFR_NXP or command not in (fc.NXP_SET_EAS, fc.NXP_RESET_EAS, fc.NXP_EAS_ALARM):
            return fc.UNKNOWN_COMMAND, b"", 0.0
        try:
            uid, rest = self._uid_for(mode, rest)
            if rest:
                return fc.LENGTH_ERROR, b"", 0.0
            if command == fc.NXP_EAS_ALARM:
                if self.field.eas_alarm(uid):
                    return fc.OK, EAS_SEQUENCE, airtime.eas_alarm(True)
                return fc.NO_TRANSPONDER, b"", airtime.eas_alarm(False)
            self.field.set_eas(uid, command == fc.NXP_SET_EAS)
            return fc.OK, b"", airtime.set_eas()
        except _Status as st:
            return st.status, b"", 0.0
        except TagError as exc:
            return (*_status_of(exc), airtime.set_eas())


class _Status(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _entries(found: list[tuple[int, str]]) -> bytes:
    return bytes((len(found),)) + b"".join(
        bytes((fc.TR_TYPE_ISO15693, dsfid)) + uid_bytes(uid) for dsfid, uid in found
    )


def _status_of(exc: TagError) -> tuple[int, bytes]:
    if isinstance(exc, TagNotFound):
        return fc.NO_TRANSPONDER, b""
    if isinstance(exc, TagWriteFailed):
        return fc.WRITE_ERROR, b""
    if isinstance(exc, TagLocked):
        return fc.ISO_ERROR, bytes((fc.ISO_ERR_BLOCK_LOCKED,))
    if isinstance(exc, TagAirError):
        return fc.RF_COMMUNICATION, b""
    return fc.ISO_ERROR, bytes((fc.ISO_ERR_BLOCK_NOT_AVAILABLE,))
