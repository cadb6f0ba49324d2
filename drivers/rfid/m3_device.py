"""A simulated 3M / Bibliotheca pad: the pad's side of its serial protocol, on the same frame codec.

Sans-IO like :class:`~drivers.rfid.feig_device.FeigDevice`. The pad answers every addressed command with
``ERR UID …``; an error answer carries the UID only. Like the real pad it lists a UID more than once when
the field says so (``Faults.duplicate_uids``), and a tag whose EAS bit is clear does not answer Check EAS,
so the pad says 0x06 "no transponder" (spec §7.13). An inventory during an unfinished anticollision
finds no tags (the pad retries internally and gives up). Strict mode: bytes outside a frame discard the
buffer, a frame with a bad BCC or an unknown command gets no answer, and (the host runner enforces it)
a command sent while the pad is still busy is ignored (spec §1-2).
"""

from __future__ import annotations

from drivers.rfid import airtime
from drivers.rfid import m3_codec as mc
from drivers.rfid.errors import TagAirError, TagError, TagLocked, TagNotFound, TagWriteFailed
from drivers.rfid.feig_device import Answer
from drivers.rfid.reader import uid_bytes, uid_text
from drivers.rfid.tagfield import TagField

_ADDRESSED = {
    mc.CMD_READ_MULTIBLOCK,
    mc.CMD_WRITE_MULTIBLOCK,
    mc.CMD_GET_AFI,
    mc.CMD_WRITE_AFI,
    mc.CMD_CHECK_EAS,
    mc.CMD_EAS_CONTROL,
    mc.CMD_TAG_INFO,
}


class M3Device:
    """The pad and its tag field."""

    kind = "3m"

    def __init__(self, field: TagField, strict: bool = False) -> None:
        self.field = field
        self.strict = strict
        self._decoder = mc.FrameDecoder(responses=False)
        self.frame_errors = 0

    def receive(self, data: bytes) -> list[Answer]:
        """Feed bytes from the host; return the answers to every complete request."""
        out: list[Answer] = []
        for item in self._decoder.feed(data):
            if isinstance(item, mc.FrameError):
                self.frame_errors += 1
                if self.strict:
                    self._decoder.reset()
                continue
            if self.strict and out:
                continue  # sent before the pad answered the previous command: the pad is busy, ignores it
            answer = self._handle(item)
            if answer is None:
                continue
            frame, air = answer
            raw = mc.build(frame)
            if self.field.take_corrupt_crc():
                raw = raw[:-1] + bytes((raw[-1] ^ 0x5A,))
            out.append(Answer(raw, air))
        return out

    def _handle(self, req: mc.Frame) -> tuple[mc.Frame, float] | None:
        if req.cmd == mc.CMD_INVENTORY:
            if len(req.data) < 2:
                return mc.Frame(req.cmd, b"", mc.PARAMETER_ERROR), 0.0
            afi, options = req.data[0], req.data[1]
            try:
                found = self.field.inventory()
            except TagAirError:
                found = []
            if afi:
                found = [(d, u) for d, u in found if self.field.tag(u).afi == afi]
            options &= mc.INVENTORY_UID | mc.INVENTORY_DSFID
            body = bytes((afi, options, len(found)))
            for dsfid, uid in found:
                body += (bytes((dsfid,)) if options & mc.INVENTORY_DSFID else b"") + (
                    uid_bytes(uid) if options & mc.INVENTORY_UID else b""
                )
            return mc.Frame(req.cmd, body, mc.OK), airtime.inventory(len(found))
        if req.cmd not in _ADDRESSED or len(req.data) < 8:
            if self.strict:
                return None
            return mc.Frame(req.cmd, b"", mc.NOT_IMPLEMENTED), 0.0
        raw_uid, rest = req.data[:8], req.data[8:]
        uid = uid_text(raw_uid)
        try:
            body, air = self._addressed(req.cmd, uid, rest)
        except TagError as exc:
            return mc.Frame(req.cmd, raw_uid, _error_of(exc)), airtime.addressed_miss(12)
        except _Refused as refused:
            return mc.Frame(req.cmd, raw_uid, refused.code), 0.0
        return mc.Frame(req.cmd, raw_uid + body, mc.OK), air

    def _addressed(self, cmd: int, uid: str, rest: bytes) -> tuple[bytes, float]:
        f = self.field
        if cmd == mc.CMD_READ_MULTIBLOCK and len(rest) in (2, 3):
            first, count = rest[0], rest[1]
            data = f.read_blocks(uid, first, count)
            body = bytes((count,)) + b"".join(
                bytes((first + i, 0)) + data[i * 4 : i * 4 + 4] for i in range(count)
            )
            return body, airtime.read_blocks(count)
        if cmd == mc.CMD_WRITE_MULTIBLOCK and len(rest) >= 3:
            first, count, data = rest[0], rest[1], rest[3:]
            if len(data) != 4 * count:
                raise _Refused(mc.PARAMETER_ERROR)
            f.write_blocks(uid, first, data)
            return bytes((first + count,)), airtime.write_blocks(count)
        if cmd == mc.CMD_GET_AFI and not rest:
            return bytes((f.system_info(uid).afi or 0,)), airtime.system_info()
        if cmd == mc.CMD_WRITE_AFI and len(rest) == 1:
            f.write_afi(uid, rest[0])
            return b"", airtime.write_afi()
        if cmd == mc.CMD_CHECK_EAS and not rest:
            if not f.eas_alarm(uid):
                raise TagNotFound("no EAS answer", uid)
            return b"\x01", airtime.eas_alarm(True)
        if cmd == mc.CMD_EAS_CONTROL and len(rest) == 1 and rest[0] in (0, 1):
            f.set_eas(uid, bool(rest[0]))
            return b"", airtime.set_eas()
        if cmd == mc.CMD_TAG_INFO and len(rest) == 1:
            info = f.system_info(uid)
            body = bytes(
                (
                    mc.TAG_INFO_ALL,
                    info.dsfid or 0,
                    info.afi or 0,
                    (info.block_size or 4) - 1,
                    (info.block_count or 32) - 1,
                    0,
                    info.ic_reference or 0,
                )
            )
            return body, airtime.system_info()
        raise _Refused(mc.PARAMETER_ERROR)


class _Refused(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _error_of(exc: TagError) -> int:
    if isinstance(exc, TagNotFound):
        return mc.NO_TRANSPONDER
    if isinstance(exc, TagWriteFailed):
        return mc.NOT_WRITTEN
    if isinstance(exc, TagLocked):
        return mc.LOCKED
    return mc.MEMORY_NOT_AVAILABLE
