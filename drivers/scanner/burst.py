"""Tell a keyboard-wedge barcode scanner from a person typing: a sans-IO burst detector.

A HID scanner "types" the barcode into whatever has focus, much faster than a person: a few
milliseconds between keys, then a terminator (Enter, sometimes Tab). The UI feeds every key with its
timestamp; the detector holds keys while they could still be part of a burst and hands them back as
either a :class:`Scan` or, once it is clear a person typed them, as :class:`Keys` (in their original
order; nothing is ever dropped). Time is an argument, never read from a clock: the caller calls
:meth:`BurstDetector.poll` from its own timer (at :attr:`BurstDetector.deadline`) to release held keys.

The rule: a run of at least ``min_length`` keys, each at most ``max_gap`` seconds after the previous
one, ended by a terminator within ``max_gap``, is a scan. With ``require_terminator=False`` a fast run
that simply stops is a scan too (for scanners configured without a suffix).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import DeviceUsageError

DEFAULT_TERMINATORS = ("\r", "\n", "\t")


@dataclass(frozen=True)
class Scan:
    """A barcode typed by a scanner; ``terminator`` is the key that ended it ("" if none)."""

    text: str
    terminator: str = ""

    def __repr__(self) -> str:
        # barcodes may be pass numbers: show only the length and the last 4 characters
        return f"Scan(len={len(self.text)}, ends={self.text[-4:]!r})"


@dataclass(frozen=True)
class Keys:
    """Keys a person typed, released to the UI in order."""

    text: str


WedgeOutput = Scan | Keys


class BurstDetector:
    """Separates scanner bursts from typing. Feed ``(char, timestamp)``; get Scans and Keys out."""

    def __init__(
        self,
        max_gap: float = 0.05,
        min_length: int = 4,
        terminators: tuple[str, ...] = DEFAULT_TERMINATORS,
        require_terminator: bool = True,
        max_length: int = 128,
    ) -> None:
        if max_gap <= 0 or min_length < 1 or max_length < min_length:
            raise DeviceUsageError("need max_gap > 0 and 1 <= min_length <= max_length")
        self.max_gap = max_gap
        self.min_length = min_length
        self.terminators = terminators
        self.require_terminator = require_terminator
        self.max_length = max_length
        self._held: list[str] = []
        self._last: float | None = None

    @property
    def held(self) -> str:
        """Keys held back while they may still be a scan."""
        return "".join(self._held)

    @property
    def deadline(self) -> float | None:
        """When :meth:`poll` should next be called to release held keys (``None``: nothing held)."""
        if not self._held or self._last is None:
            return None
        return self._last + self.max_gap

    def feed(self, char: str, timestamp: float) -> list[WedgeOutput]:
        """Feed one key (a single character; Enter as ``"\\r"``) typed at ``timestamp`` seconds."""
        if len(char) != 1:
            raise DeviceUsageError("feed one character at a time")
        out = self.poll(timestamp)
        self._last = timestamp if self._last is None else max(self._last, timestamp)
        if char in self.terminators:
            if len(self._held) >= self.min_length:
                out.append(Scan(self._take(), char))
            else:
                out.append(Keys(self._take() + char))
            self._last = None
            return out
        self._held.append(char)
        if len(self._held) > self.max_length:  # nothing scans this long: a stuck key, or a very fast typist
            out.append(Keys(self._take()))
        return out

    def poll(self, now: float) -> list[WedgeOutput]:
        """Release held keys if the burst has ended by ``now`` (the gap since the last key is too long)."""
        if not self._held or self._last is None or now - self._last <= self.max_gap:
            return []
        self._last = None
        if not self.require_terminator and len(self._held) >= self.min_length:
            return [Scan(self._take())]
        return [Keys(self._take())]

    def _take(self) -> str:
        text = "".join(self._held)
        self._held.clear()
        return text
