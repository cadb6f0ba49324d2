"""The PC/SC part 3 backend against the simulated ISO 15693 card (the APDU level; one tag per reader)."""

from __future__ import annotations

import pytest

from drivers.rfid.errors import ReaderError, TagLocked, TagNotFound
from drivers.rfid.pcsc import NoCard, PcscReader
from drivers.rfid.pcsc_card import Iso15693Card
from drivers.rfid.scenarios import VECTOR_NO_DEICHMAN, make_field
from drivers.rfid.security import SecurityPolicy, release, secure

DEICHMAN = "E0040150338607AE"


class CardOnReader:
    """A connection whose transmit reaches the simulated card, the way pyscard's does (list of ints)."""

    def __init__(self, card: Iso15693Card) -> None:
        self.card = card
        self.apdus: list[bytes] = []

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        self.apdus.append(bytes(apdu))
        answer = self.card.answer(bytes(apdu))
        return list(answer[:-2]), answer[-2], answer[-1]

    def disconnect(self) -> None:
        pass


def reader_for(
    scenario: str = "foreign_isil", block_in: str = "p1", strict: bool = True, uid: str = DEICHMAN
) -> tuple[PcscReader, CardOnReader]:
    field = make_field(scenario)
    connection = CardOnReader(Iso15693Card(field, uid, block_in, strict))

    def connect() -> CardOnReader:
        if not any(t.present and t.uid == uid for t in field.tags):
            raise NoCard()
        return connection

    return PcscReader("Virtual", block_in, connect=connect), connection


@pytest.mark.parametrize("block_in", ["p1", "p2"])
def test_uid_and_blocks(block_in: str) -> None:
    reader, conn = reader_for(block_in=block_in)
    assert reader.inventory() == [DEICHMAN]  # the reader's LSB-first UID is turned round
    assert reader.read_blocks(DEICHMAN, 0, 8) == VECTOR_NO_DEICHMAN
    read = conn.apdus[2]
    assert read == (b"\xff\xb0\x01\x00\x04" if block_in == "p1" else b"\xff\xb0\x00\x01\x04")
    reader.write_blocks(DEICHMAN, 10, b"ABCDEFGH")
    assert conn.card.field.read_blocks(DEICHMAN, 10, 2) == b"ABCDEFGH"


def test_wrong_addressing_is_refused_by_a_strict_card() -> None:
    field = make_field("foreign_isil")
    conn = CardOnReader(Iso15693Card(field, DEICHMAN, "p1", strict=True))
    reader = PcscReader("Virtual", "p2", connect=lambda: conn)
    reader.inventory()
    with pytest.raises(Exception, match="6B00"):
        reader.read_blocks(DEICHMAN, 1, 1)


def test_afi_eas_and_system_info_through_transparent_exchange() -> None:
    reader, conn = reader_for()
    info = reader.system_info(DEICHMAN)
    assert (info.afi, info.block_size, info.block_count) == (0x07, 4, 32)
    policy = SecurityPolicy(mode="afi+eas", retry_pause=0.0)
    assert release(reader, DEICHMAN, policy, pause=lambda _s: None).released
    tag = conn.card.field.tag(DEICHMAN)
    assert (tag.afi, tag.eas) == (0xC2, False)
    assert secure(reader, DEICHMAN, policy, pause=lambda _s: None).secured
    sent = [a for a in conn.apdus if a[:4] == b"\xff\xc2\x00\x01"]
    # addressed frames: flags 0x22, command, (NXP code 04), the UID least significant byte first
    assert sent[0][7:9] == b"\x22\x2b" and sent[0][9:17] == bytes.fromhex(DEICHMAN)[::-1]


def test_empty_reader_and_lifted_tag() -> None:
    reader, conn = reader_for()
    conn.card.field.remove(DEICHMAN)
    assert reader.inventory() == []
    with pytest.raises(TagNotFound):
        reader.read_blocks(DEICHMAN, 0, 1)


def test_password_protected_afi() -> None:
    reader, _ = reader_for("eas_password_protected", uid="E004015000000001")
    reader.inventory()
    with pytest.raises(TagLocked):
        reader.write_afi("E004015000000001", 0xC2)


def test_not_an_iso15693_uid() -> None:
    class Short(CardOnReader):
        def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
            return [4, 1, 2, 3], 0x90, 0x00

    reader = PcscReader("x", connect=lambda: Short(Iso15693Card(make_field("empty"), DEICHMAN)))
    with pytest.raises(ReaderError):
        reader.inventory()
