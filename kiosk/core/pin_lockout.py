"""Wrong PINs are counted per pass across sessions, so rescanning the pass does not give new tries.

The count lives in the session state (memory only, never on disk), keyed by a keyed hash of the pass
number, and is forgotten ``[session] pin_lockout_minutes`` after the last wrong PIN (or at once after a
right one). Time is the session clock (the latest Tick): the core has no clock of its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# The key only keeps the hashes from being a plain digest of the pass number; they never leave memory.
_KEY = b"kiosk-pin-lockout"


def pass_key(pass_number: str) -> str:
    """A short keyed hash of a pass number (what the lockout table remembers instead of the number)."""
    return hashlib.blake2b(pass_number.encode(), key=_KEY, digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class PinFailures:
    """Wrong PINs for one pass: how many, and when the last one was typed (session clock seconds)."""

    key: str
    count: int
    last: float


Table = tuple[PinFailures, ...]


def current(table: Table, now: float | None, period: float) -> Table:
    """The table without entries whose last wrong PIN is longer than ``period`` seconds ago."""
    if now is None:
        return table
    return tuple(f for f in table if now - f.last < period)


def failures(table: Table, pass_number: str, now: float | None, period: float) -> int:
    """How many wrong PINs this pass has had within the period."""
    key = pass_key(pass_number)
    return next((f.count for f in current(table, now, period) if f.key == key), 0)


def record_failure(table: Table, pass_number: str, now: float | None, period: float) -> Table:
    """The table with one more wrong PIN for this pass."""
    key = pass_key(pass_number)
    count = failures(table, pass_number, now, period) + 1
    rest = tuple(f for f in current(table, now, period) if f.key != key)
    return (*rest, PinFailures(key, count, now or 0.0))


def forget(table: Table, pass_number: str) -> Table:
    """The table without this pass (a right PIN clears its count)."""
    key = pass_key(pass_number)
    return tuple(f for f in table if f.key != key)
