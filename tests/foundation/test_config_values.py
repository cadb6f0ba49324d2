"""Every value ``kiosk run`` would trip on is caught by the configuration, with the file, the key and what
was expected: non-finite numbers, device URLs and paths, the metrics address, malformed URLs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sip2]\nread_timeout = nan\n", "[sip2] read_timeout: expected a number from 0.1 to 120 (a finite"),
        ("[session]\nidle_timeout = nan\n", "[session] idle_timeout: expected a number"),
        ("[maintenance]\nlockout_minutes = nan\n", "[maintenance] lockout_minutes: expected a number"),
        ("[maintenance]\nlockout_minutes = inf\n", "[maintenance] lockout_minutes: expected a number"),
        ("[ui]\nsound_volume = -inf\n", "[ui] sound_volume: expected a number"),
        ('[payment]\nmax_amount = "NaN"\n', "[payment] max_amount: expected an amount"),
        ('[payment]\nmax_amount = "Infinity"\n', "[payment] max_amount: expected an amount"),
        ('[sip2]\nurl = "tcp://[::1"\n', "[sip2] url: not a valid URL"),
        ('[monitoring]\nwebhook_url = "http://[::1/x"\n', "[monitoring] webhook_url: not a valid URL"),
        (
            '[monitoring]\nmetrics_address = "999.1.1.1"\n',
            "[monitoring] metrics_address: expected an IP address",
        ),
        (
            '[monitoring]\nmetrics_address = "bad host!"\n',
            "[monitoring] metrics_address: expected an IP address",
        ),
        ('[devices]\nterminal = "zvt+tcp://:20007"\n', "[devices] terminal: "),
        ('[devices]\nterminal = "zvt+tcp://127.0.0.1:99999"\n', "[devices] terminal: port '99999'"),
        ('[devices]\nterminal = "zvt+serial://"\n', "[devices] terminal: expected an absolute device path"),
        ('[devices]\nterminal = "zvt+serial://ttyUSB0"\n', "[devices] terminal: expected an absolute"),
        ('[devices]\nprinter = "escpos+usb://nope"\n', "[devices] printer: expected vendor:product"),
        ('[devices]\nprinter = "escpos+tcp://[::1]:x"\n', "[devices] printer: port 'x'"),
        ('[devices]\nprinter = "escpos+serial://"\n', "[devices] printer: expected an absolute device path"),
        ('[devices]\nprinter = "file://"\n', "[devices] printer: expected a directory"),
        (
            '[devices]\nbarcode_scanner = "serial://dev/ttyACM0"\n',
            "[devices] barcode_scanner: expected an abs",
        ),
        ('[payment]\nterminal_password = "12345"\n', "[payment] terminal_password: expected exactly 6"),
        ('[devices]\nterminal = "zvt+tcp://host:1?baud=9600&baud=1"\n', "terminal: option 'baud' given"),
    ],
)
def test_bad_values_are_named_not_tracebacks(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:2: "), message
    assert expected in message, message


@pytest.mark.parametrize(
    "text",
    [
        '[devices]\nterminal = "zvt+tcp://127.0.0.1:1"\n',  # nothing listens: run degrades, config is fine
        '[devices]\nterminal = "zvt+serial:///dev/ttyUSB9"\n',  # not plugged in: the same
        '[devices]\nprinter = "escpos+tcp://[::1]:9100"\n',
        '[devices]\nprinter = "escpos+usb://04b8:0e15"\n',
        '[monitoring]\nmetrics_address = "::1"\n',
        '[monitoring]\nmetrics_address = "kiosk-1.local"\n',
    ],
)
def test_valid_values_that_name_absent_devices_pass(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    load_config(path)


@pytest.mark.parametrize("text", ['[payment]\nmax_amount = "NaN"\n', '[sip2]\nurl = "tcp://[::1"\n'])
def test_config_check_prints_one_line_not_a_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and str(path) in result.stderr


def test_run_with_a_device_setting_the_driver_refuses_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        '[devices]\nprinter = "fake://"\nterminal = "zvt+sim://?scenario=no-such-scenario"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--headless", "--exit-after", "1", "--config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "no-such-scenario" in result.stderr
