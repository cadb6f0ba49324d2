"""The core decides what a scanned barcode is: a pass, an item, or refused.

The scanner only says "scanned" (:class:`~kiosk.core.events.BarcodeScanned`, with the pass rule's verdict
from the driver); :func:`presented` turns it into the session event by the library's rules
(:mod:`kiosk.core.barcodes`):

* A number that passes the library's pass-number check (``[passes] validation``) is a pass; one that
  fits the item rule (``[items]``) is an item (returned, borrowed, renewed — the session decides by its
  screen); a pass-shaped number that fails its check, or anything else, is refused and never sent to
  the ILS.
* With ``validation = "off"`` nothing tells a pass from an item by its digits, so the screen does: on the
  attract and PIN screens a barcode is a pass, elsewhere an item.
* Digits typed by hand on the PIN screen (a tactile USB keypad, ended by Enter) are the member's PIN, not
  a pass: never sent to the ILS as a patron id, and never logged, not even as a hash (a PIN has too few
  digits for a hash to hide it).
"""

from __future__ import annotations

import logging

from kiosk.core import events as ev
from kiosk.core.barcodes import BAD_PASS, NOT_AN_ITEM, BarcodeKind, classify
from kiosk.core.state import SessionSettings
from kiosk.core.view import Screen
from kiosk.logsetup import short_hash

log = logging.getLogger(__name__)

# Where a barcode is a pass when the pass rule is off.
PASS_SCREENS = (Screen.ATTRACT, Screen.PIN)


def presented(settings: SessionSettings, screen: Screen, event: ev.BarcodeScanned) -> ev.Event:
    """The session event for a scanned barcode on ``screen``: pass, item, or a refusal."""
    text = event.text.strip()
    if event.typed and screen is Screen.PIN:
        log.info("PIN typed on the keypad")
        return ev.PinEntered(text)
    is_pass = screen in PASS_SCREENS if settings.pass_validation == "off" else event.is_pass
    kind = classify(text, is_pass, settings.item_rule, settings.pass_validation)
    if kind is BarcodeKind.PASS:
        log.info("pass scanned: %s", short_hash(text))
        return ev.PassPresented(text)
    if kind is BarcodeKind.ITEM:
        log.info("item scanned: %s", short_hash(text))
        return ev.ItemPresented(text)
    log.info("barcode refused (%s): %s", kind.value, short_hash(text))
    return ev.BarcodeRefused(BAD_PASS if kind is BarcodeKind.BAD_PASS else NOT_AN_ITEM)
