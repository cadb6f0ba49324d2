"""``kiosk sip2`` as a subprocess against a simulator on a free port: JSON, exit status, privacy."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sip2.simulator import IlsSimulator
from sip2.simulator import demo as d
from tests.cli_sip2.conftest import PASSWORD, PATIENT, run_cli


def test_status_from_the_config_file(cli: Any, sim: IlsSimulator) -> None:
    result = cli("status")
    assert result.status == 0, result.stderr
    out = result.out
    assert out["ok"] and out["ils"] == f"tcp://127.0.0.1:{sim.port}"
    assert out["timeout_seconds"] == 10.0 and out["retries_allowed"] == 3
    assert "fee_paid" in out["supported_messages"] and len(out["supported_messages"]) == 16
    assert PASSWORD not in result.stdout + result.stderr


def test_login_ok_and_refused(cli: Any, workdir: Path) -> None:
    ok = cli("login")
    assert ok.status == 0 and ok.out == {
        "command": "login",
        "ok": True,
        "ils": ok.out["ils"],
        "user": "kiosk",
    }
    (workdir / "wrong").write_text("not-the-password", encoding="utf-8")
    refused = cli("login", "--password-file", "wrong")
    assert refused.status == 1 and not refused.out["ok"] and "refused" in refused.out["error"]
    assert "not-the-password" not in refused.stdout + refused.stderr


def test_flags_override_the_config(sim: IlsSimulator, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD, encoding="utf-8")
    result = run_cli(
        tmp_path,
        "status",
        "--host",
        "127.0.0.1",
        "--port",
        str(sim.port),
        "--user",
        "kiosk",
        "--password-file",
        "pw",
        "--institution",
        "WIERDEN",
        "--terminator",
        "crlf",
        "--no-checksum",
        "--encoding",
        "cp850",
        "--timeout",
        "15",  # generous: connect + login + status must not race a loaded machine
    )
    assert result.status == 0, result.stderr
    assert result.out["institution"] == "WIERDEN"


def test_embedded_simulator_with_sim_url(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[sip2]\nurl = "sim://"\nuser = "kiosk"\npassword = "demo"\n' + PATIENT, encoding="utf-8"
    )
    result = run_cli(tmp_path, "checkout", d.NORMAL, d.AVAILABLE)
    assert result.status == 0, result.stderr
    assert result.out["ok"] and result.out["due_date"]


def test_connection_errors_exit_3(sim: IlsSimulator, cli: Any, tmp_path: Path) -> None:
    sim.faults.never_answer = True
    silent = cli("status", "--timeout", "0.5")
    assert silent.status == 3 and not silent.out["ok"]
    sim.faults.never_answer = False
    port = sim.port
    sim.stop()
    down = run_cli(tmp_path, "status", "--host", "127.0.0.1", "--port", str(port), "--timeout", "0.5")
    assert down.status == 3 and "error" in down.out


def test_usage_and_configuration_errors_exit_2(cli: Any, workdir: Path) -> None:
    assert cli("checkout", d.NORMAL).status == 2  # argparse: ITEM missing
    (workdir / "bad.toml").write_text("[sip2]\nport = 'abc'\n", encoding="utf-8")
    assert cli("status", "--config", "bad.toml").status == 2
    assert cli("fee-paid", d.FEES, "twee euro").status == 2
    assert cli("fee-paid", d.FEES, "0.001").status == 2
    bad_raw = cli("raw", "XYZ")
    assert bad_raw.status == 2 and not bad_raw.out["ok"]
    assert cli("patron", d.NORMAL, "--pin-stdin", stdin="").status == 2


def test_patron_with_pin_from_stdin_shows_no_personal_data(cli: Any) -> None:
    result = cli("patron", d.NORMAL, "--pin-stdin", stdin=d.NORMAL_PIN + "\n")
    assert result.status == 0, result.stderr
    out = result.out
    assert out["valid_patron"] and out["valid_pin"] and not out["blocked"]
    assert out["counts"]["charged"] == 3 and out["limits"]["charged"] == 20
    assert sorted(out["items"]["charged"]) == sorted([d.ON_LOAN, d.RENEWAL_LIMIT, d.ON_HOLD_OTHER])
    everything = result.stdout + result.stderr
    for secret in (
        "Jan de Vries",
        "jan.devries@example.nl",
        "Dorpsstraat",
        "0546-000001",
        f'"{d.NORMAL_PIN}"',
    ):
        assert secret not in everything


def test_patron_wrong_pin_unknown_and_blocked(cli: Any) -> None:
    wrong = cli("patron", d.FEES, "--pin-stdin", stdin="0000\n")
    assert wrong.status == 1 and wrong.out["valid_pin"] is False
    unknown = cli("patron", "20000000000000")
    assert unknown.status == 1 and unknown.out["valid_patron"] is False
    blocked = cli("patron", d.BLOCKED)
    assert blocked.status == 0 and blocked.out["blocked"]
    assert "card_reported_lost" in blocked.out["status_flags"]
    fees = cli("patron", d.FEES, "--list", "fine")
    assert fees.out["fee_amount"] == "3.00" and len(fees.out["items"]["fine"]) == 2


def test_item(cli: Any) -> None:
    available = cli("item", d.AVAILABLE)
    assert available.status == 0 and available.out["circulation_status"] == "03"
    on_loan = cli("item", d.ON_LOAN)
    assert on_loan.out["status_name"] == "charged" and on_loan.out["due_date"]
    assert cli("item", "39999999999999").status == 1


def test_checkout_and_refusal(cli: Any, sim: IlsSimulator) -> None:
    lent = cli("checkout", d.NORMAL, d.AVAILABLE)
    assert lent.status == 0 and lent.out["ok"] and not lent.out["renewal"]
    assert sim.library.loans[d.AVAILABLE].patron_id == d.NORMAL
    refused = cli("checkout", d.BLOCKED, d.AVAILABLE_2)
    assert refused.status == 1 and not refused.out["ok"]
    assert "geblokkeerd" in refused.out["screen_messages"][0]
    dvd = cli("checkout", d.NORMAL, d.RENTAL_DVD)
    assert dvd.status == 1 and dvd.out["fee_amount"] == "1.00"
    assert cli("checkout", d.NORMAL, d.RENTAL_DVD, "--fee-acknowledged").status == 0


def test_checkin_with_hold_alert(cli: Any, sim: IlsSimulator) -> None:
    result = cli("checkin", d.ON_HOLD_OTHER)
    assert result.status == 0
    assert result.out["alert"] and result.out["sort_bin"] == "RESERVERINGEN"
    # The member who reserved it: masked to the last 4 digits, never the full pass number.
    assert result.out["hold_patron_id"] == "*" * 10 + d.ENGLISH[-4:]
    assert d.ENGLISH not in json.dumps(result.out)
    assert "Emily" not in result.stdout
    assert sim.library.checkins[-1].location == "KIOSK1"


def test_renew_one_and_all(cli: Any) -> None:
    one = cli("renew", d.NORMAL, d.ON_LOAN)
    assert one.status == 0 and one.out["renewal"]
    limit = cli("renew", d.NORMAL, d.RENEWAL_LIMIT)
    assert limit.status == 1
    everything = cli("renew", d.NORMAL)
    assert everything.status == 0 and everything.out["renewed"] == [d.ON_LOAN]


def test_fees_and_fee_paid(cli: Any, sim: IlsSimulator) -> None:
    fees = cli("fees", d.FEES, "--wise")
    assert fees.status == 0
    assert [f["fee_id"] for f in fees.out["fees"]] == [d.FEE_OVERDUE_ID, d.FEE_HOLD_ID]
    assert [f["amount"] for f in fees.out["fees"]] == ["0.50", "2.50"]
    assert {r["fee_id"] for r in fees.out["registrations"]} == {d.FEE_OVERDUE_ID, d.FEE_HOLD_ID}
    paid = cli("fee-paid", d.FEES, "0,50", "--fee-id", d.FEE_OVERDUE_ID, "--transaction-id", "TRX-1")
    assert paid.status == 0 and paid.out["payment_accepted"] and paid.out["transaction_id"] == "TRX-1"
    assert [p.transaction_id for p in sim.library.payments] == ["TRX-1"]
    assert sim.library.payments[0].amount == Decimal("0.50")
    again = cli("fee-paid", d.FEES, "0.50", "--fee-id", d.FEE_OVERDUE_ID, "--transaction-id", "TRX-1")
    assert again.status == 1 and not again.out["payment_accepted"]
    assert len(sim.library.payments) == 1


def test_raw_message_hides_personal_data(cli: Any) -> None:
    result = cli("raw", f"23005{{now}}AOWIERDEN|AA{d.NORMAL}|AC|AD|")
    assert result.status == 0, result.stderr
    assert result.out["request_code"] == "23" and result.out["reply_code"] == "24"
    assert result.out["fields"]["valid_patron"] is True
    assert result.out["fields"]["personal_name"] == "<hidden>"
    assert "Jan de Vries" not in result.stdout


def test_raw_checkin_hides_who_reserved_it_and_the_title(cli: Any) -> None:
    result = cli("raw", f"09N{{now}}{{now}}APKIOSK1|AOWIERDEN|AB{d.ON_HOLD_OTHER}|AC|")
    assert result.status == 0, result.stderr
    assert result.out["reply_code"] == "10" and result.out["fields"]["hold_patron_id"] == "<hidden>"
    assert d.ENGLISH not in result.stdout and "Oorlog en terpentijn" not in result.stdout


@pytest.mark.parametrize("command", ["status", "item"])
def test_help_lists_the_connection_flags(command: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "sip2", command, "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert proc.returncode == 0
    for flag in ("--host", "--port", "--password-file", "--terminator", "--no-checksum", "--tls"):
        assert flag in proc.stdout


def test_tls_from_config_and_flag(tmp_path: Path) -> None:
    from tests.simulator.tlscert import server_context

    context, ca = server_context(tmp_path)
    with IlsSimulator(users={"kiosk": PASSWORD}, tls=context) as sim:
        (tmp_path / "config.toml").write_text(
            f'[sip2]\nurl = "tls://127.0.0.1:{sim.port}"\nuser = "kiosk"\npassword = "{PASSWORD}"\n'
            f'tls_ca_file = "{ca.name}"\n{PATIENT}',
            encoding="utf-8",
        )
        result = run_cli(tmp_path, "checkin", d.ON_LOAN)
        assert result.status == 0, result.stderr
        assert sim.library.times_applied("checkin", item_id=d.ON_LOAN) == 1
        flagged = run_cli(tmp_path, "login", "--host", "127.0.0.1", "--port", str(sim.port), "--tls")
        assert flagged.status == 0 and flagged.out["ils"].startswith("tls://")
        plain = run_cli(tmp_path, "login", "--host", "127.0.0.1", "--port", str(sim.port), "--timeout", "1")
        assert plain.status == 3
