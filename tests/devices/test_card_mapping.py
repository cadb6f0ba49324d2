"""Card → pass number mapping, NDEF parsing and the fake reader (no pcscd needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from drivers.cardreader import (
    FakePassReader,
    ForeignCardRead,
    PassRead,
    PassRemoved,
    ReaderAttached,
    describe,
    open_pass_reader,
)
from drivers.cardreader.events import short_hash
from drivers.cardreader.mapping import Mapped, PassMapping, Refused, load_uid_table, uid_to_number
from drivers.cardreader.ndef import NdefError, find_ndef_message, ndef_text_records, text_record, type2_memory
from drivers.cardreader.pcsc import read_ndef_text
from drivers.cardreader.virtual import VirtualCardSpec, VirtualPass
from drivers.errors import DeviceConfigurationError

from .conftest import EventLog

UID4 = bytes.fromhex("1A2B3C4D")


@pytest.mark.parametrize(
    ("rule", "number"),
    [
        ("hex", "1A2B3C4D"),
        ("hex-reversed", "4D3C2B1A"),
        ("decimal", "0439041101"),  # 0x1A2B3C4D = 439041101, padded to 10 digits like wedge readers
        ("decimal-reversed", "1295788826"),  # 0x4D3C2B1A
    ],
)
def test_uid_rules_produce_the_wedge_reader_forms(rule: str, number: str) -> None:
    assert uid_to_number(UID4, rule) == number


def test_rules_are_tried_in_order_and_refusals_say_why(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("1A2B3C4D, 20105000000011\n")
    mapping = PassMapping.from_settings("ndef,table", table, validation="dutch14")
    assert mapping.map_card(UID4, lambda: "20105000000011\n") == Mapped(
        "20105000000011",
        "ndef",
        mapping.map_card(UID4, lambda: "20105000000011").check,  # type: ignore[union-attr]
    )
    via_table = mapping.map_card(UID4, lambda: None)
    assert isinstance(via_table, Mapped) and via_table.rule == "table"
    unknown = mapping.map_card(bytes.fromhex("01020304"), lambda: None)
    assert unknown == Refused("no pass number in the card's data; card not registered in the pass table")

    def broken() -> str:
        raise NdefError("bad TLV")

    assert PassMapping.from_settings("ndef").map_card(UID4, broken) == Refused(
        "the card's data could not be read"
    )
    assert PassMapping.from_settings("hex").map_card(None, broken) == Refused("the card gave no UID")


def test_invalid_numbers_are_refused_or_passed_with_their_check() -> None:
    strict = PassMapping.from_settings("hex", validation="dutch14")
    refused = strict.map_card(UID4, lambda: None)
    assert isinstance(refused, Refused) and "digits only" in refused.reason
    lenient = PassMapping.from_settings("hex", validation="dutch14", reject_invalid=False)
    mapped = lenient.map_card(UID4, lambda: None)
    assert isinstance(mapped, Mapped) and not mapped.check.valid
    legacy = PassMapping.from_settings("decimal", validation="dutch14", legacy_lengths=[10])
    assert isinstance(legacy.map_card(UID4, lambda: None), Mapped)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1A2B3C4D\n", "line 1: expected UID,pass_number"),
        ("# header\nZZ,123\n", "line 2: UID is not hex"),
        ("01,1\n01,2\n", "line 2: UID listed twice"),
    ],
)
def test_bad_uid_tables_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    table = tmp_path / "uids.csv"
    table.write_text(content)
    with pytest.raises(DeviceConfigurationError, match=message):
        load_uid_table(table)


def test_bad_settings_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(DeviceConfigurationError, match="pass rule 'octal'"):
        PassMapping.from_settings("octal")
    with pytest.raises(DeviceConfigurationError, match="needs a UID table file"):
        PassMapping.from_settings("table")
    with pytest.raises(DeviceConfigurationError, match="No such file"):
        PassMapping.from_settings("table", tmp_path / "missing.csv")
    with pytest.raises(DeviceConfigurationError, match="unknown pass number scheme"):
        PassMapping.from_settings("hex", validation="dutch15")


def test_ndef_text_record_round_trip_and_damage() -> None:
    message = text_record("20105000000011", "nl")
    assert ndef_text_records(message) == ["20105000000011"]
    memory = type2_memory(UID4, message)
    assert find_ndef_message(memory[16:]) == message
    assert find_ndef_message(type2_memory(UID4, None)[16:]) is None
    with pytest.raises(NdefError):
        find_ndef_message(bytes([0x03, 40]) + message)  # length runs past the end
    with pytest.raises(NdefError):
        ndef_text_records(message[:5])
    # a lock-control TLV before the NDEF TLV is skipped
    assert find_ndef_message(bytes([0x01, 0x03, 0xA0, 0x10, 0x44]) + memory[16:]) == message


def test_reading_ndef_over_apdus_from_the_virtual_pass() -> None:
    long_text = "2" * 100  # spans several 16-byte READ BINARY chunks
    for text in ("20105000000011", long_text):
        card = VirtualPass(VirtualCardSpec(ndef_text=text))
        assert read_ndef_text(lambda apdu, c=card: (c.answer(bytes(apdu))[:-2], 0x9000)) == text
    blank = VirtualPass(VirtualCardSpec(ndef_text=None))
    assert read_ndef_text(lambda apdu: (blank.answer(bytes(apdu))[:-2], 0x9000)) is None
    assert read_ndef_text(lambda apdu: (b"", 0x6D00)) is None


def test_virtual_pass_answers() -> None:
    card = VirtualPass(VirtualCardSpec(uid=UID4))
    assert card.answer(bytes.fromhex("FFCA000000")) == UID4 + b"\x90\x00"
    assert card.answer(bytes.fromhex("FFCA010000")) == b"\x6a\x81"
    assert card.answer(bytes.fromhex("00A4040000")) == b"\x6d\x00"
    assert VirtualPass(VirtualCardSpec(uid=None)).answer(bytes.fromhex("FFCA000000")) == b"\x6a\x81"


def test_fake_reader_delivers_on_its_own_thread() -> None:
    import threading

    events = EventLog()
    threads: list[str] = []

    def on_event(event: object) -> None:
        threads.append(threading.current_thread().name)
        events(event)  # type: ignore[arg-type]

    reader = open_pass_reader("fake://", on_event=on_event, validation="dutch14")
    assert isinstance(reader, FakePassReader)
    try:
        reader.present("20105000000011")
        reader.present("20105000000012")  # a second pass replaces the first
        reader.remove()
        reader.present_card(bytes.fromhex("08AABBCC"))
        reader.present_non_pass()
        reader.flush()
    finally:
        reader.close()
    got = [events.next() for _ in range(8)]
    assert got[0] == ReaderAttached("fake")
    assert isinstance(got[1], PassRead) and got[1].pass_number == "20105000000011"
    assert got[2] == PassRemoved("fake")
    assert isinstance(got[3], ForeignCardRead) and "check digit" in got[3].reason
    assert got[4] == PassRemoved("fake")
    assert got[5] == ForeignCardRead("the card has a random UID (a bank card or phone?)", "fake")
    assert got[6] == PassRemoved("fake")
    assert got[7] == ForeignCardRead("unknown card type", "fake")
    assert set(threads) == {"fake-pass-reader"} and threading.current_thread().name not in threads


def test_describe_masks_and_hash_is_short() -> None:
    reader = FakePassReader(PassMapping(), lambda e: None)
    reader.close()
    check = PassMapping.from_settings("hex", validation="dutch14", reject_invalid=False).map_card(
        UID4, lambda: None
    )
    assert isinstance(check, Mapped)
    line = describe(PassRead("20105000000011", "r", "hex", check.check))
    assert line["pass_number"] == "**********0011" and line["valid"] is False and line["rule"] == "hex"
    assert short_hash("20105000000011").startswith("#") and len(short_hash("x")) == 9
    assert short_hash("20105000000011") != short_hash("20105000000012")


def test_missing_pyscard_fails_on_open_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "smartcard", None)
    with pytest.raises(DeviceConfigurationError, match="pip install pyscard"):
        open_pass_reader("pcsc://", on_event=lambda e: None)
    with pytest.raises(DeviceConfigurationError, match="unsupported scheme"):
        open_pass_reader("nfc://", on_event=lambda e: None)
    with pytest.raises(DeviceConfigurationError, match="unknown option"):
        open_pass_reader("fake://?speed=1", on_event=lambda e: None)


def test_a_reader_can_be_closed_from_its_own_callback() -> None:
    events = EventLog()
    holder: list[FakePassReader] = []

    def on_event(event: object) -> None:
        events(event)  # type: ignore[arg-type]
        if isinstance(event, PassRead):
            holder[0].close()

    reader = open_pass_reader("fake://", on_event=on_event)
    assert isinstance(reader, FakePassReader)
    holder.append(reader)
    reader.present("20105000000011")
    assert isinstance(events.next_of(PassRead), PassRead)
    reader._thread.join(timeout=30)
    assert not reader._thread.is_alive()
