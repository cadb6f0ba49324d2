"""Barcodes into the session: a scanned (or typed) number becomes a pass or an item event.

* A number that passes the library's pass-number check (``[passes] validation``) is a pass; one that
  fits the item rule (``[items]``) is an item (returned, borrowed, renewed — the session decides by its
  screen); a pass-shaped number that fails its check, or anything else, is refused
  (:mod:`kiosk.core.barcodes`) and never sent to the ILS.
* With ``validation = "off"`` nothing tells a pass from an item by its digits, so the screen does: on the
  attract and PIN screens a barcode is a pass, elsewhere an item.
* Keyboard-wedge scanners (``hid://``) type into the kiosk window. :class:`KeyboardEntry` feeds each key
  to the driver's burst detector: a scanner burst is a scan at once; slow typing ended by Enter is taken
  as a number typed by hand (a technician at the kiosk, or the demo on a PC without a scanner).

Technician cards scanned as barcodes go to maintenance like tapped ones (``pass_filters``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.barcodes import ANY_ITEM, BarcodeKind, ItemRule, classify
from kiosk.logsetup import short_hash

log = logging.getLogger(__name__)

ENTER = "\r"
PASS_SCREENS = (Screen.IDLE, Screen.PIN)


class ScanRouter:
    """Turns a scanner's :class:`drivers.scanner.Scanned` into a session event."""

    def __init__(self, runtime: Any, validation: str,
                 pass_filters: list[Callable[[str], bool]] | None = None,
                 item_rule: ItemRule = ANY_ITEM) -> None:
        self.runtime = runtime
        self.validation = validation
        self.item_rule = item_rule
        self.pass_filters = pass_filters if pass_filters is not None else []

    def __call__(self, scanned: Any) -> None:
        """Called by a scanner (any thread)."""
        text = scanned.text.strip()
        if not text:
            return
        kind = classify(text, self._is_pass(scanned), self.item_rule, self.validation)
        if kind is BarcodeKind.PASS:
            log.info("pass scanned: %s", short_hash(text))
            if not any(consumed(text) for consumed in self.pass_filters):
                self.runtime.send(ev.PassPresented(text))
        elif kind is BarcodeKind.ITEM:
            log.info("item scanned: %s", short_hash(text))
            self.runtime.send(ev.ItemPresented(text))
        elif not any(consumed(text) for consumed in self.pass_filters):  # a technician card may not be a pass
            log.info("barcode refused (%s): %s", kind.value, short_hash(text))
            reason = "error.pass_number_wrong" if kind is BarcodeKind.BAD_PASS else "error.barcode_unknown"
            self.runtime.send(ev.BarcodeRefused(reason))

    def typed(self, number: str, legacy_lengths: tuple[int, ...] | list[int] = ()) -> None:
        """A number typed by hand (ended by Enter): checked and routed like a scan."""
        from drivers.passnumber import validate_pass_number
        from drivers.scanner import Scanned

        self(Scanned(number, "keyboard", validate_pass_number(number, self.validation, legacy_lengths)))

    def _is_pass(self, scanned: Any) -> bool:
        if self.validation == "off":
            return bool(self.runtime.view.screen in PASS_SCREENS)
        return bool(scanned.is_pass)


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
                self._buffer = (self._buffer + char)[-self.MAX_TYPED:]
