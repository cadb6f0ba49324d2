"""One config location everywhere (--config, $KIOSK_CONFIG, /etc/library-kiosk/config.toml), state from
$STATE_DIRECTORY and secrets from $CREDENTIALS_DIRECTORY when systemd sets them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import output
from kiosk.config import load_config

SECRETS = '[sip2]\nurl = "sim://"\npassword_file = "credentials/sip2-password"\n[store]\npath = "kiosk.db"\n'


def test_config_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "etc" / "config.toml"
    monkeypatch.setattr(output, "SYSTEM_CONFIG", str(system))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert output.config_path() == system  # nothing anywhere: the system path (its error names it)
    (tmp_path / "config.toml").write_text("")
    assert output.config_path() == Path("config.toml")  # a development checkout
    system.parent.mkdir()
    system.write_text("")
    assert output.config_path() == system  # an installed kiosk
    monkeypatch.setenv("KIOSK_CONFIG", "/srv/k.toml")
    assert output.config_path() == Path("/srv/k.toml")
    assert output.config_path("given.toml") == Path("given.toml")


def test_secrets_come_from_credentials_directory_under_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc"
    (etc / "credentials").mkdir(parents=True)
    (etc / "credentials" / "sip2-password").write_text("root-readable\n")
    (etc / "config.toml").write_text(SECRETS)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    config = load_config(etc / "config.toml")  # `config check` as root
    assert config.sip2.password == "root-readable"
    assert config.store.path == str(etc / "kiosk.db")
    creds, state = tmp_path / "run-credentials", tmp_path / "var-lib"
    creds.mkdir()
    state.mkdir()
    (creds / "sip2-password").write_text("from-loadcredential\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    config = load_config(etc / "config.toml")  # the service
    assert config.sip2.password == "from-loadcredential"
    assert config.store.path == str(state / "kiosk.db")
    assert not config.store.key_file.startswith(str(state))  # the key never lands beside the data
    (creds / "sip2-password").write_text("")  # the package's empty placeholder: not given
    assert load_config(etc / "config.toml").sip2.password == "root-readable"


def test_version_names_the_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--version"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and out.stdout.strip().startswith("kiosk 0.")
    script = Path(sys.executable).parent / "library-kiosk"
    if script.exists():  # the entry point the package puts on PATH
        out = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
        assert out.stdout.strip().startswith("library-kiosk 0.")
