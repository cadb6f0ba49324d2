"""Reader unplugged / plugged in while pcscd keeps running.

vpcd readers come from a reader.conf file and cannot be hot-plugged, so this one path runs against a
small in-process stand-in for pyscard's ``scard`` module that follows pcsc-lite's documented
SCardGetStatusChange semantics (UNKNOWN for a vanished reader, reader count in the PnP entry's high word).
Everything else about the PC/SC reader is tested against the real pcscd in test_pcsc_reader.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from drivers.cardreader import PassRead, PassRemoved, ReaderAttached, ReaderDetached, open_pass_reader
from drivers.cardreader import pcsc as pcsc_module
from drivers.cardreader.virtual import ATR_ULTRALIGHT, VirtualCardSpec, VirtualPass

from .conftest import EventLog

scard = pytest.importorskip("smartcard.scard")


class HotplugScard:
    """pcsc-lite as seen through pyscard's scard module: readers and cards the test adds and removes."""

    def __init__(self) -> None:
        for name in dir(scard):
            if name.startswith("SCARD_"):
                setattr(self, name, getattr(scard, name))
        self.cond = threading.Condition()
        self.cards: dict[str, VirtualPass | None] = {}
        self.cancelled = False
        self.service_down = False

    def set_service(self, up: bool) -> None:
        with self.cond:
            self.service_down = not up
            self.cond.notify_all()

    def change(self, reader: str, card: VirtualPass | None = None, unplug: bool = False) -> None:
        with self.cond:
            if unplug:
                self.cards.pop(reader, None)
            else:
                self.cards[reader] = card
            self.cond.notify_all()

    def _state(self, reader: str) -> int:
        if reader == pcsc_module.PNP_READER:
            return len(self.cards) << 16
        if reader not in self.cards:
            return scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE
        return scard.SCARD_STATE_PRESENT if self.cards[reader] else scard.SCARD_STATE_EMPTY

    def SCardEstablishContext(self, scope: int) -> tuple[int, int]:
        if self.service_down:
            return scard.SCARD_E_NO_SERVICE, 0
        return scard.SCARD_S_SUCCESS, 1

    def SCardReleaseContext(self, context: int) -> int:
        return scard.SCARD_S_SUCCESS

    def SCardCancel(self, context: int) -> int:
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()
        return scard.SCARD_S_SUCCESS

    def SCardGetErrorMessage(self, hresult: int) -> str:
        return f"error {hresult:#x}"

    def SCardListReaders(self, context: int, groups: list[str]) -> tuple[int, list[str]]:
        with self.cond:
            if self.service_down:
                return scard.SCARD_E_SERVICE_STOPPED, []
            if not self.cards:
                return scard.SCARD_E_NO_READERS_AVAILABLE, []
            return scard.SCARD_S_SUCCESS, sorted(self.cards)

    def SCardGetStatusChange(
        self, context: int, timeout: int, states: list[tuple[str, int]]
    ) -> tuple[int, Any]:
        with self.cond:
            while True:
                if self.cancelled:
                    self.cancelled = False
                    return scard.SCARD_E_CANCELLED, []
                if self.service_down:
                    return scard.SCARD_E_SERVICE_STOPPED, []
                result, changed = [], False
                for reader, known in states:
                    now = self._state(reader)
                    differs = now != known & ~scard.SCARD_STATE_CHANGED
                    changed |= differs
                    card = self.cards.get(reader)
                    atr = list(card.spec.atr) if card else []
                    result.append((reader, now | (scard.SCARD_STATE_CHANGED if differs else 0), atr))
                if changed:
                    return scard.SCARD_S_SUCCESS, result
                if not self.cond.wait(timeout / 1000):
                    return scard.SCARD_E_TIMEOUT, []

    def SCardConnect(self, context: int, reader: str, share: int, protocols: int) -> tuple[int, Any, int]:
        card = self.cards.get(reader)
        if card is None:
            return scard.SCARD_E_NO_SMARTCARD, None, 0
        return scard.SCARD_S_SUCCESS, card, scard.SCARD_PROTOCOL_T1

    def SCardTransmit(self, card: VirtualPass, pci: Any, apdu: list[int]) -> tuple[int, list[int]]:
        return scard.SCARD_S_SUCCESS, list(card.answer(bytes(apdu)))

    def SCardDisconnect(self, card: VirtualPass, disposition: int) -> int:
        return scard.SCARD_S_SUCCESS


@pytest.fixture
def hotplug(monkeypatch: pytest.MonkeyPatch) -> Iterator[HotplugScard]:
    fake = HotplugScard()
    monkeypatch.setattr(pcsc_module, "import_scard", lambda: fake)
    yield fake


def test_readers_unplugged_and_plugged_back(hotplug: HotplugScard, events: EventLog) -> None:
    hotplug.change("ACS ACR1252 00 00")
    reader = open_pass_reader("pcsc://acr1252", on_event=events, rule="hex")
    try:
        assert events.next() == ReaderAttached("ACS ACR1252 00 00")
        card = VirtualPass(VirtualCardSpec(uid=bytes.fromhex("04112233445566"), atr=ATR_ULTRALIGHT))
        hotplug.change("ACS ACR1252 00 00", card)
        presented = events.next()
        assert isinstance(presented, PassRead) and presented.pass_number == "04112233445566"
        hotplug.change("ACS ACR1252 00 00", unplug=True)  # pulled out with the card on it
        assert events.next() == PassRemoved("ACS ACR1252 00 00")
        assert events.next() == ReaderDetached("ACS ACR1252 00 00", "reader unplugged")
        assert reader.readers == []
        hotplug.change("ACS ACR1252 00 00")
        assert events.next() == ReaderAttached("ACS ACR1252 00 00")
        hotplug.change("Other Reader 00 00", card)  # does not match the URL: ignored
        hotplug.change("ACS ACR1252 00 01", card)  # a second matching reader plugged in later
        assert events.next() == ReaderAttached("ACS ACR1252 00 01")
        second = events.next()
        assert isinstance(second, PassRead) and second.source == "ACS ACR1252 00 01"
        assert events.quiet_for(0.3) == []
    finally:
        reader.close()


def test_a_card_lying_on_the_reader_through_a_daemon_restart_is_not_reported_twice(
    hotplug: HotplugScard, events: EventLog
) -> None:
    card = VirtualPass(VirtualCardSpec(uid=bytes.fromhex("04112233445566")))
    other = VirtualPass(VirtualCardSpec(uid=bytes.fromhex("04998877665544")))
    hotplug.change("R 00 00", card)
    reader = open_pass_reader("pcsc://", on_event=events, rule="hex")
    try:
        assert events.next() == ReaderAttached("R 00 00")
        assert isinstance(events.next(), PassRead)
        hotplug.set_service(False)
        assert events.next() == ReaderDetached("R 00 00", "PC/SC service stopped")
        hotplug.set_service(True)
        assert events.next() == ReaderAttached("R 00 00")
        assert events.quiet_for(0.3) == []  # same card, still there: no second PassRead
        hotplug.set_service(False)
        assert isinstance(events.next(), ReaderDetached)
        hotplug.change("R 00 00", other)  # swapped while the daemon was down
        hotplug.set_service(True)
        assert events.next() == ReaderAttached("R 00 00")
        assert events.next() == PassRemoved("R 00 00")  # the first card's removal was never seen
        swapped = events.next()
        assert isinstance(swapped, PassRead) and swapped.pass_number == "04998877665544"
    finally:
        reader.close()
