"""Virtual ISO 15693 tags in a reader's field, with the faults real pads show (sans-IO, no clock).

:class:`TagField` is what the simulated readers (``rfid+sim://``, the FEIG and 3M device simulators)
answer from. It raises the same :mod:`drivers.rfid.errors` a driver raises, so each device maps them to
its own status bytes. Faults (:class:`Faults`) are set per scenario or by a test:

* ``drop_out[uid] = n``: the tag leaves the field during its n-th addressed command (a write may be
  half done: the first block is written, then the tag is gone);
* ``write_failures[uid] = n``: the next n writes to that tag fail (FEIG 0x03, 3M 0x16);
* ``collision_bursts = n``: the next n inventories end with an unfinished anticollision (FEIG 0x83);
* ``duplicate_uids``: an inventory lists the first tag twice (the 3M pad does not de-duplicate);
* ``corrupt_crc = n``: the device corrupts the checksum of its next n answers;
* ``page_size`` / ``buffer_limit``: the reader hands out at most ``page_size`` tags per answer (FEIG
  status 0x94, more data) and holds at most ``buffer_limit`` (0x93);
* a tag's ``password_protected``: AFI and EAS writes are refused (ICODE SLIX password protection).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from drivers.rfid.errors import TagAirError, TagLocked, TagNotFound, TagRefused, TagWriteFailed
from drivers.rfid.reader import SystemInfo, normalise_uid

BLOCK_SIZE = 4
BLOCK_COUNT = 32  # ICODE SLI: 32 blocks of 4 bytes, user blocks 0-27 (FEIG manual §9.1.7)


@dataclass
class VirtualTag:
    """One tag: UID (MSB first), user memory, AFI, DSFID, the NXP EAS bit, presence."""

    uid: str
    blocks: bytearray = field(default_factory=lambda: bytearray(BLOCK_SIZE * BLOCK_COUNT))
    afi: int = 0x07
    dsfid: int = 0x00
    eas: bool = True
    password_protected: bool = False
    present: bool = True
    ic_reference: int = 0x01
    block_size: int = BLOCK_SIZE

    def __post_init__(self) -> None:
        self.uid = normalise_uid(self.uid)
        if len(self.blocks) % self.block_size:
            raise ValueError("tag memory must be whole blocks")
        self.blocks = bytearray(self.blocks)

    @property
    def block_count(self) -> int:
        """Number of blocks in user memory."""
        return len(self.blocks) // self.block_size


@dataclass
class Faults:
    """Fault injection for a :class:`TagField` (see the module docstring)."""

    drop_out: dict[str, int] = field(default_factory=dict)
    write_failures: dict[str, int] = field(default_factory=dict)
    collision_bursts: int = 0
    duplicate_uids: bool = False
    corrupt_crc: int = 0
    page_size: int | None = None
    buffer_limit: int | None = None


class TagField:
    """The tags on the pad; thread-safe, so a test can move tags while a device thread answers."""

    def __init__(self, tags: list[VirtualTag] | None = None, faults: Faults | None = None) -> None:
        self.tags: list[VirtualTag] = list(tags or [])
        self.faults = faults or Faults()
        self.lock = threading.RLock()
        self.commands: list[tuple[str, str | None]] = []  # (operation, uid): what the tags were asked

    # --- the pad, as a test or technician moves items ------------------------------------------------------

    def add(self, tag: VirtualTag) -> None:
        """Put a tag on the pad."""
        with self.lock:
            self.tags.append(tag)

    def remove(self, uid: str) -> None:
        """Take a tag off the pad."""
        with self.lock:
            for tag in self.tags:
                if tag.uid == normalise_uid(uid):
                    tag.present = False

    def tag(self, uid: str) -> VirtualTag:
        """The tag with this UID, present or not (KeyError if there is none)."""
        wanted = normalise_uid(uid)
        for tag in self.tags:
            if tag.uid == wanted:
                return tag
        raise KeyError(uid)

    def take_corrupt_crc(self) -> bool:
        """Whether the device must corrupt the answer it is about to send (counts the fault down)."""
        with self.lock:
            if self.faults.corrupt_crc > 0:
                self.faults.corrupt_crc -= 1
                return True
            return False

    # --- what the air interface does ----------------------------------------------------------------------

    def inventory(self) -> list[tuple[int, str]]:
        """(DSFID, UID) of every present tag; raises TagAirError during a collision burst."""
        with self.lock:
            self.commands.append(("inventory", None))
            if self.faults.collision_bursts > 0:
                self.faults.collision_bursts -= 1
                raise TagAirError("anticollision did not finish")
            found = [(t.dsfid, t.uid) for t in self.tags if t.present]
            if self.faults.duplicate_uids and found:
                found.insert(1, found[0])
            return found

    def _addressed(self, operation: str, uid: str) -> VirtualTag:
        self.commands.append((operation, uid))
        wanted = normalise_uid(uid)
        matches = [t for t in self.tags if t.uid == wanted and t.present]
        if not matches:
            raise TagNotFound(f"tag {wanted} does not answer", wanted)
        tag = matches[0]
        left = self.faults.drop_out.get(wanted)
        if left is not None:
            if left <= 1:
                del self.faults.drop_out[wanted]
                tag.present = False
                if operation == "write_blocks":
                    raise _HalfWritten(tag)
                raise TagNotFound(f"tag {wanted} left the field", wanted)
            self.faults.drop_out[wanted] = left - 1
        return tag

    def _check_write(self, tag: VirtualTag) -> None:
        left = self.faults.write_failures.get(tag.uid, 0)
        if left > 0:
            self.faults.write_failures[tag.uid] = left - 1
            raise TagWriteFailed(f"write to {tag.uid} not confirmed", tag.uid)

    @staticmethod
    def _range(tag: VirtualTag, first: int, count: int) -> slice:
        if count < 1 or first < 0 or first + count > tag.block_count:
            raise TagRefused(f"blocks {first}+{count} not available on {tag.uid}", tag.uid)
        return slice(first * tag.block_size, (first + count) * tag.block_size)

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Blocks in tag order."""
        with self.lock:
            tag = self._addressed("read_blocks", uid)
            return bytes(tag.blocks[self._range(tag, first, count)])

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks (a dropping tag keeps the first block written and leaves)."""
        with self.lock:
            try:
                tag = self._addressed("write_blocks", uid)
            except _HalfWritten as half:
                size = half.tag.block_size
                if 0 <= first < half.tag.block_count and len(data) >= size:
                    half.tag.blocks[first * size : (first + 1) * size] = data[:size]
                raise TagNotFound(f"tag {half.tag.uid} left the field during a write", half.tag.uid) from None
            if len(data) % tag.block_size or not data:
                raise TagRefused(f"{len(data)} bytes are not whole blocks", tag.uid)
            where = self._range(tag, first, len(data) // tag.block_size)
            self._check_write(tag)
            tag.blocks[where] = data

    def system_info(self, uid: str) -> SystemInfo:
        """Get System Information."""
        with self.lock:
            tag = self._addressed("system_info", uid)
            return SystemInfo(tag.uid, tag.dsfid, tag.afi, tag.block_size, tag.block_count, tag.ic_reference)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI (refused on a password-protected tag)."""
        with self.lock:
            tag = self._addressed("write_afi", uid)
            if tag.password_protected:
                raise TagLocked(f"AFI of {tag.uid} is password-protected", tag.uid)
            self._check_write(tag)
            tag.afi = value

    def set_eas(self, uid: str, on: bool) -> None:
        """Set or reset the EAS bit (refused on a password-protected tag)."""
        with self.lock:
            tag = self._addressed("set_eas" if on else "reset_eas", uid)
            if tag.password_protected:
                raise TagLocked(f"EAS of {tag.uid} is password-protected", tag.uid)
            self._check_write(tag)
            tag.eas = on

    def eas_alarm(self, uid: str) -> bool:
        """Whether the tag answers EAS Alarm; a tag with EAS off stays silent, like an absent one."""
        with self.lock:
            try:
                tag = self._addressed("eas_alarm", uid)
            except TagNotFound:
                return False
            return tag.eas


class _HalfWritten(Exception):
    """Internal: the tag left during a write (carries the tag so the first block can be kept)."""

    def __init__(self, tag: VirtualTag) -> None:
        super().__init__(tag.uid)
        self.tag = tag
