"""Barcodes into the session: the scanner says "scanned", the core decides.

* A scanned (or typed) number goes to the session as :class:`~kiosk.core.events.BarcodeScanned`, with
  the pass rule's verdict from the driver; the core's rules (:mod:`kiosk.core.scanned`) make it a pass,
  an item or a refusal — with ``validation = "off"``, by the screen the session is on.
* Keyboard-wedge scanners (``hid://``) type into the kiosk window. :class:`KeyboardEntry` feeds each key
  to the driver's burst detector: a scanner burst is a scan at once; slow typing ended by Enter is taken
  as a number typed by hand (a technician at the kiosk, or the demo on a PC without a scanner).

Technician cards scanned as barcodes go to maintenance like tapped ones (``pass_filters``), before the
session sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.core import events as ev

log = logging.getLogger(__name__)

ENTER = "\r"


class EventSink(Protocol):
    """What the router needs of the runtime: a thread-safe ``send``."""

    def send(self, event: ev.Event) -> None: ...


class ScanRouter:
    """A scanner's :class:`drivers.scanner.Scanned` → :class:`~kiosk.core.events.BarcodeScanned`."""

    def __init__(
        self, runtime: EventSink, validation: str, pass_filters: list[Callable[[str], bool]] | None = None
    ) -> None:
        self.runtime = runtime
        self.validation = validation
        self.pass_filters = pass_filters if pass_filters is not None else []

    def __call__(self, scanned: Any) -> None:
        """Called by a scanner (any thread)."""
        self._route(scanned.text, bool(scanned.is_pass), typed=False)

    def typed(self, number: str, legacy_lengths: tuple[int, ...] | list[int] = ()) -> None:
        """A number typed by hand (ended by Enter): checked like a scan; the core decides what it is (on
        the PIN screen: the PIN)."""
        from drivers.passnumber import validate_pass_number

        self._route(number, validate_pass_number(number, self.validation, legacy_lengths).valid, typed=True)

    def _route(self, text: str, is_pass: bool, typed: bool) -> None:
        text = text.strip()
        if not text:
            return
        if any(consumed(text) for consumed in self.pass_filters):
            return  # a technician card: maintenance took it
        self.runtime.send(ev.BarcodeScanned(text, is_pass, typed))


class KeyboardEntry:
    """Keys from the kiosk window → a ``hid://`` wedge scanner, plus numbers typed by hand.

    ``wedge`` is a :class:`drivers.scanner.HidWedgeScanner` (scans go to its ``on_scan``); ``typed``
    receives a hand-typed number when Enter ends it. Time is passed in: the UI calls :meth:`key` for
    each key and :meth:`poll` at :attr:`deadline`.
    """

    MAX_TYPED = 32

    def __init__(self, wedge: Any, typed: Callable[[str], None]) -> None:
        self.wedge = wedge
        self.typed = typed
        self._buffer = ""

    @property
    def deadline(self) -> float | None:
        """When :meth:`poll` should be called next (``None``: nothing held)."""
        return self.wedge.deadline  # type: ignore[no-any-return]

    def key(self, char: str, now: float) -> None:
        """One key (Enter as ``"\\r"``)."""
        self._take(self.wedge.feed(char, now))

    def poll(self, now: float) -> None:
        """Let the burst detector release keys once a burst is over."""
        self._take(self.wedge.poll(now))

    def _take(self, text: str) -> None:
        for char in text:
            if char in (ENTER, "\n", "\t"):
                number, self._buffer = self._buffer.strip(), ""
                if number:
                    self.typed(number)
            elif char.isprintable():
                self._buffer = (self._buffer + char)[-self.MAX_TYPED :]
