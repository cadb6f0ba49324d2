"""Dutch library pass numbers and item barcodes for the simulator's demo data.

The standard Wise card number is 14 digits: ``2`` + a 4-digit location (VVVV) + an 8-digit serial + a
check digit.  Wise does not publish its check-digit algorithm; the common library scheme of the same
shape is the 14-digit Codabar number (digit 1 the type: ``2`` patron, ``3`` item), whose last digit is a
mod-10 check over digits 1-13: odd positions doubled (minus 9 when above 9), even positions added,
check = (10 - sum mod 10) mod 10.  The simulator uses that scheme so the kiosk's pass validation accepts
its demo passes.
"""

from __future__ import annotations


def check_digit(first13: str) -> str:
    """Return the mod-10 check digit over the first 13 digits of a library barcode.

    >>> check_digit("3023400051786")
    '1'
    """
    if len(first13) != 13 or not first13.isdigit():
        raise ValueError("a library barcode body is 13 digits")
    total = 0
    for position, char in enumerate(first13, start=1):
        digit = int(char)
        if position % 2 == 1:  # odd positions (1-based) are doubled
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_barcode(number: str) -> bool:
    """Whether *number* is 14 digits whose last digit is the check digit of the first 13."""
    return len(number) == 14 and number.isdigit() and check_digit(number[:13]) == number[13]


def pass_number(location: str, serial: int) -> str:
    """Build a 14-digit patron pass number: ``2`` + location (4 digits) + serial (8 digits) + check."""
    return _barcode("2", location, serial)


def item_barcode(location: str, serial: int) -> str:
    """Build a 14-digit item barcode: ``3`` + location (4 digits) + serial (8 digits) + check."""
    return _barcode("3", location, serial)


def _barcode(kind: str, location: str, serial: int) -> str:
    if len(location) != 4 or not location.isdigit():
        raise ValueError("the location is 4 digits")
    if not 0 <= serial <= 99_999_999:
        raise ValueError("the serial is at most 8 digits")
    body = f"{kind}{location}{serial:08d}"
    return body + check_digit(body)
