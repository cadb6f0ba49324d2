"""Serial barcode scanners over a pseudo-terminal."""

from __future__ import annotations

import os
import queue
import tty
from collections.abc import Iterator

import pytest

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.scanner import FakeScanner, Scanned, open_scanner
from tests.foundation.waiting import wait_until


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A raw pseudo-terminal: the test writes to the master, the scanner opens the slave's path."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def next_scan(scans: queue.Queue[Scanned]) -> Scanned:
    try:
        return scans.get(timeout=10)
    except queue.Empty:
        raise AssertionError("no scan arrived") from None


@pytest.mark.parametrize(("suffix", "raw"), [("cr", b"\r"), ("crlf", b"\r\n"), ("lf", b"\n"), ("tab", b"\t")])
def test_barcodes_split_on_the_suffix(pty: tuple[int, str], suffix: str, raw: bytes) -> None:
    master, path = pty
    scans: queue.Queue[Scanned] = queue.Queue()
    scanner = open_scanner(f"serial://{path}?baud=9600&suffix={suffix}", on_scan=scans.put)
    try:
        # two barcodes in one write, the second split across writes
        os.write(master, b"20105000000011" + raw + b"30234")
        os.write(master, b"000517861" + raw)
        first, second = next_scan(scans), next_scan(scans)
    finally:
        scanner.close()
    assert (first.text, first.is_pass, first.source) == ("20105000000011", True, path)
    assert (second.text, second.is_pass) == ("30234000517861", False)


def test_no_suffix_ends_a_barcode_on_a_quiet_line(pty: tuple[int, str]) -> None:
    master, path = pty
    scans: queue.Queue[Scanned] = queue.Queue()
    with open_scanner(f"serial://{path}?suffix=none&gap=0.05", on_scan=scans.put):  # type: ignore[attr-defined]
        os.write(master, b"ABC-123")
        assert next_scan(scans).text == "ABC-123"


def test_odd_bytes_are_kept_not_fatal(pty: tuple[int, str]) -> None:
    master, path = pty
    scans: queue.Queue[Scanned] = queue.Queue()
    with open_scanner(f"serial://{path}", on_scan=scans.put):  # type: ignore[attr-defined]
        os.write(master, b"\xff12\r\r  \r34\r")
        assert [next_scan(scans).text, next_scan(scans).text] == ["\xff12", "34"]


def test_bad_urls_and_missing_ports() -> None:
    with pytest.raises(DeviceConfigurationError, match="option suffix='semicolon'; expected one of cr"):
        open_scanner("serial:///dev/null?suffix=semicolon", on_scan=print)
    with pytest.raises(DeviceConfigurationError, match="no device path"):
        open_scanner("serial://", on_scan=print)
    with pytest.raises(DeviceConnectionError, match="cannot open scanner port /dev/does-not-exist"):
        open_scanner("serial:///dev/does-not-exist", on_scan=print)
    with pytest.raises(DeviceConfigurationError, match="unknown pass number scheme"):
        open_scanner("fake://", on_scan=print, validation="dutch15")


def test_fake_scanner_delivers_in_order() -> None:
    scans: queue.Queue[Scanned] = queue.Queue()
    scanner = open_scanner("fake://", on_scan=scans.put, validation="off")
    assert isinstance(scanner, FakeScanner)
    scanner.scan("1")
    scanner.scan("2")
    scanner.flush()
    scanner.close()
    assert [next_scan(scans).text, next_scan(scans).text] == ["1", "2"]


def test_scanner_unplugged_and_plugged_back(tmp_path: object) -> None:
    """The scanner's udev symlink points at one pty, that device dies, the link then points at a new one."""
    from pathlib import Path

    link = Path(str(tmp_path)) / "ttyScanner"
    fds: list[int] = []

    def new_pty() -> tuple[int, str]:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        fds.extend((master, slave))
        return master, os.ttyname(slave)

    master1, path1 = new_pty()
    link.symlink_to(path1)
    scans: queue.Queue[Scanned] = queue.Queue()
    scanner = open_scanner(f"serial://{link}", on_scan=scans.put)
    try:
        os.write(master1, b"111111\r")
        assert next_scan(scans).text == "111111"
        os.write(master1, b"half")  # an unfinished barcode, then the device disappears
        os.close(master1)
        link.unlink()
        wait_until(lambda: not scanner.connected.is_set(), what="disconnected")  # type: ignore[attr-defined]
        master2, path2 = new_pty()
        link.symlink_to(path2)
        wait_until(lambda: scanner.connected.is_set(), what="connected again")  # type: ignore[attr-defined]
        os.write(master2, b"222222\r")
        assert next_scan(scans).text == "222222"
    finally:
        scanner.close()
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
