"""Barcodes into the session: the real keyboard-wedge driver (burst detector) + routing to events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from drivers.scanner import open_scanner
from kiosk.assembly import build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen, SessionSettings
from kiosk.core import events as ev
from kiosk.core.scanned import presented
from kiosk.scanning import KeyboardEntry, ScanRouter

from .waiting import PATIENT_SIP2, wait_for

PASS, ITEM = "20301000010015", "30301000500013"


@dataclass
class View:
    screen: Screen = Screen.ATTRACT


@dataclass
class Recorder:
    """Stands in for the runtime: ``send`` lets the core's rule decide what a scan is (as the session
    does on the screen of ``view``) and records the session event."""

    view: View = field(default_factory=View)
    events: list[ev.Event] = field(default_factory=list)
    settings: SessionSettings = field(default_factory=SessionSettings)

    def send(self, event: ev.Event) -> None:
        assert isinstance(event, ev.BarcodeScanned)  # the scanner only says "scanned"
        self.events.append(presented(self.settings, self.view.screen, event))


def keyboard(runtime: Recorder, validation: str = "dutch14", filters=None) -> KeyboardEntry:  # type: ignore[no-untyped-def]
    runtime.settings = replace(runtime.settings, pass_validation=validation)
    router = ScanRouter(runtime, validation, filters)
    wedge = open_scanner("hid://", router, validation)
    return KeyboardEntry(wedge, router.typed)


def type_text(entry: KeyboardEntry, text: str, start: float, gap: float) -> float:
    now = start
    for char in text:
        entry.key(char, now)
        now += gap
    entry.poll(now + 1.0)
    return now + 1.0


def test_scanner_burst_of_a_pass_number_presents_the_pass() -> None:
    runtime = Recorder()
    type_text(keyboard(runtime), PASS + "\r", 100.0, 0.005)
    assert runtime.events == [ev.PassPresented(PASS)]


def test_scanner_burst_of_an_item_barcode_presents_the_item() -> None:
    runtime = Recorder()
    type_text(keyboard(runtime), ITEM + "\r", 100.0, 0.005)
    assert runtime.events == [ev.ItemPresented(ITEM)]


def test_hand_typed_number_ended_by_enter_counts_too() -> None:
    runtime = Recorder()
    type_text(keyboard(runtime), ITEM + "\r", 100.0, 0.3)  # a person typing, not a scanner
    assert runtime.events == [ev.ItemPresented(ITEM)]


def test_typing_without_enter_sends_nothing() -> None:
    runtime = Recorder()
    type_text(keyboard(runtime), "hello", 100.0, 0.3)
    assert runtime.events == []


def test_without_validation_the_screen_decides() -> None:
    runtime = Recorder()
    entry = keyboard(runtime, validation="off")
    now = type_text(entry, "12345678\r", 100.0, 0.005)
    runtime.view.screen = Screen.BORROW
    type_text(entry, "12345678\r", now, 0.005)
    assert runtime.events == [ev.PassPresented("12345678"), ev.ItemPresented("12345678")]


def test_technician_card_goes_to_maintenance_not_to_the_session() -> None:
    runtime = Recorder()
    offered: list[str] = []
    entry = keyboard(runtime, filters=[lambda number: offered.append(number) or True])
    type_text(entry, PASS + "\r", 100.0, 0.005)
    assert offered == [PASS] and runtime.events == []


def test_assembled_kiosk_takes_a_scanned_pass_and_item(tmp_path: Path) -> None:
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        '[devices]\nprinter = "fake://"\nbarcode_scanner = "hid://"\n[sip2]\npassword = "demo"\n'
        f"{PATIENT_SIP2}[payment]\nenabled = false\n[session]\npin = 'never'\n",
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config)
    try:
        assert kiosk.keyboard is not None
        # Scanned straight after start-up, before the first ILS contact may have finished: the kiosk
        # must hold the pass until it knows (first-contact job), not serve the member offline.
        now = type_text(kiosk.keyboard, PASS + "\r", 100.0, 0.005)
        wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
        kiosk.runtime.send(ev.StartBorrow())
        type_text(kiosk.keyboard, ITEM + "\r", now, 0.005)
        wait_for(kiosk, lambda: any(line.due for line in kiosk.runtime.view.items), "a due date")
        assert [line.item_id for line in kiosk.runtime.view.items if line.due] == [ITEM]
    finally:
        kiosk.stop()


def test_a_pin_typed_on_the_keypad_is_the_pin_not_a_pass() -> None:
    """A member types the PIN on a USB keypad (slow keys, Enter): on the PIN screen the core takes it as
    the PIN. Before, with the pass rule off it became a pass (the PIN sent to the ILS as a patron id) and
    with the rule on a refused barcode."""
    for validation in ("off", "dutch14"):
        runtime = Recorder(view=View(Screen.PIN))
        entry = keyboard(runtime, validation=validation)
        now = type_text(entry, "4321\r", 100.0, 0.3)
        type_text(entry, PASS + "\r", now, 0.005)  # a scanner's burst on the PIN screen is still a pass
        assert runtime.events == [ev.PinEntered("4321"), ev.PassPresented(PASS)], validation


def test_hand_typed_digits_elsewhere_are_still_barcodes() -> None:
    runtime = Recorder(view=View(Screen.BORROW))
    type_text(keyboard(runtime), ITEM + "\r", 100.0, 0.3)
    assert runtime.events == [ev.ItemPresented(ITEM)]
