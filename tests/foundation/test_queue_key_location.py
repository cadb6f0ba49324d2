"""The queue key stays out of the state directory in production: a systemd credential ``queue-key`` is
used when the unit loads one, and under systemd a key file inside the state directory is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError


def test_the_systemd_credential_is_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "queue-key").write_bytes(b"k" * 32)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = parse_config(f'[store]\npath = "{tmp_path}/state/kiosk.db"\n', base_dir=tmp_path)
    assert config.store.key_file == str(creds / "queue-key")


def test_a_key_in_the_state_directory_is_refused_under_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    with pytest.raises(ConfigError) as info:
        parse_config(
            f'[store]\npath = "{tmp_path}/state/kiosk.db"\nkey_file = "{tmp_path}/state/queue.key"\n',
            source="c.toml",
            base_dir=tmp_path,
        )
    assert "c.toml:3: [store] key_file:" in str(info.value) and "LoadCredential" in str(info.value)
    outside = parse_config(
        f'[store]\npath = "{tmp_path}/state/kiosk.db"\nkey_file = "{tmp_path}/etc/queue.key"\n',
        base_dir=tmp_path,
    )
    assert outside.store.key_file == f"{tmp_path}/etc/queue.key"


def test_a_development_checkout_may_keep_the_key_in_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    config = parse_config("", base_dir=tmp_path)
    assert config.store.key_file == str(tmp_path / "var" / "queue.key")
