"""The two host-protocol checksums of the RFID readers (pure functions).

* FEIG OBID ISC: CRC-16 with the polynomial x^16+x^12+x^5+1 processed reflected (0x8408), preset 0xFFFF,
  no final XOR (= CRC-16/MCRF4XX, check value 0x6F91), sent LSB first (FEIG manual §3.2; rfid note §4.1).
* 3M/Bibliotheca pad: CRC-16/GENIBUS (0x1021 not reflected, preset 0xFFFF, final XOR 0xFFFF,
  check value 0xD64E), sent MSB first, over every byte after the ``D6`` start byte (rfid note §4.2).
"""

from __future__ import annotations

# One definition of each CRC: the algorithms live in drivers.rfid.models.crc (the tag data models use them
# too); the names here say which reader protocol uses which.
from drivers.rfid.models.crc import crc16_genibus
from drivers.rfid.models.crc import crc16_mcrf4xx as crc16_feig

__all__ = ["crc16_feig", "crc16_genibus"]
