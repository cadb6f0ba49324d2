"""Printer status: the real-time status bytes of ESC/POS printers, decoded into a :class:`PrinterStatus`.

Two ways to ask, both answered with one byte (Epson ESC/POS command reference):

* ``DLE EOT n`` (10 04 n) is *real-time*: answered even while the printer is busy or off-line.
  n=1 printer status — bit 3: off-line. n=4 roll paper sensor status — bits 2,3: "near-end sensor:
  paper near end" (0Ch); bits 5,6: "roll paper end sensor: paper not present" (60h). In every answer
  bits 1 and 4 are fixed at 1, bits 0 and 7 at 0: that is how a status byte is told from noise.
* ``GS r 1`` (1D 72 01) transmits the paper sensor status — bits 0,1: near end (03h); bits 2,3: paper
  end (0Ch); bits 4 and 7 fixed at 0. It is queued behind print data, so it is the fallback for printers
  without DLE EOT.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"
GS_R_PAPER = b"\x1d\x72\x01"


class Paper(Enum):
    """How much paper is left."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer reported. ``online`` is ``None`` when it was not asked or did not answer."""

    paper: Paper
    online: bool | None = None
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """Whether a receipt can be printed now (unknown paper counts as yes: many printers can't say)."""
        return self.paper is not Paper.OUT and self.online is not False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the technician CLI and health reports."""
        return {
            "paper": self.paper.value,
            "online": self.online,
            "can_print": self.can_print,
            "detail": self.detail,
        }


def _is_dle_eot_answer(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0010


def parse_dle_eot_printer(byte: int) -> bool:
    """``DLE EOT 1`` answer → online? Raises ValueError for a byte that is not a status answer."""
    if not _is_dle_eot_answer(byte):
        raise ValueError(f"not a DLE EOT status byte: {byte:02X}")
    return not byte & 0x08


def parse_dle_eot_paper(byte: int) -> Paper:
    """``DLE EOT 4`` answer → paper state. Raises ValueError for a byte that is not a status answer."""
    if not _is_dle_eot_answer(byte):
        raise ValueError(f"not a DLE EOT status byte: {byte:02X}")
    if byte & 0x60:
        return Paper.OUT
    if byte & 0x0C:
        return Paper.NEAR_END
    return Paper.OK


def parse_gs_r_paper(byte: int) -> Paper:
    """``GS r 1`` answer → paper state. Raises ValueError for a byte that is not a status answer."""
    if byte & 0x90:
        raise ValueError(f"not a GS r 1 status byte: {byte:02X}")
    if byte & 0x0C:
        return Paper.OUT
    if byte & 0x03:
        return Paper.NEAR_END
    return Paper.OK
