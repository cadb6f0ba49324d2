"""The technician PIN lockout survives a restart (pulling the plug gives no fresh tries), and a configured
hash below the floor (scrypt n < 2^14, salt < 16 bytes) is refused by the configuration."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError
from kiosk.maintenance.backend import technician_gate
from kiosk.maintenance.pin import LockoutStore, PinGate, hash_pin

FAST = {"log2_n": 8, "r": 2, "p": 1}


class Wall:
    """A wall clock the test moves (the lockout is kept in wall-clock time across restarts)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def weak_hash() -> str:
    return hash_pin("4711", **FAST)


def test_a_power_cycle_keeps_the_lockout(tmp_path: Path, weak_hash: str) -> None:
    wall = Wall()
    path = tmp_path / "lockout.json"
    gate = PinGate(weak_hash, 5, 300, store=LockoutStore(path, wall))
    for i in range(5):
        gate.attempt("0000", now=10.0 + i)
    assert gate.locked_until(15.0) is not None
    wall.now += 60  # the plug is pulled; the monotonic clock starts again after the reboot
    after = PinGate(weak_hash, 5, 300, store=LockoutStore(path, wall))
    attempt = after.attempt("4711", now=0.5)  # the right PIN: not even checked while locked
    assert attempt.locked and not attempt.ok
    assert attempt.locked_until == pytest.approx(0.5 + 240)
    assert after.attempt("4711", now=240.6).ok  # the rest of the lockout, then it opens


def test_wrong_tries_before_a_restart_still_count(tmp_path: Path, weak_hash: str) -> None:
    wall = Wall()
    path = tmp_path / "lockout.json"
    gate = PinGate(weak_hash, 5, 300, store=LockoutStore(path, wall))
    for i in range(4):
        gate.attempt("0000", now=float(i))
    again = PinGate(weak_hash, 5, 300, store=LockoutStore(path, wall))
    last = again.attempt("0000", now=0.0)
    assert last.locked and last.tries_left == 0


def test_a_corrupt_lockout_file_locks_rather_than_resets(tmp_path: Path, weak_hash: str) -> None:
    path = tmp_path / "lockout.json"
    path.write_text("{trunc", encoding="ascii")
    gate = PinGate(weak_hash, 5, 300, store=LockoutStore(path, Wall(), lockout_seconds=300, max_tries=5))
    assert gate.attempt("4711", now=1.0).locked


def test_the_kiosk_gate_keeps_its_lockout_in_the_state_directory(tmp_path: Path) -> None:
    strong = hash_pin("4711")
    config = parse_config(
        f'[store]\npath = "{tmp_path}/state/kiosk.db"\n[maintenance]\n'
        f'pin_hash = "{strong}"\nlockout_tries = 2\n',
        base_dir=tmp_path,
    )
    (tmp_path / "state").mkdir()
    gate = technician_gate(config)
    gate.attempt("0000", now=1.0)
    gate.attempt("0000", now=2.0)
    assert (tmp_path / "state" / "maintenance-lockout.json").exists()
    assert technician_gate(config).attempt("4711", now=0.0).locked


def _hash_with(log2_n: int, salt: bytes) -> str:
    return hash_pin("4711", log2_n=log2_n, r=1, p=1, salt=salt)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (lambda: _hash_with(1, b"s"), "too weak"),
        (lambda: _hash_with(14, b"s" * 15), "too weak"),
        (lambda: "scrypt$14$8$1$AAAA", "expected 'scrypt$N$r$p$salt$hash'"),
    ],
)
def test_a_weak_or_malformed_configured_hash_is_refused(tmp_path: Path, text, what: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        parse_config(f'[maintenance]\npin_hash = "{text()}"\n', source="site.toml", base_dir=tmp_path)
    message = str(info.value)
    assert message.startswith("site.toml:2: [maintenance] pin_hash:") and what in message, message
    assert "Traceback" not in message


def test_the_floor_accepts_what_set_pin_makes(tmp_path: Path) -> None:
    salt = base64.b64decode(hash_pin("4711").split("$")[4])
    assert len(salt) == 16
    parse_config(f'[maintenance]\npin_hash = "{hash_pin("4711")}"\n', base_dir=tmp_path)
