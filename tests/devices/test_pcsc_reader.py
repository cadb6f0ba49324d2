"""The PC/SC pass reader against a real pcscd with the vpcd virtual reader and a virtual library pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.cardreader import (
    ForeignCardRead,
    PassRead,
    PassReader,
    PassRemoved,
    ReaderAttached,
    ReaderDetached,
    open_pass_reader,
)
from drivers.cardreader.pcsc import list_readers
from drivers.cardreader.pcscd_runner import PcscdRunner
from drivers.cardreader.virtual import VirtualCardSpec, VirtualPass
from drivers.passnumber import make_dutch14

from .conftest import EventLog

pytestmark = pytest.mark.pcsc

UID = bytes.fromhex("04A1B2C3D4E580")
SLOT0, SLOT1 = "Virtual PCD 00 00", "Virtual PCD 00 01"
Opener = Callable[..., PassReader]


@pytest.fixture
def open_reader(pcscd: PcscdRunner, events: EventLog) -> Iterator[Opener]:
    """Open PC/SC readers that are closed (SCardCancel) before pcscd can stop."""
    opened: list[PassReader] = []

    def opener(url: str = "pcsc://Virtual PCD", **kwargs: object) -> PassReader:
        reader = open_pass_reader(url, on_event=events, **kwargs)  # type: ignore[arg-type]
        opened.append(reader)
        return reader

    yield opener
    for reader in opened:
        reader.close()


@pytest.fixture
def cards(pcscd: PcscdRunner) -> Iterator[list[VirtualPass]]:
    """Virtual passes taken off the reader at the end of the test, waiting until pcscd saw them go."""
    made: list[VirtualPass] = []
    yield made
    for card in made:
        card.remove()
    if pcscd.pid is not None:
        for slot in {card.slot for card in made}:
            pcscd.wait_until_empty(f"Virtual PCD 00 0{slot}", timeout=15)


def card_on(cards: list[VirtualPass], slot: int = 0, **spec: object) -> VirtualPass:
    card = VirtualPass(VirtualCardSpec(**spec), slot=slot)  # type: ignore[arg-type]
    cards.append(card)
    card.insert()
    return card


def wait_attached(events: EventLog, count: int = 2) -> set[str]:
    return {events.next_of(ReaderAttached).source for _ in range(count)}  # type: ignore[union-attr]


def test_lists_both_virtual_readers(pcscd: PcscdRunner) -> None:
    assert {SLOT0, SLOT1} <= set(list_readers())


def test_tap_remove_tap_again(open_reader: Opener, events: EventLog, cards: list[VirtualPass]) -> None:
    open_reader(rule="hex")
    assert wait_attached(events) == {SLOT0, SLOT1}
    card = card_on(cards)
    first = events.next()
    assert isinstance(first, PassRead)
    assert (first.pass_number, first.source, first.rule) == ("04A1B2C3D4E580", SLOT0, "hex")
    assert "04A1B2C3D4E580" not in repr(first)  # events never show the full number
    card.remove()
    assert events.next() == PassRemoved(SLOT0)
    card.insert()
    again = events.next()
    assert isinstance(again, PassRead) and again.pass_number == "04A1B2C3D4E580"


def test_card_left_on_the_reader_is_reported_once(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    open_reader()
    wait_attached(events)
    card_on(cards)
    assert isinstance(events.next(), PassRead)
    # pcscd polls the reader every 0.4 s and the reader waits in 0.2 s slices: several rounds, no repeat.
    assert events.quiet_for(1.0) == []


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("hex-reversed", "80E5D4C3B2A104"),
        ("decimal", "01303689068602752"),
        ("decimal-reversed", "36281498998055172"),
    ],
)
def test_uid_rules(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass], rule: str, expected: str
) -> None:
    open_reader(rule=rule, url="pcsc://Virtual PCD 00 00?poll=0.2")
    wait_attached(events, 1)
    card_on(cards)
    event = events.next()
    assert isinstance(event, PassRead)
    assert (event.pass_number, event.rule) == (expected, rule)


def test_two_readers_each_report_their_own_pass(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    number_a, number_b = make_dutch14("0105", 17), make_dutch14("0105", 18)
    open_reader(rule="ndef", validation="dutch14")
    wait_attached(events)
    card_on(cards, 0, ndef_text=number_a)
    card_on(cards, 1, uid=bytes.fromhex("04112233445566"), ndef_text=number_b)
    got = {}
    for _ in range(2):
        event = events.next()
        assert isinstance(event, PassRead) and event.check.valid
        got[event.source] = event.pass_number
    assert got == {SLOT0: number_a, SLOT1: number_b}


def test_name_filter_watches_only_matching_reader(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    reader = open_reader("pcsc://pcd 00 01")  # case-insensitive substring
    assert events.next() == ReaderAttached(SLOT1)
    card_on(cards, 0)
    card_on(cards, 1, uid=bytes.fromhex("04998877665544"))
    event = events.next()
    assert isinstance(event, PassRead) and event.source == SLOT1
    assert events.quiet_for(0.8) == []
    assert reader.readers == [SLOT1]


def test_non_pass_cards_give_a_clear_event(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    open_reader("pcsc://Virtual PCD?cards=storage", rule="hex")
    wait_attached(events)
    bank = card_on(cards, 0, uid=bytes.fromhex("08A1B2C3"))  # random UID: bank card / phone
    assert events.next() == ForeignCardRead("the card has a random UID (a bank card or phone?)", SLOT0)
    bank.remove()
    assert events.next() == PassRemoved(SLOT0)
    card_on(cards, 1, broken=True)  # answers 6F00 to everything
    assert events.next() == ForeignCardRead("the card gave no UID", SLOT1)
    foreign = card_on(cards, 0, atr=bytes.fromhex("3B8880010000000000718100F9"))  # ISO 14443-4, not storage
    event = events.next()
    assert isinstance(event, ForeignCardRead) and "unknown card type" in event.reason
    foreign.remove()
    assert events.next() == PassRemoved(SLOT0)


def test_invalid_number_is_refused_when_validation_is_on(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    bad = make_dutch14("0105", 17)[:-1] + "0"
    open_reader(rule="ndef", validation="dutch14")
    wait_attached(events)
    card_on(cards, 0, ndef_text=bad)
    event = events.next()
    assert isinstance(event, ForeignCardRead) and "check digit" in event.reason


def test_ndef_first_then_table_as_last_resort(
    open_reader: Opener, events: EventLog, cards: list[VirtualPass], tmp_path: Path
) -> None:
    table = tmp_path / "uids.csv"
    number = make_dutch14("0363", 4242)
    table.write_text(f"# uid,pass\n04:A1:B2:C3:D4:E5:80,{number}\n")
    open_reader(rule="ndef,table", table_file=table, validation="dutch14")
    wait_attached(events)
    card_on(cards, 0)  # no NDEF data on it
    event = events.next()
    assert isinstance(event, PassRead)
    assert (event.pass_number, event.rule) == (number, "table")


def test_survives_a_pcscd_restart(
    pcscd: PcscdRunner, open_reader: Opener, events: EventLog, cards: list[VirtualPass]
) -> None:
    open_reader()
    wait_attached(events)
    card = card_on(cards)
    assert isinstance(events.next(), PassRead)
    pcscd.stop()  # the readers vanish with the daemon (as when the reader is unplugged)
    detached = {events.next_of(ReaderDetached).source for _ in range(2)}  # type: ignore[union-attr]
    assert detached == {SLOT0, SLOT1}
    card.remove()
    pcscd.start()
    assert wait_attached(events) == {SLOT0, SLOT1}
    # the card went away with the daemon; the reader notices it is empty now
    assert events.next() == PassRemoved(SLOT0)
    card.insert()
    event = events.next()
    assert isinstance(event, PassRead) and event.source == SLOT0


def test_consumer_exception_does_not_stop_the_reader(
    pcscd: PcscdRunner, events: EventLog, cards: list[VirtualPass]
) -> None:
    calls: list[object] = []

    def flaky(event: object) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("consumer bug")
        events(event)  # type: ignore[arg-type]

    reader = open_pass_reader("pcsc://Virtual PCD 00 00", on_event=flaky)
    try:
        card_on(cards)  # the first event (ReaderAttached) raised; the pass still arrives
        assert isinstance(events.next(), PassRead)
    finally:
        reader.close()
    assert not any(t.name == "pcsc-pass-reader" and t.is_alive() for t in __import__("threading").enumerate())
