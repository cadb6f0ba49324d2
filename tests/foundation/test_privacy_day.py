"""Privacy audit of the whole kiosk: after a scripted day of use (online and offline, loans, returns, a
PIN, a fee payment, an ILS outage and replay) the kiosk's files and its log (the production logging
set-up, at DEBUG) hold no pass number, PIN, name or title, and the offline queue is empty again."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.logsetup import RedactingFilter

from .waiting import PATIENT_SIP2, settle, wait_for

JAN, JAN_PIN, JAN_NAME = "20301000010015", "1234", "Jan de Vries"
SANNE, SANNE_PIN, SANNE_NAME = "20301000010049", "4444", "Sanne Jansen"
HET_DINER, MAX_HAVELAAR = "30301000500013", "30301000500039"
RESERVED = "30301000500070"  # on loan to Jan, reserved by another member: returned to the hold shelf
TITLES = ("Het diner", "Max Havelaar", "Oorlog en terpentijn", "Tonio")
SECRETS = (JAN, SANNE, JAN_NAME, SANNE_NAME, *TITLES)


def act(kiosk: Kiosk, event: ev.Event) -> None:
    kiosk.runtime.send(event)
    settle(kiosk)


def identify(kiosk: Kiosk, pass_number: str, pin: str) -> None:
    act(kiosk, ev.PassPresented(pass_number))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.PIN, "PIN asked")
    act(kiosk, ev.PinEntered(pin))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")


def end_session(kiosk: Kiosk) -> None:
    act(kiosk, ev.Finish())
    if kiosk.runtime.view.screen is Screen.RECEIPT:
        act(kiosk, ev.ReceiptChoice(print_receipt=False))
    wait_for(kiosk, lambda: kiosk.runtime.view.patron is None, "session cleared")


def a_day_at_the_kiosk(kiosk: Kiosk) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    identify(kiosk, JAN, JAN_PIN)  # borrow two books
    act(kiosk, ev.StartBorrow())
    act(kiosk, ev.ItemPresented(HET_DINER))
    act(kiosk, ev.ItemPresented(MAX_HAVELAAR))
    wait_for(kiosk, lambda: sum(1 for i in kiosk.runtime.view.items if i.due) == 2, "two loans")
    end_session(kiosk)
    identify(kiosk, SANNE, SANNE_PIN)  # look at the account and pay a fee
    act(kiosk, ev.ShowAccount())
    wait_for(kiosk, lambda: kiosk.runtime.view.account is not None, "account")
    act(kiosk, ev.StartPay())
    act(kiosk, ev.PayFees(("900002",)))
    wait_for(kiosk, lambda: kiosk.runtime.view.payments, "fee paid")
    end_session(kiosk)
    kiosk.ils_simulator.stop()  # the ILS goes down: returns are queued
    wait_for(kiosk, lambda: not kiosk.circulation.online, "offline")
    act(kiosk, ev.StartReturn())
    for item in (HET_DINER, RESERVED):
        act(kiosk, ev.ItemPresented(item))
    wait_for(kiosk, lambda: kiosk.circulation.store.counts()["queued"] == 2, "two returns queued")
    end_session(kiosk)
    kiosk.ils_simulator.start()  # back: the queue replays by itself
    wait_for(kiosk, lambda: kiosk.circulation.online, "online again")
    wait_for(kiosk, lambda: sum(kiosk.circulation.store.counts().values()) == 0, "queue empty")


def test_after_a_day_disk_and_logs_hold_no_personal_data(tmp_path: Path) -> None:
    # Two captures: the production handler (with kiosk.logsetup's redaction filter) and a raw one. The raw
    # one is the real audit: the filter hashes every long digit run, so only without it would a module
    # that logged a pass number or barcode itself be caught.
    log_stream, raw_stream = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(log_stream)
    handler.addFilter(RedactingFilter())
    raw_handler = logging.StreamHandler(raw_stream)
    root = logging.getLogger()
    old_level, old_handlers = root.level, root.handlers[:]
    # Only these two, raw first: it must see each record before any redaction filter rewrites it.
    root.handlers = [raw_handler, handler]
    root.setLevel(logging.DEBUG)
    data = tmp_path / "var"
    config = parse_config(
        f'[store]\npath = "{data}/kiosk.db"\nkey_file = "{data}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?state={tmp_path}/terminal.json"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}[session]\npin = "always"\n',
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config)
    try:
        a_day_at_the_kiosk(kiosk)
        library = kiosk.ils_simulator.library
        # The ILS's books: the offline returns were applied (once) after the outage.
        assert HET_DINER not in library.loans and RESERVED not in library.loans
        assert library.times_applied("checkin", item_id=RESERVED) == 1
    finally:
        kiosk.stop()
        root.handlers = old_handlers
        root.setLevel(old_level)
    for name, log_text in (("raw log", raw_stream.getvalue()), ("log", log_stream.getvalue())):
        assert "SIP2" in log_text  # the audit read a real, busy log
        for secret in SECRETS:
            assert secret not in log_text, f"{secret!r} in the {name}"
        for pin in (JAN_PIN, SANNE_PIN):
            assert not re.search(rf"(?<![0-9]){pin}(?![0-9])", log_text), f"PIN {pin} in the {name}"
    kiosk_files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name.startswith("kiosk.db") for p in kiosk_files)
    for path in kiosk_files:
        raw = path.read_bytes()
        for secret in SECRETS:
            for encoded in {secret.encode("utf-8"), secret.encode("utf-16-le")}:
                assert encoded not in raw, f"{secret!r} in {path.name}"
        for pin in (JAN_PIN, SANNE_PIN):
            assert f"AD{pin}".encode() not in raw and f"pin={pin}".encode() not in raw
