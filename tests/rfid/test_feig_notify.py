"""The FEIG reader's notification-mode inventory (the empty pad waits for a stack without host polling)
and the block read without the tags' security status, against the FEIG device simulator on a pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.rfid import feig_codec as fc
from drivers.rfid import open_reader
from drivers.rfid.feig import FeigReader
from drivers.rfid.feig_device import FeigDevice
from drivers.rfid.scenarios import make_field
from drivers.rfid.sim_host import DeviceHost
from drivers.rfid.tagfield import TagField
from tests.foundation.waiting import WAIT_LIMIT, wait_until
from tests.rfid.conftest import ANSWER_TIMEOUT

STACK = [f"E004015000{i:06X}" for i in range(1, 4)]


def _hidden(field: TagField) -> TagField:
    for tag in field.tags:
        tag.present = False
    return field


def _inventories(field: TagField) -> int:
    with field.lock:
        return sum(1 for command, _ in field.commands if command == "inventory")


@pytest.fixture
def pad() -> Iterator[tuple[FeigReader, TagField, DeviceHost]]:
    """An empty FEIG pad (the stack3 tags lie beside it) and a reader on it."""
    field = _hidden(make_field("stack3"))
    host = DeviceHost(FeigDevice(field))
    reader = open_reader(f"rfid+feig://{host.start_pty()}?timeout={ANSWER_TIMEOUT}")
    assert isinstance(reader, FeigReader)
    yield reader, field, host
    reader.close()
    host.stop()


def test_notification_request_frame() -> None:
    assert fc.inventory_data(notify_time=3) == bytes((0x01, 0x40, 0x03))  # [01][MODE NTFC][NTFC_TIME]
    for wrong in ({"notify_time": 0}, {"notify_time": 256}, {"more": True, "notify_time": 1}):
        with pytest.raises(ValueError):
            fc.inventory_data(**wrong)  # type: ignore[arg-type]


def test_the_reader_answers_when_the_stack_is_put_down(
    pad: tuple[FeigReader, TagField, DeviceHost],
) -> None:
    reader, field, _ = pad
    assert reader.notifies()
    before = _inventories(field)

    def put_down() -> None:  # once the reader has inventoried the empty pad by itself a few times
        wait_until(lambda: _inventories(field) >= before + 3, what="the reader inventories the empty pad")
        with field.lock:
            for tag in field.tags:
                tag.present = True

    helper = threading.Thread(target=put_down)
    helper.start()
    try:
        assert reader.wait_for_tags(WAIT_LIMIT) == STACK  # one request, answered when the tags came
    finally:
        helper.join()
    assert _inventories(field) >= before + 4  # the device looped; the host sent one request


def test_an_empty_pad_answers_no_tags_after_the_time(pad: tuple[FeigReader, TagField, DeviceHost]) -> None:
    reader, field, _ = pad
    before = _inventories(field)
    assert reader.wait_for_tags(0.1) == []
    assert _inventories(field) > before + 1  # it kept looking for 100 ms (8 ms per empty inventory)
    assert reader.notifies()


def test_a_reader_without_the_mode_is_polled_from_then_on() -> None:
    field = make_field("stack3")
    host = DeviceHost(FeigDevice(field, notification=False))
    reader = open_reader(f"rfid+feig://{host.start_pty()}?timeout={ANSWER_TIMEOUT}")
    try:
        assert reader.wait_for_tags(0.5) == STACK  # refused (0x11): answered by an ordinary inventory
        assert not reader.notifies()
        assert reader.wait_for_tags(0.5) == STACK
    finally:
        reader.close()
        host.stop()


def test_read_does_not_ask_for_the_security_status_and_the_answer_still_carries_it() -> None:
    """Manual §7.1.3: MODE.SEC clear → SEC-STATUS 0x00 before every block; the tag sends one byte less
    per block (the air time)."""
    uid = bytes.fromhex(STACK[0])
    request = fc.read_multiple_data(uid, 0, 8)
    assert request[1] == fc.MODE_ADDRESSED  # no MODE.SEC
    device = FeigDevice(make_field("stack3"))
    (answer,) = device.receive(fc.build_request(fc.Request(fc.BROADCAST_ADDR, fc.CMD_ISO, request)))
    decoder = fc.FrameDecoder(responses=True)
    (response,) = decoder.feed(answer.data)
    assert isinstance(response, fc.Response) and response.status == fc.OK
    assert len(response.data) == 2 + 8 * (1 + 4) and response.data[2] == 0x00  # SEC-STATUS, then the block
    size, blocks = fc.parse_read_multiple(response.data)
    assert size == 4 and blocks == bytes(device.field.tag(STACK[0]).blocks[:32])
    with_sec = fc.read_multiple_data(uid, 0, 8, security_status=True)
    (slower,) = device.receive(fc.build_request(fc.Request(fc.BROADCAST_ADDR, fc.CMD_ISO, with_sec)))
    assert slower.air_time > answer.air_time
