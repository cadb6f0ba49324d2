"""Library pass numbers: validation by the library's numbering scheme, pluggable and switchable off.

The standard Dutch (OCLC Wise) pass number has 14 digits: ``2`` (patron) + 4-digit location + 8-digit
serial + a check digit. Wise does not publish its check-digit algorithm; the common library scheme of the
same shape (14-digit Codabar) is implemented here as ``dutch14``:

    "a mod-10 check digit over digits 1–13 where odd positions are doubled (subtract 9 if > 9), even
    positions added, check = (10 − sum mod 10) mod 10"   (notes/product.md §2)

Worked examples from that note: ``3023400051786`` → 1 and ``3319100010586`` → 4 (both item numbers,
which start with ``3``). Because a library may use another scheme, schemes are registered by name
(:func:`register_scheme`) and ``"off"`` accepts any non-empty number. Older 10–13-digit numbers (legacy
Wise schemes whose check algorithms differ) are accepted on their length alone when the library lists
them in ``legacy_lengths``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

PATRON_PREFIX = "2"
DUTCH14_LENGTH = 14


@dataclass(frozen=True, repr=False)
class PassCheck:
    """The result of checking a pass number: ``valid``, the normalised number, the scheme and why not.

    ``repr`` shows only the last 4 digits, so a check can be logged or printed by accident without
    leaking the full number.
    """

    valid: bool
    number: str
    scheme: str
    reason: str = ""

    @property
    def masked(self) -> str:
        """The number with all but its last 4 characters replaced by ``*``."""
        return mask_pass_number(self.number)

    def __repr__(self) -> str:
        return (
            f"PassCheck(valid={self.valid}, number={self.masked!r}, scheme={self.scheme!r}, "
            f"reason={self.reason!r})"
        )


SchemeCheck = Callable[[str], str]
"""A scheme: takes the normalised number, returns ``""`` if valid or the reason it is not."""


def mask_pass_number(number: str, keep: int = 4) -> str:
    """Mask a pass number to its last ``keep`` characters: ``**********1234``."""
    if len(number) <= keep:
        return "*" * len(number)
    return "*" * (len(number) - keep) + number[-keep:]


def mod10_check_digit(digits: str) -> int:
    """The library mod-10 check digit over ``digits`` (positions counted from 1, odd ones doubled)."""
    total = 0
    for position, char in enumerate(digits, start=1):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def _check_dutch14(number: str) -> str:
    if not number.isdigit():
        return "a pass number has digits only"
    if len(number) != DUTCH14_LENGTH:
        return f"a pass number has {DUTCH14_LENGTH} digits, this one {len(number)}"
    if not number.startswith(PATRON_PREFIX):
        return f"a pass number starts with {PATRON_PREFIX}"
    if mod10_check_digit(number[:-1]) != int(number[-1]):
        return "the check digit does not match"
    return ""


def _check_off(number: str) -> str:
    return "" if number else "empty pass number"


_SCHEMES: dict[str, SchemeCheck] = {"dutch14": _check_dutch14, "off": _check_off}


def register_scheme(name: str, check: SchemeCheck) -> None:
    """Register a numbering scheme under ``name`` (a library with its own check-digit algorithm)."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"scheme name {name!r} must be a word")
    _SCHEMES[name] = check


def schemes() -> tuple[str, ...]:
    """The names of the registered schemes."""
    return tuple(sorted(_SCHEMES))


def normalise_pass_number(text: str) -> str:
    """Strip what scanners and readers add around a number: whitespace, Codabar start/stop letters."""
    number = text.strip().replace(" ", "")
    # Codabar scanners may transmit the start/stop characters (A–D) around the digits.
    if len(number) >= 3 and number[0] in "ABCDabcd" and number[-1] in "ABCDabcd" and number[1:-1].isdigit():
        number = number[1:-1]
    return number


def validate_pass_number(text: str, scheme: str = "dutch14", legacy_lengths: Iterable[int] = ()) -> PassCheck:
    """Check ``text`` as a library pass number.

    ``scheme`` names a registered scheme (``dutch14``, ``off`` or one added with :func:`register_scheme`);
    a number of digits only whose length is in ``legacy_lengths`` is accepted without a check digit.
    Raises ``ValueError`` for an unknown scheme (a configuration error, not a bad pass).
    """
    try:
        check = _SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"unknown pass number scheme {scheme!r}; expected one of {', '.join(schemes())}"
        ) from None
    number = normalise_pass_number(text)
    if not number:
        return PassCheck(False, number, scheme, "empty pass number")
    reason = check(number)
    if reason and number.isdigit() and len(number) in set(legacy_lengths):
        return PassCheck(True, number, f"legacy{len(number)}", "")
    return PassCheck(not reason, number, scheme, reason)


def make_dutch14(location: str, serial: int) -> str:
    """Build a valid 14-digit pass number from a 4-digit location and a serial (demo data, tests)."""
    if len(location) != 4 or not location.isdigit() or not 0 <= serial < 10**8:
        raise ValueError("location is 4 digits, serial 0..99999999")
    body = f"{PATRON_PREFIX}{location}{serial:08d}"
    return body + str(mod10_check_digit(body))
