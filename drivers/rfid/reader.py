"""The one RFID reader interface every backend implements (FEIG, 3M pad, PC/SC, simulator).

Every tag command is *addressed* to one UID; nothing is ever sent to all tags at once (a broadcast AFI
write would release every item on the pad). Lock commands (Lock AFI, Lock EAS, Lock Block) are not
offered at all: a locked AFI can never be switched back (ISO 28560-1; rfid note §2).

A UID is written as 16 upper-case hex digits, most significant byte first (``E0040150338607AE``):
the order FEIG and 3M use on their host protocols and the order tags are printed in.
Block data is always returned and accepted in *tag order*; any reversal a reader does on the wire is
undone by its backend.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar

_UID = re.compile(r"^[0-9A-F]{16}$")


def normalise_uid(uid: str) -> str:
    """Accept ``e0:04:01…``, ``E0 04 …`` or ``E00401…``; return 16 upper-case hex digits.

    Raises ValueError for anything that is not 8 bytes of hex.
    """
    text = re.sub(r"[\s:.\-]", "", uid).upper()
    if not _UID.match(text):
        raise ValueError(f"{uid!r} is not a tag UID (8 bytes in hex, e.g. E0040150338607AE)")
    return text


def uid_bytes(uid: str) -> bytes:
    """The UID's 8 bytes, most significant (``E0``) first."""
    return bytes.fromhex(normalise_uid(uid))


def uid_text(raw: bytes) -> str:
    """The text form of an 8-byte UID given most significant byte first."""
    if len(raw) != 8:
        raise ValueError(f"a tag UID has 8 bytes, got {len(raw)}")
    return raw.hex().upper()


@dataclass(frozen=True)
class SystemInfo:
    """What Get System Information (or the 3M Tag Info) tells about one tag; ``None`` = not reported."""

    uid: str
    dsfid: int | None
    afi: int | None
    block_size: int | None
    block_count: int | None
    ic_reference: int | None = None


class Reader(ABC):
    """An HF (ISO 15693) reader with the tags in its field.

    Errors: :class:`~drivers.rfid.errors.TagError` subclasses when the addressed tag cannot do it,
    :class:`~drivers.rfid.errors.ReaderError` when the reader refuses, and the shared
    ``DeviceTimeoutError`` / ``DeviceConnectionError`` / ``DeviceProtocolError`` for the link.
    """

    kind: ClassVar[str] = "abstract"
    #: at most this many tags at once (PC/SC: one card per slot); ``None`` = a stack pad
    max_tags: ClassVar[int | None] = None
    #: whether the reader can reach the NXP EAS bit (FEIG CPR readers cannot, PC/SC only by pass-through)
    supports_eas: ClassVar[bool] = True

    @abstractmethod
    def inventory(self) -> list[str]:
        """The UIDs in the field, each once, in the order the reader found them."""

    def notifies(self) -> bool:
        """Whether :meth:`wait_for_tags` lets the reader itself wait for tags to arrive (FEIG notification
        mode); if not, it is one inventory and the caller polls."""
        return False

    def wait_for_tags(self, longest: float) -> list[str]:
        """The tags in the field as soon as there are any (the reader inventories by itself), or ``[]``
        after about ``longest`` seconds. Readers that cannot wait: one :meth:`inventory`."""
        return self.inventory()

    @abstractmethod
    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """``count`` blocks from block ``first`` of one tag, in tag order."""

    @abstractmethod
    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole blocks (``len(data)`` a multiple of the block size, 4) from block ``first``."""

    @abstractmethod
    def system_info(self, uid: str) -> SystemInfo:
        """DSFID, AFI and memory size of one tag."""

    @abstractmethod
    def write_afi(self, uid: str, value: int) -> None:
        """Write the tag's AFI (addressed; never locked)."""

    @abstractmethod
    def set_eas(self, uid: str, on: bool) -> None:
        """Set (``True``) or reset the NXP EAS bit (custom commands 0xA2 / 0xA3)."""

    @abstractmethod
    def eas_alarm(self, uid: str) -> bool:
        """Whether the tag answers EAS Alarm (0xA5), i.e. its EAS bit is set.

        A tag with EAS off does not answer at all, so ``False`` only means something once the tag is
        known to be present (rfid note §2): :mod:`drivers.rfid.security` checks that first.
        """

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release the port or connection."""

    def __enter__(self) -> Reader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def check_block_range(first: int, count: int, limit: int = 256) -> None:
    """Reject block numbers a tag cannot have (ValueError): caught before anything goes on the wire."""
    if not (0 <= first < limit and count >= 1 and first + count <= limit):
        raise ValueError(f"blocks {first}..{first + count - 1} are outside 0..{limit - 1}")


def check_byte(name: str, value: int) -> None:
    """Reject an AFI/DSFID outside 0..255 (ValueError)."""
    if not 0 <= value <= 0xFF:
        raise ValueError(f"{name} {value} is not a byte (0..255)")
