"""What a scanned barcode is: a library pass, an item, a mistyped pass, or neither.

Passes have their rule (``[passes] validation``, :mod:`drivers.passnumber`); item barcodes get their own
(``[items]``: length, prefix, check digit; the demo's are 14 digits starting with ``3`` with the library
mod-10 check digit). A pass-shaped number that fails its check ("20301000010016", one digit off) is a
mistyped pass, never a returned item; something that is neither pass nor item is refused with a clear
message instead of being sent to the ILS.

Pure functions, no I/O: the scan router asks :func:`classify`, the session shows the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from drivers.passnumber import DUTCH14_LENGTH, PATRON_PREFIX, mod10_check_digit, normalise_pass_number

CHECK_DIGITS = ("mod10", "none")

# The refusal message keys the session shows for a barcode that is not usable.
BAD_PASS = "error.pass_number_wrong"
NOT_AN_ITEM = "error.barcode_unknown"


class BarcodeKind(Enum):
    """What :func:`classify` made of a barcode."""

    PASS = "pass"
    ITEM = "item"
    BAD_PASS = "bad_pass"  # shaped like a pass, but its check fails
    UNKNOWN = "unknown"  # neither a pass nor an item by the library's rules


@dataclass(frozen=True, slots=True)
class ItemRule:
    """The library's item barcode rule. ``length`` 0 and ``prefix`` "" accept any length and start;
    ``check_digit`` is ``mod10`` (the library Codabar digit) or ``none``."""

    length: int = 14
    prefix: str = "3"
    check_digit: str = "mod10"
    digits_only: bool = True

    def __post_init__(self) -> None:
        if self.check_digit not in CHECK_DIGITS:
            raise ValueError(f"item check_digit must be one of {CHECK_DIGITS}, not {self.check_digit!r}")
        if self.length < 0:
            raise ValueError("item barcode length must be 0 (any) or more")

    @classmethod
    def from_config(cls, items: Any) -> ItemRule:
        """From the ``[items]`` section (``barcode_length``, ``barcode_prefix``, ``check_digit``)."""
        return cls(
            length=int(items.barcode_length),
            prefix=str(items.barcode_prefix),
            check_digit=str(items.check_digit),
            digits_only=items.check_digit != "none" or str(items.barcode_prefix).isdigit(),
        )

    def accepts(self, text: str) -> bool:
        """Whether ``text`` is an item barcode by this rule."""
        if not text or (self.digits_only and not text.isdigit()):
            return False
        if self.length and len(text) != self.length:
            return False
        if self.prefix and not text.startswith(self.prefix):
            return False
        if self.check_digit == "mod10":
            return text.isdigit() and len(text) > 1 and mod10_check_digit(text[:-1]) == int(text[-1])
        return True


ANY_ITEM = ItemRule(length=0, prefix="", check_digit="none", digits_only=False)


def looks_like_pass(text: str, pass_validation: str) -> bool:
    """A number shaped like a library pass (the Dutch 14 digits starting with ``2``), checked or not."""
    if pass_validation == "off":
        return False
    number = normalise_pass_number(text)
    return number.isdigit() and len(number) == DUTCH14_LENGTH and number.startswith(PATRON_PREFIX)


def classify(text: str, is_pass: bool, rule: ItemRule, pass_validation: str = "dutch14") -> BarcodeKind:
    """What a scanned ``text`` is; ``is_pass`` is the pass rule's verdict (:mod:`drivers.passnumber`).

    The item rule is asked before the pass shape: a library whose items and passes share a shape still
    gets its items through.
    """
    text = text.strip()
    if is_pass:
        return BarcodeKind.PASS
    if rule.accepts(text):
        return BarcodeKind.ITEM
    if looks_like_pass(text, pass_validation):
        return BarcodeKind.BAD_PASS
    return BarcodeKind.UNKNOWN
