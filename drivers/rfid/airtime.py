"""ISO 15693 air time per command: the one place the RF timing of the simulators and the benchmark live.

Figures from ISO/IEC 15693-2/-3 with the carrier fc = 13.56 MHz:

* reader → tag, 1-out-of-4 pulse position coding, 26.48 kbit/s: every pair of bits is a 75.52 µs symbol
  (4 × 18.88 µs), so a byte takes 302.08 µs; SOF 75.52 µs, EOF 37.76 µs;
* tag → reader, high data rate, one subcarrier, 26.48 kbit/s: a bit is 37.76 µs, a byte 302.08 µs;
  SOF and EOF 56.64 µs each;
* t1 = 4320/fc (the tag waits this long after the reader's EOF before it answers), t2 = 4192/fc (the
  reader waits this long after an answer before the next EOF/request), t3 = 4384/fc + a tag SOF (an
  inventory slot nobody answers in);
* every frame ends with a 2-byte CRC; requests start with the flags byte and the command code.

Writes: with the option flag clear the tag answers once its EEPROM is programmed. ISO only bounds that by
20 ms; :data:`PROGRAMMING_S` (5.8 ms) is an assumed typical ICODE SLIX figure — the one number here not
taken from the standard. ICODE SLI has no Write Multiple Blocks, so n blocks cost n Write Single Block.

Anticollision is modelled collision-free (the ideal, i.e. a floor): 16 slots per round, up to 16 tags
answer per round, and from the second round on every tag already found is first sent Stay Quiet.
"""

from __future__ import annotations

FC = 13.56e6
VCD_SYMBOL = 1024 / FC  # 75.52 µs for two bits (1 out of 4)
VCD_BYTE = 4 * VCD_SYMBOL  # 302.08 µs
VCD_SOF = VCD_SYMBOL  # 75.52 µs
VCD_EOF = VCD_SYMBOL / 2  # 37.76 µs
VICC_BYTE = 8 * 512 / FC  # 302.08 µs (37.76 µs per bit)
VICC_SOF = 768 / FC  # 56.64 µs
VICC_EOF = 768 / FC  # 56.64 µs
T1 = 4320 / FC
T2 = 4192 / FC
T3 = 4384 / FC + VICC_SOF
PROGRAMMING_S = 0.0058
SLOTS = 16
CRC = 2


def request(nbytes: int) -> float:
    """A reader → tag frame of ``nbytes`` (flags, command, parameters, CRC)."""
    return VCD_SOF + nbytes * VCD_BYTE + VCD_EOF


def answer(nbytes: int) -> float:
    """t1, then a tag → reader frame of ``nbytes``, then t2 before the reader may go on."""
    return T1 + VICC_SOF + nbytes * VICC_BYTE + VICC_EOF + T2


def no_answer() -> float:
    """How long the reader listens before it decides a tag is not there."""
    return T3


def inventory(n_tags: int) -> float:
    """Find ``n_tags`` with 16-slot inventories (collision-free: the floor)."""
    total = 0.0
    found = 0
    while True:
        if found:
            total += found * request(1 + 1 + 8 + CRC)  # Stay Quiet to every tag already found (no answer)
        this_round = min(SLOTS, n_tags - found)
        total += request(1 + 1 + 1 + CRC)  # flags, Inventory, mask length 0, CRC
        total += this_round * answer(1 + 1 + 8 + CRC)  # flags, DSFID, UID, CRC
        total += (SLOTS - this_round) * T3
        total += (SLOTS - 1) * VCD_EOF  # an EOF moves every tag to the next slot
        found += this_round
        if found >= n_tags:
            return total


def read_blocks(count: int, block_size: int = 4, security_status: bool = True) -> float:
    """Read Multiple Blocks (addressed): request 13 bytes, answer flags + blocks (+ status) + CRC."""
    per_block = block_size + (1 if security_status else 0)
    return request(1 + 1 + 8 + 1 + 1 + CRC) + answer(1 + count * per_block + CRC)


def write_blocks(count: int, block_size: int = 4) -> float:
    """``count`` Write Single Block commands, each waiting for the EEPROM."""
    return count * (request(1 + 1 + 8 + 1 + block_size + CRC) + PROGRAMMING_S + answer(1 + CRC))


def write_afi() -> float:
    """Write AFI (addressed)."""
    return request(1 + 1 + 8 + 1 + CRC) + PROGRAMMING_S + answer(1 + CRC)


def system_info() -> float:
    """Get System Information: answer flags, info flags, UID, DSFID, AFI, memory size, IC ref, CRC."""
    return request(1 + 1 + 8 + CRC) + answer(1 + 1 + 8 + 1 + 1 + 2 + 1 + CRC)


def set_eas() -> float:
    """NXP Set/Reset EAS (flags, command, manufacturer code, UID, CRC)."""
    return request(1 + 1 + 1 + 8 + CRC) + PROGRAMMING_S + answer(1 + CRC)


def eas_alarm(answered: bool) -> float:
    """NXP EAS Alarm: a tag with EAS set answers a 32-byte EAS sequence; one without stays silent."""
    return request(1 + 1 + 1 + 8 + CRC) + (answer(1 + 32 + CRC) if answered else T3)


def addressed_miss(nbytes: int) -> float:
    """An addressed command nobody answers (the tag has left)."""
    return request(nbytes) + T3


def inventory_and_read(n_tags: int, blocks: int = 8) -> float:
    """The pad's everyday job: find ``n_tags`` and read ``blocks`` of each (the benchmark's floor)."""
    return inventory(n_tags) + n_tags * read_blocks(blocks)
