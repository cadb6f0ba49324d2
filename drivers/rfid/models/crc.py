"""The CRCs and simple checksums that library tag data models use (pure functions over bytes).

The Danish model / ISO 28560-3 uses CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
XOR; check value over ``b"123456789"`` = 0x29B1). The other kinds are offered to site layouts, whose
checksum is not known in advance: a technician picks the one that makes the captured tags check.
"""

from __future__ import annotations

from collections.abc import Callable


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no final XOR (check 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def crc16_genibus(data: bytes) -> int:
    """CRC-16/GENIBUS: CCITT-FALSE with a final XOR of 0xFFFF (check 0xD64E)."""
    return crc16_ccitt_false(data) ^ 0xFFFF


def crc16_mcrf4xx(data: bytes) -> int:
    """CRC-16/MCRF4XX: poly 0x8408 reflected, init 0xFFFF, no final XOR (check 0x6F91)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def crc16_x25(data: bytes) -> int:
    """CRC-16/X-25 (ISO 15693's own frame CRC): MCRF4XX with a final XOR of 0xFFFF (check 0x906E)."""
    return crc16_mcrf4xx(data) ^ 0xFFFF


def sum8(data: bytes) -> int:
    """The sum of the bytes modulo 256."""
    return sum(data) & 0xFF


def xor8(data: bytes) -> int:
    """The XOR of the bytes."""
    value = 0
    for byte in data:
        value ^= byte
    return value


CHECKSUMS: dict[str, tuple[Callable[[bytes], int], int]] = {
    "crc16-ccitt-false": (crc16_ccitt_false, 2),
    "crc16-genibus": (crc16_genibus, 2),
    "crc16-mcrf4xx": (crc16_mcrf4xx, 2),
    "crc16-x25": (crc16_x25, 2),
    "sum8": (sum8, 1),
    "xor8": (xor8, 1),
}
"""Checksum kinds by name: the function and the width of its value in bytes."""
