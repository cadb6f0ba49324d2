"""The two host-protocol checksums of the RFID readers (pure functions).

* FEIG OBID ISC: CRC-16 with the polynomial x^16+x^12+x^5+1 processed reflected (0x8408), preset 0xFFFF,
  no final XOR (= CRC-16/MCRF4XX, check value 0x6F91), sent LSB first (FEIG manual §3.2; rfid note §4.1).
* 3M/Bibliotheca pad: CRC-16/GENIBUS (0x1021 not reflected, preset 0xFFFF, final XOR 0xFFFF,
  check value 0xD64E), sent MSB first, over every byte after the ``D6`` start byte (rfid note §4.2).
"""

from __future__ import annotations


def crc16_feig(data: bytes) -> int:
    """CRC-16/MCRF4XX as FEIG computes it over a whole frame without its two CRC bytes."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def crc16_genibus(data: bytes) -> int:
    """CRC-16/GENIBUS as the 3M pad computes its BCC (everything after ``D6``, without the BCC)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc ^ 0xFFFF
