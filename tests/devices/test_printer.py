"""Receipt rendering (golden bytes) and the printer backends (pty, TCP on loopback, file, fake)."""

from __future__ import annotations

import os
import socket
import threading
import tty
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.printer import (
    FakePrinter,
    FeePayment,
    FilePrinter,
    LoanLine,
    Paper,
    PrinterStatus,
    Receipt,
    ReturnLine,
    open_printer,
    render_receipt,
    render_text,
)
from drivers.printer.status import parse_dle_eot_paper, parse_dle_eot_printer, parse_gs_r_paper
from tests.foundation.waiting import wait_until

from .printer_sim import PrinterSim

GOLDEN = Path(__file__).parent / "golden"
PASS = "20105000000011"
SECRET_TITLE = "Één café in Zoë’s straat"


def sample_receipt(language: str = "nl") -> Receipt:
    return Receipt(
        library_name="Bibliotheek Wierden-Enter",
        printed_at=datetime(2026, 11, 24, 14, 5),
        pass_number=PASS,
        loans=(
            LoanLine(
                "De ontdekking van de hemel — een heel lange titel die moet afbreken", date(2026, 12, 15)
            ),
            LoanLine(SECRET_TITLE, date(2026, 12, 15), item_id="30234000517861"),
        ),
        returns=(ReturnLine("Het Achterhuis"),),
        renewals=(LoanLine("Kruistocht in spijkerbroek", date(2026, 12, 22)),),
        fees=(FeePayment("Te laat ingeleverd", Decimal("3.50"), ("CCV  Terminal 1234", "Akkoord")),),
        language=language,
    )


@pytest.mark.parametrize(("language", "width"), [("nl", 32), ("nl", 42), ("en", 48)])
def test_receipt_matches_golden_bytes(language: str, width: int) -> None:
    data = render_receipt(sample_receipt(language), width, "CP858")
    assert data == (GOLDEN / f"receipt_{language}_{width}.bin").read_bytes()


def test_dutch_characters_use_cp858_and_lines_fit() -> None:
    data = render_receipt(sample_receipt(), 32, "CP858")
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC @ initialise, ESC t 19 = CP858
    # É 90h, é 82h, ë 89h (CP858); the curly apostrophe becomes a plain one; € is D5h
    assert b"\x90\x82n caf\x82 in Zo\x89's straat" in data
    assert b"\xd5 3,50" in data and b"ontdekking van de hemel -" in data
    assert PASS.encode() not in data and b"**********0011" in data
    assert data.endswith(b"\x1dV\x00")  # GS V 0: cut
    for line in render_text(sample_receipt(), 32).splitlines():
        assert len(line) <= 32


def test_code_page_without_euro_and_other_scripts() -> None:
    receipt = Receipt(
        "Łódź — 图书馆", datetime(2026, 1, 2, 3, 4), fees=(FeePayment("Boete", Decimal("1234.5")),)
    )
    data = render_receipt(receipt, 42, "CP850")
    assert data.startswith(b"\x1b@\x1bt\x02")
    assert (
        b"L\xa2dz - ???" in data
    )  # ó exists in CP850 (A2h), Ł does not, CJK neither and b"EUR 1.234,50" in data
    with pytest.raises(DeviceConfigurationError, match="code page 'UTF-8'"):
        render_receipt(receipt, 42, "UTF-8")
    with pytest.raises(DeviceConfigurationError, match="width 40"):
        render_receipt(receipt, 40)


def test_english_labels_and_kiosk_supplied_labels() -> None:
    text = render_text(sample_receipt("en"), 42)
    assert "Borrowed (2)" in text and "Due 15/12/2026" in text and "€3.50" in text
    custom = Receipt(
        "B", datetime(2026, 1, 1), returns=(ReturnLine("X"),), labels={"returns": "Teruggebracht"}
    )
    assert "Teruggebracht (1)" in render_text(custom, 32)


def test_receipt_repr_never_shows_titles_or_pass() -> None:
    assert SECRET_TITLE not in repr(sample_receipt()) and PASS not in repr(sample_receipt())


@pytest.mark.parametrize(
    ("byte", "paper", "online"),
    [(0x12, Paper.OK, True), (0x1E, Paper.NEAR_END, True), (0x7E, Paper.OUT, True), (0x72, Paper.OUT, True)],
)
def test_dle_eot_status_bits(byte: int, paper: Paper, online: bool) -> None:
    assert parse_dle_eot_paper(byte) is paper
    assert parse_dle_eot_printer(0x12) is True and parse_dle_eot_printer(0x1A) is False
    with pytest.raises(ValueError, match="not a DLE EOT status byte: 00"):
        parse_dle_eot_paper(0x00)
    assert parse_gs_r_paper(0x00) is Paper.OK and parse_gs_r_paper(0x03) is Paper.NEAR_END
    assert parse_gs_r_paper(0x0C) is Paper.OUT
    with pytest.raises(ValueError):
        parse_gs_r_paper(0x90)


@pytest.fixture
def serial_printer() -> Iterator[tuple[PrinterSim, str]]:
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    sim = PrinterSim()
    thread = threading.Thread(target=sim.serve_fd, args=(master,), daemon=True)
    thread.start()
    yield sim, os.ttyname(slave)
    sim.stop.set()
    thread.join()
    os.close(master)
    os.close(slave)


@pytest.fixture
def tcp_printer() -> Iterator[tuple[PrinterSim, int]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    sim = PrinterSim()
    thread = threading.Thread(target=sim.serve_tcp, args=(server,), daemon=True)
    thread.start()
    yield sim, server.getsockname()[1]
    sim.stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize(
    ("paper", "online"), [("ok", True), ("near_end", True), ("out", True), ("ok", False)]
)
def test_serial_printer_prints_and_reports_status(
    serial_printer: tuple[PrinterSim, str], paper: str, online: bool
) -> None:
    sim, path = serial_printer
    sim.paper, sim.online = paper, online
    printer = open_printer(f"escpos+serial://{path}?baud=19200&timeout=15", width=32)
    try:
        assert printer.status() == PrinterStatus(Paper(paper), online)
        printer.print_receipt(sample_receipt())
        expected = render_receipt(sample_receipt(), 32)
        wait_until(lambda: bytes(sim.received) == expected, what="the receipt at the printer")
    finally:
        printer.close()
    assert sim.queries == [b"\x10\x04\x01", b"\x10\x04\x04"]


def test_status_without_an_answer_or_with_gs_r(serial_printer: tuple[PrinterSim, str]) -> None:
    sim, path = serial_printer
    sim.answers = False
    silent = open_printer(f"escpos+serial://{path}?timeout=0.1")  # silence only gets longer under load
    assert silent.status() == PrinterStatus(Paper.UNKNOWN, None, "no answer to DLE EOT")
    silent.close()
    # The simulator must have taken that query in before it starts answering again, or a late answer
    # to it would sit in the pty and be read as the reply to GS r below.
    wait_until(lambda: sim.queries == [b"\x10\x04\x01"] and not sim.received, what="the query taken in")
    sim.answers, sim.paper = True, "near_end"
    gs = open_printer(f"escpos+serial://{path}?status=gs&timeout=15")
    assert gs.status().paper is Paper.NEAR_END
    gs.close()
    off = open_printer(f"escpos+serial://{path}?status=none")
    assert off.status().paper is Paper.UNKNOWN and off.status().can_print


def test_tcp_printer(tcp_printer: tuple[PrinterSim, int], free_port: int) -> None:
    sim, port = tcp_printer
    sim.paper = "near_end"
    printer = open_printer(f"escpos+tcp://127.0.0.1:{port}?timeout=15", width=48)
    status = printer.status()
    assert status.paper is Paper.NEAR_END and status.online and status.can_print
    printer.print_receipt(sample_receipt("en"))
    wait_until(lambda: bytes(sim.received) == render_receipt(sample_receipt("en"), 48), what="the receipt")
    gone = open_printer(f"escpos+tcp://127.0.0.1:{free_port}?timeout=1")
    down = gone.status()
    assert down.online is False and not down.can_print and "cannot reach printer" in down.detail
    with pytest.raises(DeviceConnectionError, match="cannot reach printer"):
        gone.print_receipt(sample_receipt())


def test_unplugged_serial_printer_is_a_connection_error() -> None:
    printer = open_printer("escpos+serial:///dev/does-not-exist")
    assert printer.status().online is False
    with pytest.raises(DeviceConnectionError, match="cannot open printer port"):
        printer.print_receipt(sample_receipt())


def test_file_printer_writes_text_receipts(tmp_path: Path) -> None:
    printer = open_printer(f"file://{tmp_path}/receipts", width=42)
    assert isinstance(printer, FilePrinter) and printer.status().paper is Paper.OK
    path = printer.print_receipt(sample_receipt())
    assert path.read_text(encoding="utf-8") == render_text(sample_receipt(), 42)
    assert SECRET_TITLE in path.read_text(encoding="utf-8")  # demo only: that is why it is demo only
    assert [p.name for p in (tmp_path / "receipts").iterdir()] == [path.name]


def test_fake_printer_and_bad_urls() -> None:
    printer = open_printer("fake://", width=32, code_page="cp850")
    assert isinstance(printer, FakePrinter)
    printer.print_receipt(sample_receipt())
    assert printer.printed == [render_receipt(sample_receipt(), 32, "CP850")]
    printer.paper = Paper.OUT
    assert not printer.status().can_print
    with pytest.raises(DeviceConnectionError):
        printer.print_receipt(sample_receipt())
    for url, message in [
        ("lp://x", "unsupported scheme"),
        ("escpos+usb://epson", "vendor:product"),
        ("escpos+tcp://host:99999", "port '99999'"),
        ("escpos+serial:///dev/x?status=maybe", "status='maybe'"),
        ("file://", "no directory"),
    ]:
        with pytest.raises(DeviceConfigurationError, match=message):
            open_printer(url)
    with pytest.raises(DeviceConfigurationError, match="width 40"):
        open_printer("fake://", width=40)
