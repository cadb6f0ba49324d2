"""The reader drivers against the FEIG and 3M device simulators over ptys (FEIG also over TCP), and the
in-memory reader, with every fault of the tag field."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from drivers.errors import DeviceProtocolError, DeviceTimeoutError
from drivers.rfid.errors import (
    ReaderError,
    ReaderOverflow,
    TagAirError,
    TagLocked,
    TagNotFound,
    TagWriteFailed,
)
from drivers.rfid.scenarios import VECTOR_NO_DEICHMAN, make_field, reverse_each_block
from drivers.rfid.tagfield import Faults, TagField, VirtualTag
from tests.rfid.conftest import LINKS, Rig

Factory = Callable[..., Rig]
ONE = "E004015000000001"
DEICHMAN = "E0040150338607AE"


@pytest.mark.parametrize("link", LINKS)
def test_inventory_of_empty_single_and_stacks(rig_factory: Factory, link: str) -> None:
    assert rig_factory(link, "empty").reader.inventory() == []
    assert rig_factory(link, "single_book").reader.inventory() == [ONE]
    stack = rig_factory(link, "stack30").reader.inventory()
    assert stack == [f"E004015000{i:06X}" for i in range(1, 31)]  # FEIG: more than one answer holds (0x94)


@pytest.mark.parametrize("link", LINKS)
def test_read_blocks_in_tag_order(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "foreign_isil")
    assert rig.reader.read_blocks(DEICHMAN, 0, 8) == VECTOR_NO_DEICHMAN
    assert rig.reader.read_blocks(DEICHMAN, 2, 1) == VECTOR_NO_DEICHMAN[8:12]
    assert len(rig.reader.read_blocks(DEICHMAN, 0, 32)) == 128


@pytest.mark.parametrize("link", LINKS)
def test_write_blocks_land_in_tag_order(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "blank_tag")
    data = bytes(range(1, 13))
    rig.reader.write_blocks(ONE, 4, data)
    assert bytes(rig.field.tag(ONE).blocks[16:28]) == data  # FEIG: reversed on the wire, not on the tag
    assert rig.reader.read_blocks(ONE, 4, 3) == data


@pytest.mark.parametrize("link", LINKS)
def test_system_info_afi_and_eas(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "single_book")
    info = rig.reader.system_info(ONE)
    assert (info.uid, info.afi, info.dsfid, info.block_size, info.block_count) == (ONE, 0x07, 0, 4, 32)
    rig.reader.write_afi(ONE, 0xC2)
    assert rig.field.tag(ONE).afi == 0xC2
    assert rig.reader.system_info(ONE).afi == 0xC2
    assert rig.reader.eas_alarm(ONE) is True
    rig.reader.set_eas(ONE, False)
    assert rig.field.tag(ONE).eas is False
    assert rig.reader.eas_alarm(ONE) is False
    rig.reader.set_eas(ONE, True)
    assert rig.reader.eas_alarm(ONE) is True


@pytest.mark.parametrize("link", LINKS)
def test_absent_tag_is_tag_not_found(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "single_book")
    rig.field.remove(ONE)
    for call in (
        lambda: rig.reader.read_blocks(ONE, 0, 1),
        lambda: rig.reader.system_info(ONE),
        lambda: rig.reader.write_afi(ONE, 0xC2),
        lambda: rig.reader.set_eas(ONE, False),
    ):
        with pytest.raises(TagNotFound):
            call()
    assert rig.reader.eas_alarm(ONE) is False


@pytest.mark.parametrize("link", LINKS)
def test_tag_drops_out_mid_write(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "blank_tag")
    rig.field.faults.drop_out[ONE] = 2
    rig.reader.read_blocks(ONE, 0, 1)
    with pytest.raises(TagNotFound):
        rig.reader.write_blocks(ONE, 0, bytes(range(1, 9)))
    assert bytes(rig.field.tag(ONE).blocks[:8]) == bytes((1, 2, 3, 4, 0, 0, 0, 0))  # half written
    assert rig.reader.inventory() == []


@pytest.mark.parametrize("link", LINKS)
def test_afi_write_fails_twice_then_works(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "afi_write_fails_twice")
    for _ in range(2):
        with pytest.raises(TagWriteFailed):
            rig.reader.write_afi(ONE, 0xC2)
    assert rig.field.tag(ONE).afi == 0x07
    rig.reader.write_afi(ONE, 0xC2)
    assert rig.field.tag(ONE).afi == 0xC2


@pytest.mark.parametrize("link", LINKS)
def test_password_protected_afi_and_eas_are_locked(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "eas_password_protected")
    with pytest.raises(TagLocked):
        rig.reader.write_afi(ONE, 0xC2)
    with pytest.raises(TagLocked):
        rig.reader.set_eas(ONE, False)
    tag = rig.field.tag(ONE)
    assert (tag.afi, tag.eas) == (0x07, True)


@pytest.mark.parametrize("link", LINKS)
def test_duplicate_uid_in_an_inventory_is_reported_once(rig_factory: Factory, link: str) -> None:
    field = make_field("stack3")
    field.faults.duplicate_uids = True
    assert rig_factory(link, field).reader.inventory() == [f"E004015000{i:06X}" for i in (1, 2, 3)]


@pytest.mark.parametrize("link", LINKS)
def test_reversed_blocks_come_back_as_stored(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "reversed_blocks")
    stored = bytes(rig.field.tag(ONE).blocks[:32])
    assert rig.reader.read_blocks(ONE, 0, 8) == stored
    assert reverse_each_block(stored)[0] == 0x11  # the model decides which order is valid, not the driver


@pytest.mark.parametrize("link", ["feig-pty", "feig-tcp", "sim"])
def test_collision_burst_is_retried(rig_factory: Factory, link: str) -> None:
    field = make_field("stack3")
    field.faults.collision_bursts = 2
    rig = rig_factory(link, field)
    assert len(rig.reader.inventory()) == 3
    field.faults.collision_bursts = 10
    with pytest.raises(TagAirError):
        rig.reader.inventory()


def test_3m_pad_finds_nothing_during_a_collision_burst(rig_factory: Factory) -> None:
    field = make_field("stack3")
    field.faults.collision_bursts = 1
    rig = rig_factory("3m-pty", field)
    assert rig.reader.inventory() == []
    assert len(rig.reader.inventory()) == 3


@pytest.mark.parametrize("link", ["feig-pty", "feig-tcp"])
def test_feig_more_data_paging_and_overflow(rig_factory: Factory, link: str) -> None:
    field = make_field("stack10")
    field.faults.page_size = 3
    rig = rig_factory(link, field)
    assert len(rig.reader.inventory()) == 10
    assert [c for c in rig.field.commands if c[0] == "inventory"] == [("inventory", None)]  # one RF inventory
    field.faults.buffer_limit = 8
    with pytest.raises(ReaderOverflow):
        rig.reader.inventory()


def test_feig_advanced_frames_carry_30_tags_in_one_answer(rig_factory: Factory) -> None:
    rig = rig_factory("feig-pty", "stack30", options="frame=advanced")
    assert len(rig.reader.inventory()) == 30


@pytest.mark.parametrize("link", ["feig-pty", "feig-tcp", "3m-pty"])
def test_corrupt_crc_is_resent_then_given_up(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "single_book")
    rig.field.faults.corrupt_crc = 1
    assert rig.reader.inventory() == [ONE]
    rig.field.faults.corrupt_crc = 3  # the first try and both resends
    with pytest.raises(DeviceProtocolError, match="garbled"):
        rig.reader.inventory()
    assert rig.reader.inventory() == [ONE]


@pytest.mark.parametrize(("link", "strict"), [("feig-pty", True), ("3m-pty", True), ("feig-pty", False)])
def test_junk_on_the_line_is_survived(rig_factory: Factory, link: str, strict: bool) -> None:
    rig = rig_factory(link, "single_book", strict=strict)
    assert rig.host is not None
    rig.host.device.receive(b"\x01\x02\x03")  # line noise before the next request
    assert rig.reader.inventory() == [ONE]


def test_strict_feig_is_silent_for_another_com_adr(rig_factory: Factory) -> None:
    rig = rig_factory("feig-pty", "single_book", strict=True, options="addr=7&retries=0&timeout=0.3")
    with pytest.raises(DeviceTimeoutError):
        rig.reader.inventory()


def test_strict_feig_refuses_unaddressed_tag_commands() -> None:
    from drivers.rfid import feig_codec as fc
    from drivers.rfid.feig_device import FeigDevice

    field = make_field("single_book")
    request = fc.build_request(fc.Request(0xFF, fc.CMD_ISO, b"\x27\x00\xc2"))  # Write AFI to "any tag"
    (lenient,) = FeigDevice(field).receive(request)
    assert fc.FrameDecoder().feed(lenient.data)[0].status == fc.OK  # type: ignore[union-attr]
    (strict,) = FeigDevice(make_field("single_book"), strict=True).receive(request)
    assert fc.FrameDecoder().feed(strict.data)[0].status == fc.PARAMETER_RANGE  # type: ignore[union-attr]
    assert FeigDevice(field, strict=True).receive(b"\x07\xff\xb0\x01\x00\x1c\x57") == []  # bad CRC: silence


def test_strict_feig_refuses_more_than_32_blocks() -> None:
    from drivers.rfid import feig_codec as fc
    from drivers.rfid.feig_device import FeigDevice

    field = TagField([VirtualTag(ONE, bytearray(4 * 64))])
    data = fc.read_multiple_data(bytes.fromhex(ONE), 0, 33)
    (answer,) = FeigDevice(field, strict=True).receive(fc.build_request(fc.Request(0xFF, fc.CMD_ISO, data)))
    resp = fc.FrameDecoder().feed(answer.data)[0]
    assert isinstance(resp, fc.Response) and resp.status == fc.PARAMETER_RANGE
    assert isinstance(fc.status_error(resp.status, resp.data, ONE), ReaderError)


def test_feig_driver_reads_more_than_32_blocks_in_pieces(rig_factory: Factory) -> None:
    memory = bytearray(range(256))
    rig = rig_factory("feig-pty", TagField([VirtualTag(ONE, memory)]), strict=True)
    assert rig.reader.read_blocks(ONE, 0, 64) == bytes(memory)


def test_bad_arguments_never_reach_the_wire(rig_factory: Factory) -> None:
    rig = rig_factory("feig-pty", "single_book")
    with pytest.raises(ValueError):
        rig.reader.read_blocks(ONE, 250, 10)
    with pytest.raises(ValueError):
        rig.reader.write_blocks(ONE, 0, b"\x01\x02\x03")
    with pytest.raises(ValueError):
        rig.reader.write_afi(ONE, 0x100)
    with pytest.raises(ValueError):
        rig.reader.read_blocks("E004", 0, 1)
    assert rig.field.commands == []


def test_every_reader_lacks_lock_commands() -> None:
    from drivers.rfid.feig import FeigReader
    from drivers.rfid.m3 import M3Reader
    from drivers.rfid.pcsc import PcscReader
    from drivers.rfid.sim import SimReader

    for cls in (FeigReader, M3Reader, PcscReader, SimReader):
        assert not [name for name in dir(cls) if re.search(r"(^|_)lock", name.lower())], cls
    from drivers.rfid import feig_codec, m3_codec

    assert not [n for n in dir(feig_codec) + dir(m3_codec) if re.search(r"(^|_)LOCK($|_)", n)]


def test_faults_default_to_none() -> None:
    assert Faults() == Faults(
        drop_out={},
        write_failures={},
        collision_bursts=0,
        duplicate_uids=False,
        corrupt_crc=0,
        page_size=None,
        buffer_limit=None,
    )


def test_strict_3m_pad_ignores_a_command_sent_while_busy() -> None:
    from drivers.rfid import m3_codec as mc
    from drivers.rfid.m3_device import M3Device

    two = mc.build(mc.inventory()) * 2
    assert len(M3Device(make_field("single_book")).receive(two)) == 2
    assert len(M3Device(make_field("single_book"), strict=True).receive(two)) == 1
    strict = M3Device(make_field("single_book"), strict=True)
    assert strict.receive(b"\x01\x02") == [] and strict.frame_errors == 1
    assert strict.receive(mc.build(mc.Frame(0x06, bytes(8)))) == []  # Lock AFI: not a command it offers here


def test_feig_says_no_transponder_for_an_empty_pad() -> None:
    from drivers.rfid import feig_codec as fc
    from drivers.rfid.feig_device import FeigDevice

    (answer,) = FeigDevice(make_field("empty")).receive(fc.build_request(fc.Request(0xFF, 0xB0, b"\x01\x00")))
    assert fc.FrameDecoder().feed(answer.data) == [fc.Response(0, 0xB0, fc.NO_TRANSPONDER)]


def test_pyserial_urls_pass_through(capfd: pytest.CaptureFixture[str]) -> None:
    from drivers.rfid import open_reader
    from drivers.rfid.sim_host import DeviceHost, make_device

    host = DeviceHost(make_device("3m", make_field("single_book")))
    try:
        reader = open_reader(f"rfid+3m://spy://{host.start_pty()}?timeout=10")  # spy:// logs the bytes
        assert reader.inventory() == [ONE]
        reader.close()
    finally:
        host.stop()
    assert "TX   0000  D6 00 05 FE 00 03" in capfd.readouterr().err
