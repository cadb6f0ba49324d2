"""Item 4: offline loans are on the receipt and the screen, not skipped."""

from __future__ import annotations

from datetime import datetime

from drivers.printer.receipt import render_text
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.view import LineKind
from kiosk.services.receipts import build_receipt
from sip2.simulator import IlsSimulator, demo
from tests.core.harness import Kiosk


def test_a_loan_made_offline_is_printed_with_processed_later(kiosk: Kiosk, sim: IlsSimulator) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartBorrow(), ev.ItemPresented(demo.AVAILABLE))
    sim.stop()
    kiosk.do(ev.ItemPresented(demo.AVAILABLE_2))
    kiosk.wait_for(lambda: not kiosk.session.view.ils_online)
    (offline,) = [line for line in kiosk.session.view.lines(LineKind.LOAN) if line.offline]
    assert any(note.key == "offline.queued" for note in offline.notes)  # the screen says so too
    effects = kiosk.do(ev.Finish(), ev.ReceiptChoice(True))
    (receipt,) = [e for e in effects if isinstance(e, fx.PrintReceipt)]
    text = render_text(build_receipt(receipt, "Bibliotheek Wierden", datetime(2026, 12, 6, 10, 0)), 42)
    assert demo.AVAILABLE_2 in text  # the loan is on paper, not skipped
    assert "Wordt verwerkt zodra het" in text and "Geleend (2)" in text
    sim.start()
