"""Headset jack detection: the input_event decoder byte by byte and with trailing data, and the evdev
watcher reading real kernel-format events from a FIFO."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.speech.jack import (
    EV_SW,
    EVENT,
    SWITCHES,
    EvdevJack,
    FakeJack,
    JackDecoder,
    encode_switch,
    eviocgsw,
    open_jack,
)

LIMIT = 30.0
HEADPHONE = SWITCHES["headphone"]


def test_decoder_reports_each_change_once() -> None:
    d = JackDecoder()
    stream = (
        encode_switch(HEADPHONE, True)
        + encode_switch(HEADPHONE, True)
        + encode_switch(SWITCHES["jack"], False)
        + encode_switch(HEADPHONE, False)
    )
    assert d.feed(stream) == [True, False]
    assert d.plugged is False


def test_decoder_byte_by_byte_and_with_trailing_data() -> None:
    d = JackDecoder(plugged=False)
    stream = encode_switch(HEADPHONE, True) + EVENT.pack(0, 0, EV_SW, HEADPHONE, 0)[:10]
    seen = [change for byte in stream for change in d.feed(bytes([byte]))]
    assert seen == [True]
    assert d.feed(EVENT.pack(0, 0, EV_SW, HEADPHONE, 0)[10:]) == [False]


def test_ioctl_number_matches_the_kernel_macro() -> None:
    # EVIOCGSW(len) = _IOC(_IOC_READ, 'E', 0x1b, len); for len 8: 0x8008451b
    assert eviocgsw(8) == 0x8008451B


def test_evdev_jack_reads_kernel_events_from_a_device_file(tmp_path: Path) -> None:
    fifo = tmp_path / "event5"
    os.mkfifo(fifo)
    changes: list[bool] = []
    changed = threading.Condition()

    def on_change(plugged: bool) -> None:
        with changed:
            changes.append(plugged)
            changed.notify_all()

    jack = open_jack(f"evdev://{fifo}?switch=headphone", on_change)
    assert isinstance(jack, EvdevJack) and jack.plugged is None  # a FIFO answers no EVIOCGSW
    writer = os.open(fifo, os.O_WRONLY)
    try:
        os.write(writer, encode_switch(HEADPHONE, True)[:7])
        os.write(writer, encode_switch(HEADPHONE, True)[7:] + encode_switch(HEADPHONE, False))
        with changed:
            assert changed.wait_for(lambda: len(changes) >= 2, LIMIT)
        assert changes == [True, False] and jack.plugged is False
    finally:
        os.close(writer)
        jack.close()


def test_fake_jack() -> None:
    seen: list[bool] = []
    jack = open_jack("fake://", seen.append)
    assert isinstance(jack, FakeJack)
    jack.set_plugged(True)
    jack.set_plugged(True)
    jack.set_plugged(False)
    assert seen == [True, False]


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("evdev://", DeviceConfigurationError, "expected a device path"),
        ("evdev:///dev/input/event5?switch=mic", DeviceConfigurationError, "switch="),
        ("jack://x", DeviceConfigurationError, "unsupported scheme"),
        ("evdev:///no/such/device", DeviceConnectionError, "cannot open jack device"),
    ],
)
def test_bad_jack_urls(url: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        open_jack(url, lambda plugged: None)
