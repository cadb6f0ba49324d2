"""3M / Bibliotheca pads (Model 210/810 protocol) over USB-serial: ``rfid+3m:///dev/ttyUSB0`` (19200 8N1).

The pad lists a UID more than once when it sees it more than once; :meth:`M3Reader.inventory` keeps the
first. AFI and DSFID come from Tag Info (0x0D). EAS is read with Check EAS (0x03), which a tag with the bit
clear does not answer: the pad then says 0x06, the same as for an absent tag (spec §7.13).
"""

from __future__ import annotations

from typing import ClassVar

from drivers.errors import DeviceProtocolError
from drivers.rfid import m3_codec as mc
from drivers.rfid.reader import (
    Reader,
    SystemInfo,
    check_block_range,
    check_byte,
    normalise_uid,
    uid_bytes,
    uid_text,
)
from drivers.rfid.transport import SerialTransport, exchange

BLOCK_SIZE = 4
MAX_BLOCKS = 32


class M3Reader(Reader):
    """A 3M/Bibliotheca pad."""

    kind: ClassVar[str] = "3m"

    def __init__(self, transport: SerialTransport, retries: int = 2) -> None:
        self.transport = transport
        self.retries = retries
        self._decoder = mc.FrameDecoder(responses=True)

    def close(self) -> None:
        """Close the port."""
        self.transport.close()

    def _call(self, request: mc.Frame, what: str, uid: str | None = None) -> bytes:
        """Send; return the answer's fields after the echoed UID; raise the typed error for ERR ≠ 0."""

        def accept(item: object) -> mc.Frame | None:
            return item if isinstance(item, mc.Frame) and item.cmd == request.cmd else None

        resp = exchange(
            self.transport,
            mc.build(request),
            self._decoder.feed,
            self._decoder.reset,
            accept,
            self.retries,
            f"3M {what}",
        )
        if resp.error:
            raise mc.error_for(resp.error, uid)
        if uid is None:
            return resp.data
        if resp.data[:8] != uid_bytes(uid):
            raise DeviceProtocolError(f"3M {what}: answer for another tag")
        return resp.data[8:]

    def inventory(self) -> list[str]:
        """UIDs in the field, duplicates removed (the pad does not remove them)."""
        data = self._call(mc.inventory(), "inventory")
        try:
            entries = mc.parse_inventory(data)
        except ValueError as exc:
            raise DeviceProtocolError(f"3M inventory: {exc}") from None
        found: list[str] = []
        for _dsfid, raw in entries:
            uid = uid_text(raw)
            if uid not in found:
                found.append(uid)
        return found

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Blocks in tag order, 32 per request at most."""
        check_block_range(first, count)
        uid = normalise_uid(uid)
        out = bytearray()
        for start in range(first, first + count, MAX_BLOCKS):
            n = min(MAX_BLOCKS, first + count - start)
            data = self._call(mc.read_multiblock(uid_bytes(uid), start, n), "read blocks", uid)
            try:
                out += mc.parse_read_multiblock(uid_bytes(uid) + data, uid_bytes(uid), start, n)
            except ValueError as exc:
                raise DeviceProtocolError(f"3M read blocks: {exc}") from None
        return bytes(out)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks, 32 per request at most."""
        if not data or len(data) % BLOCK_SIZE:
            raise ValueError(f"{len(data)} bytes are not whole blocks of {BLOCK_SIZE}")
        count = len(data) // BLOCK_SIZE
        check_block_range(first, count)
        uid = normalise_uid(uid)
        for start in range(first, first + count, MAX_BLOCKS):
            n = min(MAX_BLOCKS, first + count - start)
            chunk = data[(start - first) * BLOCK_SIZE : (start - first + n) * BLOCK_SIZE]
            self._call(mc.write_multiblock(uid_bytes(uid), start, chunk), "write blocks", uid)

    def system_info(self, uid: str) -> SystemInfo:
        """Tag Info (0x0D) with DSFID, AFI, memory size and IC reference requested."""
        uid = normalise_uid(uid)
        data = self._call(mc.addressed(mc.CMD_TAG_INFO, uid_bytes(uid), mc.TAG_INFO_ALL), "tag info", uid)
        if not data:
            raise DeviceProtocolError("3M tag info: empty answer")
        avail, rest = data[0], list(data[1:])
        try:
            dsfid = rest.pop(0) if avail & 0x01 else None
            afi = rest.pop(0) if avail & 0x02 else None
            size = (rest.pop(0) + 1, rest.pop(0) + 1) if avail & 0x04 else (None, None)
            ic_ref = (rest.pop(0) << 8 | rest.pop(0)) if avail & 0x08 else None
        except IndexError:
            raise DeviceProtocolError("3M tag info: answer shorter than its flags say") from None
        return SystemInfo(uid, dsfid, afi, size[0], size[1], ic_ref)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI (0x09)."""
        check_byte("AFI", value)
        uid = normalise_uid(uid)
        self._call(mc.addressed(mc.CMD_WRITE_AFI, uid_bytes(uid), value), "write AFI", uid)

    def set_eas(self, uid: str, on: bool) -> None:
        """EAS Control (0x0C): 1 = set, 0 = reset."""
        uid = normalise_uid(uid)
        self._call(mc.addressed(mc.CMD_EAS_CONTROL, uid_bytes(uid), 1 if on else 0), "EAS control", uid)

    def eas_alarm(self, uid: str) -> bool:
        """Check EAS (0x03): an answer = set; 0x06 = clear (or the tag is gone)."""
        uid = normalise_uid(uid)
        try:
            data = self._call(mc.addressed(mc.CMD_CHECK_EAS, uid_bytes(uid)), "check EAS", uid)
        except Exception as exc:
            if getattr(exc, "code", None) == mc.NO_TRANSPONDER:
                return False
            raise
        return not data or data[0] == 1
