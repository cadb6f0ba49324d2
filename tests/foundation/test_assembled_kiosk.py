"""The assembled kiosk (kiosk.assembly): core + circulation over real SIP2 to the embedded simulator,
the encrypted queue and the demo file printer, driven through the runtime as the UI drives it."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev

from .waiting import PATIENT_SIP2, WAIT_LIMIT, settle, wait_for

ROOT = Path(__file__).resolve().parents[2]
JAN = "20301000010015"  # demo member (docs/demo-data.md)
HET_DINER, MAX_HAVELAAR = "30301000500013", "30301000500039"


SANNE = "20301000010049"  # demo member with two open fees: 900001 (EUR 0.50) and 900002 (EUR 2.50)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "file://{tmp_path}/receipts"\n'
        f'terminal = "zvt+sim://?state={tmp_path}/terminal.json"\n[sip2]\npassword = "demo"\n'
        f"{PATIENT_SIP2}[session]\npin = 'never'\n",
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config)
    assert kiosk.circulation.offline_after == config.sip2.offline_after == 30.0  # [sip2] offline_after
    yield kiosk
    kiosk.stop()


def step(kiosk: Kiosk, event: ev.Event) -> None:
    kiosk.runtime.send(event)
    settle(kiosk)


def test_borrow_two_items_with_receipt(kiosk: Kiosk, tmp_path: Path) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    seen: list[Screen] = []
    kiosk.runtime.subscribe(lambda view: seen.append(view.screen))
    step(kiosk, ev.PassPresented(JAN))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    step(kiosk, ev.StartBorrow())
    for item in (HET_DINER, MAX_HAVELAAR):
        step(kiosk, ev.ItemPresented(item))
    wait_for(kiosk, lambda: len([i for i in kiosk.runtime.view.items if i.due]) == 2, "two due dates")
    # The ILS's books: both items are now on loan to this member.
    library = kiosk.ils_simulator.library
    on_loan = {loan.item_id for loan in library.loans_of(JAN)}
    assert {HET_DINER, MAX_HAVELAAR} <= on_loan
    step(kiosk, ev.Finish())
    step(kiosk, ev.ReceiptChoice(print_receipt=True))
    wait_for(kiosk, lambda: kiosk.receipts.printed == 1, "receipt printed")
    receipts = list((tmp_path / "receipts").iterdir())
    assert len(receipts) == 1
    text = receipts[0].read_text(encoding="utf-8")
    assert "Het diner" in text and JAN not in text
    wait_for(kiosk, lambda: kiosk.runtime.view.patron is None, "session cleared")
    assert Screen.MENU in seen


def test_headless_run_prints_status_and_says_how_to_see_the_ui(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        (ROOT / "config.toml")
        .read_text(encoding="utf-8")
        .replace('"var/kiosk.db"', f'"{tmp_path}/kiosk.db"')
        .replace('"var/queue.key"', f'"{tmp_path}/k.key"')
        .replace('"file://var/receipts"', f'"file://{tmp_path}/receipts"')
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # No fixed run time: read the status lines until one says the ILS is online (a loaded machine may
    # take seconds to get there), then stop the kiosk as an operator would (SIGTERM).
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--config",
            str(config),
            "--status-interval",
            "0.2",
            "--exit-after",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    errors: list[str] = []

    def pump_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def pump_stderr() -> None:
        assert proc.stderr is not None
        errors.extend(proc.stderr)

    pumps = [threading.Thread(target=f, daemon=True) for f in (pump_stdout, pump_stderr)]
    for pump in pumps:
        pump.start()
    statuses: list[dict[str, object]] = []
    try:
        end = time.monotonic() + WAIT_LIMIT * 2
        while not (statuses and statuses[-1]["ils_online"] is True):
            try:
                line = lines.get(timeout=max(end - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"the ILS never showed online: {statuses[-3:]}") from None
            assert line is not None, f"kiosk run ended early ({proc.wait(timeout=30)}): {''.join(errors)}"
            statuses.append(json.loads(line)["status"])
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT_LIMIT * 2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for pump in pumps:
        pump.join(timeout=WAIT_LIMIT)
    stderr = "".join(errors)
    assert proc.returncode == 0, stderr
    assert "xvfb-run" in stderr
    assert statuses[-1]["queue_depth"] == 0


def test_pay_a_fee_charges_once_and_reports_once(kiosk: Kiosk) -> None:
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    step(kiosk, ev.PassPresented(SANNE))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    step(kiosk, ev.ShowAccount())
    wait_for(kiosk, lambda: kiosk.runtime.view.account is not None, "account loaded")
    fees = {fee.fee_id: fee.amount for fee in kiosk.runtime.view.account.fees}
    assert set(fees) >= {"900001", "900002"}
    step(kiosk, ev.StartPay())
    step(kiosk, ev.PayFees(("900002",)))
    wait_for(kiosk, lambda: kiosk.runtime.view.payments, "payment recorded in the session")
    # The ILS's books: fee 900002 paid in full exactly once; 900001 untouched.
    library = kiosk.ils_simulator.library
    open_fees = {fee.fee_id: fee.outstanding for fee in library.open_fees_of(SANNE)}
    assert "900002" not in open_fees and "900001" in open_fees
    assert library.times_applied("fee_paid", patron_id=SANNE) == 1
    # The terminal's books: one committed payment of EUR 2.50.
    books = kiosk.payments.service.terminal.simulator.books
    committed = [t for t in books.payments() if t.state == "committed"]
    assert [t.amount for t in committed] == [250]


def test_patron_with_a_pin_is_asked_for_it_in_patron_mode(tmp_path: Path) -> None:
    config = parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "fake://"\n[sip2]\npassword = "demo"\n{PATIENT_SIP2}'
        "[payment]\nenabled = false\n[session]\npin = 'patron'\n",
        base_dir=tmp_path,
    )
    kiosk = build_kiosk(config, readers=False)
    try:
        wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
        step(kiosk, ev.PassPresented(JAN))
        wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.PIN, "PIN asked")
        step(kiosk, ev.PinEntered("0000"))
        wait_for(kiosk, lambda: kiosk.runtime.view.pin_tries_left == 2, "wrong PIN counted")
        assert kiosk.runtime.view.screen is Screen.PIN
        step(kiosk, ev.PinEntered("1234"))
        wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu after the right PIN")
    finally:
        kiosk.stop()


def test_metrics_endpoint_counts_a_loan_without_personal_data(kiosk: Kiosk, free_port: int) -> None:
    import dataclasses
    import urllib.request

    from kiosk.technician import start_monitoring

    kiosk.config = dataclasses.replace(
        kiosk.config, monitoring=dataclasses.replace(kiosk.config.monitoring, metrics_port=free_port)
    )
    start_monitoring(kiosk)
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    step(kiosk, ev.PassPresented(JAN))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    step(kiosk, ev.StartBorrow())
    step(kiosk, ev.ItemPresented(HET_DINER))
    wait_for(kiosk, lambda: any(i.due for i in kiosk.runtime.view.items), "loan done")
    with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/metrics", timeout=10) as response:
        text = response.read().decode()
    assert 'kiosk_transactions_total{kind="loan",result="ok"} 1.0' in text
    assert "kiosk_ils_latency_seconds_count" in text and "kiosk_ils_latency_seconds_count 0.0" not in text
    for personal in (JAN, HET_DINER, "Jan de Vries", "Het diner"):
        assert personal not in text


def test_kiosk_alerts_reach_the_webhook_without_personal_data(kiosk: Kiosk, free_port: int) -> None:
    import dataclasses
    import http.server
    import threading

    from kiosk.technician import start_monitoring

    received: list[bytes] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kiosk.config = dataclasses.replace(
            kiosk.config,
            monitoring=dataclasses.replace(
                kiosk.config.monitoring, webhook_url=f"http://127.0.0.1:{free_port}/hook"
            ),
        )
        start_monitoring(kiosk)
        kiosk.alert("payment_reversed", "P26112500AB", f"fee 900002 of {SANNE}")
    finally:
        server.shutdown()
        server.server_close()
    # Health alerts may come too (the monitor runs); ours is there exactly once, and nothing personal is.
    bodies = [json.dumps(json.loads(raw)) for raw in received]
    ours = [body for body in bodies if "payment_reversed" in body]
    assert len(ours) == 1 and "P26112500AB" in ours[0]
    assert not any(SANNE in body or "900002" in body for body in bodies)


def test_a_card_that_is_not_a_library_pass_is_explained(kiosk: Kiosk) -> None:
    reader = kiosk.readers[0]
    reader.present_non_pass()  # a bank card on the (fake) reader
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.NOTICE, "notice shown")
    assert kiosk.runtime.view.message is not None and kiosk.runtime.view.message.key == "error.not_a_pass"
    step(kiosk, ev.Acknowledge())
    assert kiosk.runtime.view.screen is Screen.ATTRACT
    # Mid-session such a card changes nothing (the member is busy borrowing).
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    step(kiosk, ev.PassPresented(JAN))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    step(kiosk, ev.CardNotAPass())  # straight to the session: processed before the asserts below
    assert kiosk.runtime.view.screen is Screen.MENU and kiosk.runtime.view.patron is not None
