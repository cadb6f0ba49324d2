"""The device registry: every scheme opens the right backend, lazily; unknown schemes are named; pyserial URLs
(``loop://``, ``spy://``, ``socket://``) pass through to the serial backends."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import queue
import socket
import subprocess
import sys
import textwrap
import tty
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from drivers import registry
from drivers.errors import DeviceConfigurationError, DeviceUsageError
from drivers.printer import LoanLine, Receipt, open_printer
from drivers.registry import open_device, schemes
from drivers.scanner import Scanned, open_scanner
from drivers.url import parse_device_url
from tests.foundation.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
HAVE_RFID = importlib.util.find_spec("drivers.rfid") is not None


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A raw pseudo-terminal: the test holds the master, the driver opens the slave's path."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def _receipt() -> Receipt:
    return Receipt(
        "Bibliotheek Wierden", datetime(2026, 12, 6, 14, 0), loans=(LoanLine("Havelaar", date(2026, 12, 24)),)
    )


def _listener() -> socket.socket:
    return socket.create_server(("127.0.0.1", 0))


def _port(listener: socket.socket) -> int:
    return int(listener.getsockname()[1])


def _read_until(master: int, needed: bytes) -> bytes:
    got = b""

    def more() -> bool:
        nonlocal got
        import select

        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            got += os.read(master, 4096)
        return needed in got

    wait_until(more, what=f"{needed!r} on the line")
    return got


# (kind, url or url factory, options, expected backend "module.Class") — one row per registered scheme.
Case = tuple[str, str, dict[str, Any], str]


def _cases(tmp_path: Path, pty_path: str, tcp_port: int) -> list[Case]:
    sink: Callable[[Any], None] = lambda _: None  # noqa: E731
    return [
        ("printer", "fake://", {}, "drivers.printer.backends.FakePrinter"),
        ("printer", f"file://{tmp_path}/receipts", {}, "drivers.printer.backends.FilePrinter"),
        ("printer", f"escpos+serial://{pty_path}", {}, "drivers.printer.backends.EscposPrinter"),
        ("printer", f"escpos+tcp://127.0.0.1:{tcp_port}", {}, "drivers.printer.backends.EscposPrinter"),
        ("printer", "escpos+usb://04b8:0e15", {}, "drivers.printer.backends.EscposPrinter"),
        ("scanner", "hid://", {"on_scan": sink}, "drivers.scanner.HidWedgeScanner"),
        (
            "scanner",
            f"serial://{pty_path}",
            {"on_scan": sink},
            "drivers.scanner.serial_scanner.SerialScanner",
        ),
        ("scanner", "fake://", {"on_scan": sink}, "drivers.scanner.FakeScanner"),
        ("cardreader", "fake://desk", {"on_event": sink}, "drivers.cardreader.fake.FakePassReader"),
        ("cardreader", "pcsc://", {"on_event": sink}, "drivers.cardreader.pcsc.PcscPassReader"),
        (
            "payment",
            f"zvt+serial://{pty_path}",
            {"password": "123456"},
            "drivers.payment.terminal.ZvtTerminal",
        ),
        (
            "payment",
            f"zvt+tcp://127.0.0.1:{tcp_port}",
            {"password": "123456"},
            "drivers.payment.terminal.ZvtTerminal",
        ),
        ("payment", "zvt+sim://", {"password": "123456"}, "drivers.payment.terminal.ZvtTerminal"),
        ("payment", "fake://", {"password": "123456"}, "drivers.payment.terminal.ZvtTerminal"),
        ("speech", "fake://", {}, "drivers.speech.backends.FakeSpeech"),
        ("speech", f"wav://{tmp_path}", {}, "drivers.speech.backends.EspeakSpeech"),
        ("speech", "espeak-ng://?voice=nl", {}, "drivers.speech.backends.EspeakSpeech"),
        ("jack", "fake://", {"on_change": sink}, "drivers.speech.jack.FakeJack"),
        ("jack", f"evdev://{pty_path}", {"on_change": sink}, "drivers.speech.jack.EvdevJack"),
        ("rfid", "rfid+sim://", {}, "drivers.rfid.sim.SimReader"),
        ("rfid", f"rfid+feig://{pty_path}", {}, "drivers.rfid"),
        ("rfid", f"rfid+feig+tcp://127.0.0.1:{tcp_port}", {}, "drivers.rfid"),
        ("rfid", f"rfid+3m://{pty_path}", {}, "drivers.rfid"),
        ("rfid", "rfid+pcsc://", {}, "drivers.rfid"),
    ]


def _close(device: Any) -> None:
    for name in ("close", "stop"):
        if callable(getattr(device, name, None)):
            getattr(device, name)()
            return


def test_every_registered_scheme_opens_its_backend(tmp_path: Path, pty: tuple[int, str]) -> None:
    _, pty_path = pty
    with _listener() as listener:
        cases = _cases(tmp_path, pty_path, _port(listener))
        covered = {(kind, parse_device_url(url).scheme) for kind, url, _, _ in cases}
        registered = {(kind, scheme) for kind in registry.kinds() for scheme in schemes(kind)}
        assert registered == covered, "every registered scheme needs a row here"
        for kind, url, options, expected in cases:
            if kind == "rfid" and not HAVE_RFID:
                continue  # drivers/rfid comes from its own branch; the unknown-module case is tested below
            if kind == "cardreader" and url.startswith("pcsc"):
                continue
            device = open_device(kind, url, **options)
            try:
                name = f"{type(device).__module__}.{type(device).__qualname__}"
                assert name.startswith(expected), (kind, url, name)
            finally:
                _close(device)


def test_pcsc_reader_is_registered_and_imported_only_when_opened() -> None:
    """pcsc:// needs pyscard and pcscd, so it is opened for real in test_pcsc_reader; here: the table."""
    assert schemes("cardreader") == ("pcsc", "fake")
    assert registry.opener("cardreader", "pcsc").__name__ == "open_pcsc"


def test_the_public_openers_and_the_configuration_agree_with_the_registry() -> None:
    """One definition of which schemes exist: the kiosk's configuration checks the same list."""
    import drivers.payment
    from kiosk.config_schema import DevicesConfig

    by_field = {
        "pass_readers": "cardreader",
        "barcode_scanner": "scanner",
        "printer": "printer",
        "terminal": "payment",
        "rfid": "rfid",
    }
    for f in dataclasses.fields(DevicesConfig):
        # "" = no device of that kind (the RFID pad is optional)
        assert set(f.metadata["schemes"]) - {""} == set(schemes(by_field[f.name])), f.name
    assert schemes("payment") == drivers.payment.SCHEMES


def test_importing_drivers_imports_no_backend_and_no_optional_library() -> None:
    """Without pyserial, pyscard, pyusb and python-escpos everything imports; opening says what is missing."""
    script = textwrap.dedent(
        """
        import sys
        for name in ("serial", "smartcard", "usb", "escpos"):
            sys.modules[name] = None  # as if not installed
        import drivers.registry, drivers.printer, drivers.scanner, drivers.cardreader, drivers.payment
        import drivers.speech
        from drivers.errors import DeviceConfigurationError
        from drivers.registry import open_device
        lazy = ("drivers.printer.openers", "drivers.scanner.openers", "drivers.scanner.serial_scanner",
                "drivers.cardreader.openers", "drivers.cardreader.pcsc", "drivers.payment.openers",
                "drivers.payment.simulator")
        print("imported at start:", [m for m in lazy if m in sys.modules])
        open_device("cardreader", "fake://", mapping=None, on_event=lambda event: None).close()
        print("pcsc after fake://:", "drivers.cardreader.pcsc" in sys.modules)
        for kind, url, options in [
            ("printer", "escpos+serial:///dev/null", {}),
            ("printer", "escpos+usb://04b8:0e15", {}),
            ("scanner", "serial:///dev/null", {"on_scan": print}),
            ("cardreader", "pcsc://", {"mapping": None, "on_event": print}),
            ("payment", "zvt+serial:///dev/null", {"password": "123456"}),
        ]:
            try:
                open_device(kind, url, **options)
            except DeviceConfigurationError as exc:
                print("refused:", kind, exc)
            else:
                print("OPENED", kind)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "imported at start: []"
    assert lines[1] == "pcsc after fake://: False"
    refused = lines[2:]
    assert "OPENED" not in run.stdout
    assert "pip install pyserial" in refused[0]
    assert "pip install pyusb" in refused[1] or "python-escpos" in refused[1]
    assert "pip install pyserial" in refused[2]
    assert "pyscard" in refused[3]
    assert "pip install pyserial" in refused[4]


@pytest.mark.parametrize(
    ("kind", "open_it"),
    [
        ("printer", lambda url: open_printer(url)),
        ("scanner", lambda url: open_scanner(url, on_scan=print)),
        ("payment", lambda url: __import__("drivers.payment").payment.open_terminal(url, password="123456")),
        ("cardreader", lambda url: __import__("drivers.cardreader").cardreader.open_pass_reader(url, print)),
        ("speech", lambda url: open_device("speech", url)),
    ],
)
def test_an_unknown_scheme_names_the_kind_the_scheme_and_the_known_ones(
    kind: str, open_it: Callable[[str], Any]
) -> None:
    with pytest.raises(DeviceConfigurationError) as caught:
        open_it("lp://desk")
    message = str(caught.value)
    assert "lp://desk" in message and "'lp'" in message and kind in message
    for scheme in schemes(kind):
        assert f"{scheme}://" in message


def test_an_unknown_kind_names_the_known_kinds() -> None:
    with pytest.raises(DeviceConfigurationError, match="no 'toaster' devices; known device kinds: printer"):
        open_device("toaster", "fake://")


def test_register_is_lazy_and_refuses_mistakes() -> None:
    registry.register("test-kind", "echo", "tests.devices.test_registry:open_echo")
    registry.register("test-kind", "missing", "tests.devices.no_such_module:open_it")  # nothing imported yet
    try:
        device = open_device("test-kind", "ECHO://hello?x=1", colour="red")
        assert device == ("echo", "hello", {"x": "1"}, {"colour": "red"})
        assert schemes("test-kind") == ("echo", "missing")
        with pytest.raises(
            DeviceConfigurationError, match=r"needs the Python module 'tests\.devices\.no_such_module'"
        ):
            open_device("test-kind", "missing://")
        with pytest.raises(DeviceUsageError, match="already opened by"):
            registry.register("test-kind", "echo", "tests.devices.test_registry:something_else")
        registry.register(
            "test-kind", "echo", "tests.devices.test_registry:open_echo"
        )  # the same again: fine
        with pytest.raises(DeviceUsageError, match=r"expected 'package\.module:function'"):
            registry.register("test-kind", "bad", "tests.devices.test_registry.open_echo")
        with pytest.raises(ValueError):  # a usage error is also a ValueError
            registry.register("test-kind", "echo://", "tests.devices.test_registry:open_echo")
    finally:
        registry.unregister("test-kind", "echo")
        registry.unregister("test-kind", "missing")
    assert "test-kind" not in registry.kinds()


def open_echo(device: Any, **options: Any) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    """An opener for the registration test."""
    return device.scheme, device.target, dict(device.options), options


@pytest.mark.skipif(HAVE_RFID, reason="drivers.rfid is present: opened in the table test")
def test_a_registered_kind_whose_package_is_absent_fails_at_open() -> None:
    with pytest.raises(DeviceConfigurationError, match=r"rfid.*needs the Python module 'drivers\.rfid'"):
        open_device("rfid", "rfid+sim://")


# --- pyserial URLs -------------------------------------------------------------------------------------


def test_a_serial_scanner_on_loop_reads_what_is_written_to_the_loop() -> None:
    scans: queue.Queue[Scanned] = queue.Queue()
    scanner: Any = open_scanner("serial://loop://?suffix=cr", on_scan=scans.put, validation="off")
    try:
        scanner._device.write(b"30234000517861\r")
        scan = scans.get(timeout=30)
    finally:
        scanner.close()
    assert (scan.text, scan.source) == ("30234000517861", "loop://")


def test_spy_shows_the_terminal_line_while_the_kiosk_pays(capsys: pytest.CaptureFixture[str]) -> None:
    """zvt+serial://spy://PATH: the ZVT driver over a real pty to the simulator, every byte in a hex dump."""
    from drivers.payment import Outcome, open_terminal
    from drivers.payment.link import Timers
    from drivers.payment.sim_books import Books
    from drivers.payment.sim_scenarios import SimSettings
    from drivers.payment.simulator import TerminalSimulator

    timers = Timers(t1=0.5, t2=5.0, t3=10.0, t4=10.0, repeats=2)
    sim = TerminalSimulator(SimSettings(password="123456", card_wait=0.0), Books(), timers)
    path = sim.start_pty()
    term = open_terminal(f"zvt+serial://spy://{path}?baud=9600", password="123456", timers=timers)
    try:
        term.register()
        assert term.authorize(250).outcome is Outcome.APPROVED_COMMITTED
    finally:
        term.close()
        sim.stop()
    dump = capsys.readouterr().err.splitlines()
    sent = [line for line in dump if " TX " in f" {line} "]
    received = [line for line in dump if " RX " in f" {line} "]
    assert sent and received
    assert any("10 02 06 00" in line for line in sent), sent[:3]  # DLE STX, then Registration 06 00
    assert any("80 00" in line for line in received), received[:3]  # the terminal's "80 00" answer


def test_spy_options_go_percent_encoded_into_the_target(tmp_path: Path, pty: tuple[int, str]) -> None:
    master, path = pty
    log = tmp_path / "printer-line.txt"
    printer = open_printer(f"escpos+serial://spy://{path}%3Ffile%3D{log}?status=none")
    try:
        printer.print_receipt(_receipt())
        _read_until(master, b"Havelaar")
    finally:
        printer.close()
    assert "TX" in log.read_text()


def test_a_serial_printer_behind_a_serial_to_tcp_server() -> None:
    with _listener() as listener:
        printer = open_printer(f"escpos+serial://socket://127.0.0.1:{_port(listener)}?status=none")
        try:
            printer.print_receipt(_receipt())
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(30)
                got = b""
                while b"Havelaar" not in got:
                    chunk = conn.recv(4096)
                    assert chunk, "the printer closed before the receipt arrived"
                    got += chunk
        finally:
            printer.close()
    assert got.startswith(b"\x1b@")  # ESC @: initialise


@pytest.mark.parametrize("url", ["zvt+serial://ftp://host/x", "serial://http://x", "escpos+serial://rfc://x"])
def test_other_urls_in_a_serial_target_are_refused(url: str) -> None:
    kind = {"zvt": "payment", "serial": "scanner", "escpos": "printer"}[url.split("+")[0].split(":")[0]]
    options: dict[str, Any] = {"payment": {"password": "123456"}, "scanner": {"on_scan": print}}.get(kind, {})
    with pytest.raises(DeviceConfigurationError, match="loop://, spy://, socket://"):
        open_device(kind, url, **options)
