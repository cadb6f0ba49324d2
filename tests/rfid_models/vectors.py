"""Published and hand-built tag images used across the model tests (sources in notes/rfid.md)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# notes/rfid.md §1.2 vector 1: libdanrfid's DDMDataTest (11223344, DE, library 705, CRC 0x3E51).
DANISH_LIBDANRFID = bytes.fromhex("11010131313232333334340000000000000000513e4445373035000000000000")
# §1.2 vector 2: a real Deichman (Oslo) tag, reconstructed from go-feig's integration doc (CRC 2F B0).
DANISH_DEICHMAN = bytes.fromhex("110101313030333031313836303937363030322fb04e4f303230333030303000")

# ISO 28560-2, assembled by hand from the element rules (not by our encoder):
#   61 04 "1234"       primary item id, octet compaction
#   03 04 32 40 8E 17  owner ISIL "FI-He" in ISIL compaction: F I - H (upper 5-bit), latch lower, e, 11 pad
#   24 02 28 3E        set information "0302" (part 2 of 3), numeric compaction = 10302
#   05 01 10           type of usage 0x10 (circulating, unspecified)
#   00                 terminator
ISO2_FINNISH = bytes.fromhex("610431323334030432408e172402283e05011000") + bytes(9)

# Biblio::RFID's 3M 501 layout: 04 is 00 tt, barcode, branch 3 / library 5 (12 + 20 bits), custom, zero block.
M3_BOOK = bytes.fromhex("04000001") + b"1301234567".ljust(16, b"\0") + bytes.fromhex("00300005") + bytes(8)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
