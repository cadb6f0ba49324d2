"""A rental loan carries the item's title from the ILS's answer (the try-out showed
"Materiaal 30301000500096" for the DVD "Zwartboek"): on the line, for the loan and the payment on the
receipt -- and never in the log (titles stay out of logs, DESIGN.md privacy rules)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk
from kiosk.core import events as ev
from kiosk.core.view import LineStatus
from tests.foundation.waiting import wait_for
from tests.member.test_rental_checkout import DVD, dvd_line, make_kiosk, offered, receipts, step

__all__ = ["make_kiosk"]  # the fixture, shared with the other rental tests
TITLE = "Zwartboek"  # the demo DVD's title in the simulated ILS (docs/demo-data.md)


def test_the_rental_line_and_receipt_show_the_title(
    make_kiosk: Callable[..., Kiosk], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk = make_kiosk()
    offered(kiosk)
    offer = dvd_line(kiosk)
    assert offer is not None and offer.title == TITLE  # from the refusal (12 with AJ)
    step(kiosk, ev.PayRental(DVD))
    wait_for(kiosk, lambda: (x := dvd_line(kiosk)) is not None and x.status is LineStatus.DONE, "lent")
    done = dvd_line(kiosk)
    assert done is not None and done.title == TITLE
    step(kiosk, ev.Finish())
    step(kiosk, ev.ReceiptChoice(True))
    folder: Path = receipts(kiosk)
    wait_for(kiosk, lambda: any(folder.iterdir()), "the receipt printed")
    text = "".join(f.read_text() for f in folder.iterdir())
    loans, _, paid = text.partition("Betaald")
    assert TITLE in loans and TITLE in paid  # the loan, and what the payment was for
    assert DVD not in paid
    assert TITLE not in caplog.text
