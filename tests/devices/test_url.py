"""The shared device-URL parser."""

from __future__ import annotations

import pytest

from drivers.errors import DeviceConfigurationError
from drivers.url import parse_device_url


def test_serial_url_with_options() -> None:
    url = parse_device_url("serial:///dev/ttyACM0?baud=9600&suffix=cr")
    assert (url.scheme, url.path, url.kind, url.transport) == ("serial", "/dev/ttyACM0", "serial", "")
    assert url.option_int("baud", 115200) == 9600
    assert url.option_choice("suffix", ("cr", "lf", "crlf"), "cr") == "cr"
    url.check_options(("baud", "suffix"))


def test_compound_scheme_and_host_port() -> None:
    url = parse_device_url("ESCPOS+TCP://192.0.2.7:9100")
    assert (url.scheme, url.kind, url.transport) == ("escpos+tcp", "escpos", "tcp")
    assert url.host_port() == ("192.0.2.7", 9100)
    assert parse_device_url("escpos+tcp://printer.local").host_port(9100) == ("printer.local", 9100)
    assert parse_device_url("escpos+tcp://[::1]:9101").host_port() == ("::1", 9101)
    tcp = parse_device_url("zvt+tcp://10.0.0.5:20007?timeout=3")
    assert (tcp.host, tcp.port, tcp.options["timeout"]) == ("10.0.0.5", 20007, "3")
    serial = parse_device_url("zvt+serial:///dev/ttyS0?baud=9600")
    assert (serial.host, serial.port, serial.path) == (None, None, "/dev/ttyS0")


def test_usb_ids_and_reader_names_and_relative_dirs() -> None:
    assert parse_device_url("escpos+usb://04b8:0e15").hex_pair() == (0x04B8, 0x0E15)
    assert parse_device_url("pcsc://Virtual PCD").target == "Virtual PCD"
    assert parse_device_url("pcsc://ACS%20ACR122").target == "ACS ACR122"
    assert parse_device_url("pcsc://").target == ""
    assert parse_device_url("file://var/receipts").path == "var/receipts"
    assert parse_device_url("file:///tmp/receipts").path == "/tmp/receipts"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty device URL"),
        ("/dev/ttyS0", "not a device URL"),
        ("ftp://x", "unsupported scheme 'ftp'"),
    ],
)
def test_bad_urls_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(DeviceConfigurationError, match=message):
        parse_device_url(text, ("pcsc", "fake"))


def test_bad_options_are_rejected_not_ignored() -> None:
    url = parse_device_url("serial:///dev/ttyS0?baud=fast&bogus=1&parity=x")
    with pytest.raises(DeviceConfigurationError, match=r"unknown option.*bogus.*expected: baud"):
        url.check_options(("baud",))
    with pytest.raises(DeviceConfigurationError, match="not an integer"):
        url.option_int("baud", 9600)
    with pytest.raises(DeviceConfigurationError, match="expected one of N, E, O"):
        url.option_choice("parity", ("N", "E", "O"), "N")
    with pytest.raises(DeviceConfigurationError, match="given twice"):
        parse_device_url("serial:///dev/x?baud=1&BAUD=2")
    with pytest.raises(DeviceConfigurationError, match="port 'x'"):
        parse_device_url("escpos+tcp://host:x").host_port()
    with pytest.raises(DeviceConfigurationError, match="vendor:product"):
        parse_device_url("escpos+usb://epson").hex_pair()
    flags = parse_device_url("fake://?a=yes&b=off&c=maybe&t=-1")
    assert flags.option_bool("a", False) and not flags.option_bool("b", True)
    with pytest.raises(DeviceConfigurationError, match="yes/no"):
        flags.option_bool("c", False)
    with pytest.raises(DeviceConfigurationError, match="at least 0"):
        flags.option_float("t", 1.0)
