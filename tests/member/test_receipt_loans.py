"""Item 10: ``[receipt] list_loans = true`` prints all the member's current loans with their due dates
(the account as the ILS gives it, plus this session's loans, minus its returns) -- the assembled kiosk's
runtime over SIP2/TCP to the embedded simulator, the demo file printer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.i18n.formats import format_day
from sip2.simulator import demo
from tests.foundation.waiting import PATIENT_SIP2, settle, wait_for


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    built: list[Kiosk] = []

    def make(list_loans: bool) -> Kiosk:
        config = parse_config(
            f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
            f'[devices]\nprinter = "file://{tmp_path}/receipts"\n[sip2]\npassword = "demo"\n'
            f"{PATIENT_SIP2}[payment]\nenabled = false\n[session]\npin = 'never'\n"
            f"[receipt]\nmode = 'always'\nlist_loans = {'true' if list_loans else 'false'}\n",
            base_dir=tmp_path,
        )
        kiosk = build_kiosk(config)
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.stop()


def session(kiosk: Kiosk, start: ev.Event, item_id: str) -> str:
    """Jan (Tonio on loan) borrows or returns one item and finishes; the receipt's text."""
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    for event in (ev.PassPresented(demo.NORMAL),):
        kiosk.runtime.send(event)
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU and not kiosk.runtime.view.busy, "menu")
    kiosk.runtime.send(start)
    settle(kiosk)
    kiosk.runtime.send(ev.ItemPresented(item_id))
    wait_for(
        kiosk,
        lambda: any(x.item_id == item_id and x.status.value != "pending" for x in kiosk.runtime.view.items),
        "the item's answer",
    )
    kiosk.runtime.send(ev.Finish())
    folder = Path(kiosk.config.devices.printer.removeprefix("file://"))
    wait_for(kiosk, lambda: folder.is_dir() and any(folder.iterdir()), "the receipt")
    return "".join(f.read_text() for f in folder.iterdir())


def test_the_receipt_lists_every_current_loan_with_its_due_date(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(True)
    text = session(kiosk, ev.StartBorrow(), demo.AVAILABLE)
    library = kiosk.ils_simulator.library
    loans = library.loans_of(demo.NORMAL)  # the ILS's books after the session
    assert demo.AVAILABLE in {loan.item_id for loan in loans} and len(loans) > 1
    section = text[text.index(f"Je leningen ({len(loans)})") :]
    for loan in loans:
        assert loan.item_id in section
        assert format_day(loan.due.date(), "nl") in section


def test_a_returned_item_is_not_listed(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(True)
    text = session(kiosk, ev.StartReturn(), demo.ON_LOAN)
    left = len(kiosk.ils_simulator.library.loans_of(demo.NORMAL))
    assert "Ingeleverd (1)" in text and f"Je leningen ({left})" in text
    assert demo.ON_LOAN not in text.split("Je leningen")[1]


def test_without_the_option_only_the_session_is_printed(make_kiosk: Callable[..., Kiosk]) -> None:
    text = session(make_kiosk(False), ev.StartBorrow(), demo.AVAILABLE)
    assert "Geleend (1)" in text and "Je leningen" not in text and demo.ON_LOAN not in text
