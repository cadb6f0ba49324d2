"""``rfid+sim://?scenario=NAME``: a reader with its tag field in memory (no bytes, no ports).

It behaves like an ideal pad reader: unfinished anticollisions are retried, duplicate UIDs removed, and
every tag error of the field (:mod:`drivers.rfid.tagfield`) reaches the caller as it would from a real
reader. For the byte protocols use the FEIG / 3M device simulators (:mod:`drivers.rfid.sim_host`).
"""

from __future__ import annotations

from typing import ClassVar

from drivers.rfid.errors import TagAirError
from drivers.rfid.reader import Reader, SystemInfo, check_block_range, check_byte
from drivers.rfid.tagfield import TagField

INVENTORY_ATTEMPTS = 4


class SimReader(Reader):
    """A reader over a :class:`TagField` (the field stays reachable as ``.field`` for tests and demos)."""

    kind: ClassVar[str] = "sim"

    def __init__(self, field: TagField, scenario: str = "") -> None:
        self.field = field
        self.scenario = scenario

    def inventory(self) -> list[str]:
        """Present tags, each once."""
        for attempt in range(INVENTORY_ATTEMPTS):
            try:
                found = self.field.inventory()
                break
            except TagAirError:
                if attempt == INVENTORY_ATTEMPTS - 1:
                    raise
        out: list[str] = []
        for _dsfid, uid in found:
            if uid not in out:
                out.append(uid)
        return out

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Blocks in tag order."""
        check_block_range(first, count)
        return self.field.read_blocks(uid, first, count)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks."""
        if not data or len(data) % 4:
            raise ValueError(f"{len(data)} bytes are not whole blocks of 4")
        check_block_range(first, len(data) // 4)
        self.field.write_blocks(uid, first, data)

    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI, memory size."""
        return self.field.system_info(uid)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI."""
        check_byte("AFI", value)
        self.field.write_afi(uid, value)

    def set_eas(self, uid: str, on: bool) -> None:
        """Set/reset EAS."""
        self.field.set_eas(uid, on)

    def eas_alarm(self, uid: str) -> bool:
        """Whether the EAS bit answers."""
        return self.field.eas_alarm(uid)
