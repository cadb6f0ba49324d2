"""A missing device never takes the kiosk down (real SIP2 over TCP, the ZVT simulator over TCP): with
the PIN terminal unplugged, the scanner port absent and the receipt directory unusable the kiosk starts,
lends and takes back, answers a payment "terminal unavailable" at once, shows the devices offline and
alerts; when the terminal appears it is opened and used."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.payment.sim_books import Books
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator
from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.health import KioskHealth

from .waiting import PATIENT_SIP2, settle, wait_for

JAN, SANNE = "20301000010015", "20301000010049"
HET_DINER = "30301000500013"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def kiosk(tmp_path: Path, port: int, caplog: pytest.LogCaptureFixture) -> Iterator[Kiosk]:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the receipt directory should be", encoding="utf-8")
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "file://{blocked}/receipts"\nterminal = "zvt+tcp://127.0.0.1:{port}"\n'
        f'barcode_scanner = "serial://{tmp_path}/ttyACM9"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}[session]\npin = "never"\n[receipt]\nmode = "never"\n',
        base_dir=tmp_path,
    )
    caplog.set_level(logging.WARNING, logger="kiosk.assembly")
    kiosk = build_kiosk(config)  # today: a traceback, the whole kiosk down
    yield kiosk
    kiosk.stop()


def act(kiosk: Kiosk, event: ev.Event) -> None:
    kiosk.runtime.send(event)
    settle(kiosk)


def test_the_kiosk_runs_degraded_and_takes_the_terminal_when_it_appears(
    kiosk: Kiosk, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    alerts = " ".join(
        r.getMessage() for r in caplog.get_records("setup") if "alert device_unavailable" in r.getMessage()
    )
    assert "for terminal" in alerts and "for barcode_scanner" in alerts and "for printer" in alerts
    health = KioskHealth(kiosk).snapshot()
    for device in ("terminal", "barcode_scanner", "printer"):
        assert health.device(device) is not None and health.device(device).state == "offline", device
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    library = kiosk.ils_simulator.library
    act(kiosk, ev.PassPresented(JAN))  # loans work
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    act(kiosk, ev.StartBorrow())
    act(kiosk, ev.ItemPresented(HET_DINER))
    wait_for(kiosk, lambda: HET_DINER in library.loans, "lent at the ILS")
    act(kiosk, ev.Finish())
    act(kiosk, ev.ItemPresented(HET_DINER))  # returns work
    wait_for(kiosk, lambda: HET_DINER not in library.loans, "returned at the ILS")
    act(kiosk, ev.Finish())
    act(kiosk, ev.PassPresented(SANNE))  # a payment is answered at once, not left hanging
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    act(kiosk, ev.ShowAccount())
    wait_for(kiosk, lambda: kiosk.runtime.view.account is not None, "account")
    act(kiosk, ev.StartPay())
    act(kiosk, ev.PayFees(("900002",)))
    wait_for(kiosk, lambda: not kiosk.runtime.view.busy and kiosk.runtime.view.message is not None, "answer")
    assert kiosk.runtime.view.message.key == "payment.terminal_unavailable"
    assert not kiosk.runtime.view.payments
    act(kiosk, ev.Finish())
    terminal = TerminalSimulator(SimSettings(password="123456"), Books())  # plugged in
    try:
        terminal.start_tcp(port=port)
        wait_for(kiosk, lambda: kiosk.payments.worker is not None, "terminal opened", limit=120)
        wait_for(kiosk, lambda: kiosk.payments.health()[0] == "ok", "terminal ready", limit=120)
    finally:
        kiosk.stop()
        terminal.stop()


def test_a_device_missing_at_start_reaches_the_webhook(tmp_path: Path, port: int) -> None:
    import http.server
    import threading

    from kiosk.health import start_monitoring

    received: list[bytes] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\nterminal = "zvt+tcp://127.0.0.1:{port}"\n'
        f'[sip2]\npassword = "demo"\n{PATIENT_SIP2}'
        f'[monitoring]\nwebhook_url = "http://127.0.0.1:{server.server_address[1]}/hook"\n',
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config, readers=False)
    try:
        start_monitoring(kiosk)  # the alert was raised before monitoring listened: it is passed on now
    finally:
        kiosk.stop()
        server.shutdown()
        server.server_close()
    assert any(b"device_unavailable" in body and b"terminal" in body for body in received), received
