"""Barcode scanners: keyboard wedge (``hid://``), serial (``serial:///dev/ttyACM0?baud=9600&suffix=cr``)
and a fake (``fake://``).

Every scanner calls ``on_scan(Scanned)``. A :class:`Scanned` carries the text exactly as scanned (item
barcodes pass through untouched) and ``pass_check``, the text checked as a library pass number by the
configured scheme, so the kiosk can tell "a pass was scanned" from "an item was scanned".

* ``hid://``: the scanner types into the kiosk window. The UI feeds each key to
  :meth:`HidWedgeScanner.feed` (and calls :meth:`HidWedgeScanner.poll` at ``deadline``); it gets back
  the text a person typed, while scans go to ``on_scan`` — on the UI's own thread, synchronously.
* ``serial://PATH?baud=9600&suffix=cr|lf|crlf|tab|none&gap=0.1``: a background thread reads; ``on_scan``
  runs on that thread.
* ``fake://``: :meth:`FakeScanner.scan` delivers from a background thread, like the serial one.

The serial port may be a pyserial URL (``serial://loop://``, ``serial://spy:///dev/ttyACM0``, see
:mod:`drivers.url`). The scheme → backend table is :mod:`drivers.registry` (openers in :mod:`.openers`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from drivers.passnumber import PassCheck, validate_pass_number
from drivers.scanner.burst import BurstDetector, Keys, Scan, WedgeOutput

__all__ = [
    "BurstDetector",
    "FakeScanner",
    "HidWedgeScanner",
    "Keys",
    "Scan",
    "Scanned",
    "Scanner",
    "open_scanner",
]


@dataclass(frozen=True, repr=False)
class Scanned:
    """A barcode from a scanner: its text, where it came from, and the text checked as a pass number."""

    text: str
    source: str
    pass_check: PassCheck

    @property
    def is_pass(self) -> bool:
        """Whether the barcode is a valid library pass number by the configured scheme."""
        return self.pass_check.valid

    def __repr__(self) -> str:
        return f"Scanned(source={self.source!r}, len={len(self.text)}, is_pass={self.is_pass})"


ScanCallback = Callable[[Scanned], None]


class Scanner(Protocol):
    """What every scanner offers besides calling ``on_scan``."""

    def close(self) -> None:
        """Stop the scanner and release the device."""


class _Classifier:
    def __init__(self, source: str, on_scan: ScanCallback, validation: str, legacy: tuple[int, ...]) -> None:
        validate_pass_number("0", validation)  # unknown scheme: fail at open, not at the first scan
        self.source, self.on_scan, self.validation, self.legacy = source, on_scan, validation, legacy

    def __call__(self, text: str) -> None:
        self.on_scan(Scanned(text, self.source, validate_pass_number(text, self.validation, self.legacy)))


class HidWedgeScanner:
    """A keyboard-wedge scanner: the UI feeds keys in, typed text comes back, scans go to ``on_scan``."""

    def __init__(self, classify: Callable[[str], None], detector: BurstDetector) -> None:
        self._classify = classify
        self.detector = detector

    @property
    def deadline(self) -> float | None:
        """When to call :meth:`poll` next (``None``: no key held)."""
        return self.detector.deadline

    def feed(self, char: str, timestamp: float) -> str:
        """Feed one key; returns the text (possibly empty) to pass on to the focused widget."""
        return self._route(self.detector.feed(char, timestamp))

    def poll(self, now: float) -> str:
        """Release held keys once the burst is over; returns typed text for the focused widget."""
        return self._route(self.detector.poll(now))

    def _route(self, outputs: list[WedgeOutput]) -> str:
        typed = []
        for output in outputs:
            if isinstance(output, Scan):
                self._classify(output.text)
            else:
                typed.append(output.text)
        return "".join(typed)

    def close(self) -> None:
        """Nothing to release: the keyboard belongs to the UI."""


class FakeScanner:
    """A scanner for tests and the demo: :meth:`scan` a barcode, delivered on a background thread."""

    def __init__(self, classify: Callable[[str], None]) -> None:
        self._classify = classify
        self._queue: queue.Queue[str | threading.Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver, name="fake-scanner", daemon=True)
        self._thread.start()

    def scan(self, text: str) -> None:
        """Scan ``text`` (an item barcode or a pass number)."""
        self._queue.put(text)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every scan so far has been delivered."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def _deliver(self) -> None:
        while (item := self._queue.get()) is not None:
            if isinstance(item, threading.Event):
                item.set()
            else:
                self._classify(item)

    def close(self) -> None:
        """Stop the delivery thread after pending scans."""
        self._queue.put(None)
        self._thread.join(timeout=5.0)


def open_scanner(
    url: str,
    on_scan: ScanCallback,
    validation: str = "dutch14",
    legacy_lengths: Iterable[int] = (),
) -> Scanner:
    """Open the barcode scanner named by ``url``; ``validation``/``legacy_lengths`` come from ``[passes]``.

    ``hid://`` options: ``gap`` (max seconds between scanner keys, default 0.05), ``min_length`` (4),
    ``terminator=yes|no`` (whether scans end with Enter/Tab, default yes).
    Raises DeviceConfigurationError for a bad URL, DeviceConnectionError if a serial port cannot be opened.
    """
    from drivers.registry import open_device

    scanner: Scanner = open_device(
        "scanner", url, on_scan=on_scan, validation=validation, legacy_lengths=legacy_lengths
    )
    return scanner
