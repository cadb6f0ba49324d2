"""Configuration: the shipped files load, and each kind of bad input gives one clear message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import MASK, config_as_dict, load_config, parse_config
from kiosk.config_schema import KioskConfig
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_demo_config_is_valid_and_simulated() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.sip2.url == "sim://"
    assert config.devices.terminal == "zvt+sim://?scenario=receipt"  # the card lines on the receipt
    assert config.devices.pass_readers == ["fake://"]
    # Relative store paths resolve next to the config file, not the current directory.
    assert config.store.path == str(ROOT / "var" / "kiosk.db")


def test_example_config_for_a_real_site_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_SIP2_PASSWORD", "from-env")
    monkeypatch.setenv("KIOSK_TERMINAL_PASSWORD", "424242")
    config = load_config(ROOT / "docs" / "config.example.toml")
    assert config.sip2.url.startswith("tls://")
    assert config.sip2.password == "from-env"
    assert config.sip2.wise_sip2plus is True


def test_empty_file_gives_the_embedded_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.sip2 == KioskConfig().sip2
    assert config.session.idle_timeout == 60.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[sip2]\nhots = "x"\n', ":2: [sip2] hots: unknown key"),
        ('[sip2]\nuser = "a"\nretries = "3"\n', ":3: [sip2] retries: expected a whole number from 0 to 10"),
        ("[sip2]\nretries = 99\n", "[sip2] retries: expected a whole number from 0 to 10, got 99"),
        ("[sip2]\nread_timeout = true\n", "[sip2] read_timeout: expected a number"),
        ('[sip2]\nterminator = "lf"\n', "[sip2] terminator: expected one of 'cr', 'crlf', got 'lf'"),
        ('[sip2]\nurl = "http://ils"\n', "[sip2] url: expected a URL starting with one of sim://, tcp://"),
        ("[ui]\nfullscreen = 1\n", "[ui] fullscreen: expected true or false, got 1"),
        ('[site]\nlanguages = ["nl", "fr"]\n', "[site] languages: expected one of"),
        ('[site]\nlanguages = "nl"\n', "[site] languages: expected a list"),
        ("[sesion]\npin = 'never'\n", "unknown section [sesion] (did you mean 'session'?)"),
        ("sip2 = 3\n", "[sip2]: expected a table"),
        ("[session]\nidle_timeout = 30\nidle_warning = 30\n", "[session] idle_warning: must be shorter"),
        ('[payment]\nmax_amount = "lots"\n', "[payment] max_amount: expected an amount"),
        ('[passes]\nuid_rule = "table"\n', "[passes] uid_table_file: required"),
        ('[passes]\nuid_rule = "ndef,table"\n', "[passes] uid_table_file: required"),
        ('[passes]\nuid_rule = "ndef,magic"\n', "[passes] uid_rule: expected one of 'hex'"),
        ("[sip2\nuser = 'x'\n", "TOML syntax error"),
    ],
)
def test_bad_input_names_file_key_and_expectation(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message, message


def test_toml_syntax_error_reports_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 3"):
        load_config(write(tmp_path, '[sip2]\nuser = "x"\npassword = \n'))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[site]\nlibrary_name = "Bibliotheek \xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_secret_from_file_relative_to_config(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "sip2.pw").write_text("s3cret-from-file\n")
    config = load_config(write(tmp_path, '[sip2]\npassword_file = "secrets/sip2.pw"\n'))
    assert config.sip2.password == "s3cret-from-file"


def test_secret_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERMINAL_PW", "654321")
    config = load_config(write(tmp_path, '[payment]\nterminal_password_env = "TERMINAL_PW"\n'))
    assert config.payment.terminal_password == "654321"


def test_secret_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(ConfigError, match="environment variable 'NOT_SET_ANYWHERE' is not set"):
        load_config(write(tmp_path, '[sip2]\npassword_env = "NOT_SET_ANYWHERE"\n'))
    with pytest.raises(ConfigError, match="cannot read secret file"):
        load_config(write(tmp_path, '[sip2]\npassword_file = "missing.pw"\n'))
    with pytest.raises(ConfigError, match="give only one of password, password_file"):
        load_config(write(tmp_path, '[sip2]\npassword = "a"\npassword_file = "b"\n'))


def test_secrets_are_masked_in_output() -> None:
    config = parse_config('[sip2]\npassword = "hunter2"\n[payment]\nterminal_password = "999999"\n')
    shown = json.dumps(config_as_dict(config))
    assert "hunter2" not in shown and "999999" not in shown
    assert config_as_dict(config)["sip2"]["password"] == MASK


def test_config_is_frozen() -> None:
    config = parse_config("")
    with pytest.raises(AttributeError):
        config.sip2.user = "other"  # type: ignore[misc]


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_cli_config_check_prints_masked_json() -> None:
    result = run_kiosk("config", "check")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sip2"]["url"] == "sim://"
    assert data["sip2"]["password"] == MASK
    assert "demo" not in json.dumps(data["sip2"]["password"])


def test_cli_config_check_error_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "[sip2]\nretries = -1\n")
    result = run_kiosk("config", "check", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "[sip2] retries" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_help_lists_areas() -> None:
    result = run_kiosk("--help")
    assert result.returncode == 0
    assert "config" in result.stdout


def test_uid_rule_chain(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[passes]\nuid_rule = "ndef, table"\nuid_table_file = "t.csv"\n'))
    assert config.passes.uid_rule == "ndef,table"
    assert config.passes.uid_table_file == str(tmp_path / "t.csv")


def test_default_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[store]\nretention_days = 7\n"))
    assert config.store.path == str(tmp_path / "var" / "kiosk.db")
    assert config.store.key_file == str(tmp_path / "var" / "queue.key")
    # A section left out entirely gets the same treatment.
    assert load_config(write(tmp_path, "")).store.path == str(tmp_path / "var" / "kiosk.db")


def test_a_mistyped_secret_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "[payment]\nterminal_password = 987654\n"))
    assert "terminal_password: expected a string in quotes, got a value without quotes" in str(info.value)
    assert "987654" not in str(info.value)
