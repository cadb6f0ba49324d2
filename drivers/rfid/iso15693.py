"""ISO 15693-3 air frames (the tag's own command set) for readers that pass them through, sans-IO.

Used by the PC/SC backend's transparent exchange (PC/SC part 3 ``FF C2 00 01``, TLV 0x95) and by its
card simulator. Requests are ``flags cmd [mfr] UID(LSB first) params``; the reader adds SOF, CRC and EOF.
Answers are ``flags [error | data]``: flags bit 0 set means the next byte is an ISO error code.
"""

from __future__ import annotations

from drivers.rfid.reader import uid_bytes

FLAG_HIGH_RATE = 0x02
FLAG_ADDRESSED = 0x20
REQUEST_FLAGS = FLAG_HIGH_RATE | FLAG_ADDRESSED
ANSWER_ERROR = 0x01

READ_SINGLE = 0x20
WRITE_SINGLE = 0x21
WRITE_AFI = 0x27
SYSTEM_INFO = 0x2B
NXP_SET_EAS, NXP_RESET_EAS, NXP_EAS_ALARM = 0xA2, 0xA3, 0xA5
MFR_NXP = 0x04
CUSTOM = (NXP_SET_EAS, NXP_RESET_EAS, NXP_EAS_ALARM)


def air_uid(uid: str) -> bytes:
    """The UID as it goes on the air: least significant byte first (rfid note §1.5)."""
    return uid_bytes(uid)[::-1]


def request(command: int, uid: str, params: bytes = b"") -> bytes:
    """An addressed request; NXP custom commands get the manufacturer code after the command byte."""
    head = bytes((REQUEST_FLAGS, command)) + (bytes((MFR_NXP,)) if command in CUSTOM else b"")
    return head + air_uid(uid) + params


def parse_system_info(answer: bytes) -> tuple[int | None, int | None, int | None, int | None, int | None]:
    """``flags info-flags UID(8) [DSFID] [AFI] [mem(2)] [IC ref]`` → (dsfid, afi, block size, blocks, ic)."""
    if len(answer) < 10:
        raise ValueError("system information answer too short")
    info, rest = answer[1], list(answer[10:])
    try:
        dsfid = rest.pop(0) if info & 0x01 else None
        afi = rest.pop(0) if info & 0x02 else None
        blocks, size = (rest.pop(0) + 1, (rest.pop(0) & 0x1F) + 1) if info & 0x04 else (None, None)
        ic = rest.pop(0) if info & 0x08 else None
    except IndexError:
        raise ValueError("system information shorter than its flags say") from None
    return dsfid, afi, size, blocks, ic
