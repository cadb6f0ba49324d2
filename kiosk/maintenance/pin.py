"""The technician PIN: scrypt hashes and a lockout after too many wrong tries.

The config holds only a hash string (``[maintenance] pin_hash``), made by ``kiosk maintenance set-pin``:
``scrypt$<log2 n>$<r>$<p>$<salt base64>$<hash base64>``. Time is passed in as an argument, so the
lockout is tested without sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ConfigError

log = logging.getLogger(__name__)

SCHEME = "scrypt"
# n = 2**14, r = 8, p = 1: the parameters recommended for interactive logins (RFC 7914 §2 lists them as
# the "interactive" set); about 16 MB and a few tens of ms, which also slows down guessing.
DEFAULT_LOG2_N, DEFAULT_R, DEFAULT_P = 14, 8, 1
# The floor for a configured hash: below it a stolen config is a PIN list (n = 2, a 1-byte salt and a
# 4-digit PIN fall in milliseconds). n = 2**14 is the interactive set above; 16 bytes is what set-pin makes.
MIN_LOG2_N, MIN_SALT_BYTES = 14, 16
MIN_PIN_LENGTH = 4
MAX_PIN_LENGTH = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def validate_new_pin(pin: str) -> None:
    """Refuse a PIN that is too short, too long or not made of digits (the pad only has digits)."""
    if not pin.isdigit():
        raise ValueError("the maintenance PIN must consist of digits only (it is typed on a PIN pad)")
    if not MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH:
        raise ValueError(f"the maintenance PIN must have {MIN_PIN_LENGTH} to {MAX_PIN_LENGTH} digits")


def hash_pin(
    pin: str,
    *,
    log2_n: int = DEFAULT_LOG2_N,
    r: int = DEFAULT_R,
    p: int = DEFAULT_P,
    salt: bytes | None = None,
) -> str:
    """Hash a new PIN into the config string form. The PIN itself is never stored or logged."""
    validate_new_pin(pin)
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=1 << log2_n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024
    )
    return f"{SCHEME}${log2_n}${r}${p}${_b64(salt)}${_b64(digest)}"


@dataclass(frozen=True)
class PinHash:
    """A parsed ``pin_hash`` string."""

    log2_n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> PinHash:
        """Parse the config string; a malformed one is a configuration error naming the key."""
        parts = text.strip().split("$")
        if len(parts) != 6 or parts[0] != SCHEME:
            raise ConfigError(
                "[maintenance] pin_hash: expected 'scrypt$N$r$p$salt$hash' "
                "(make one with `kiosk maintenance set-pin`)"
            )
        try:
            log2_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt = base64.b64decode(parts[4], validate=True)
            digest = base64.b64decode(parts[5], validate=True)
        except ValueError as exc:
            raise ConfigError(f"[maintenance] pin_hash: {exc}") from None
        if not (1 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16 and salt and len(digest) >= 16):
            raise ConfigError("[maintenance] pin_hash: scrypt parameters out of range")
        return cls(log2_n, r, p, salt, digest)

    def check_strength(self) -> PinHash:
        """Refuse a hash below the floor (scrypt n < 2**14 or a salt under 16 bytes); returns self."""
        if self.log2_n < MIN_LOG2_N or len(self.salt) < MIN_SALT_BYTES:
            raise ConfigError(
                f"[maintenance] pin_hash: too weak (scrypt n = 2^{self.log2_n}, {len(self.salt)}-byte salt; "
                f"expected n >= 2^{MIN_LOG2_N} and a salt of at least {MIN_SALT_BYTES} bytes): "
                "make a new one with `kiosk maintenance set-pin`"
            )
        return self

    def matches(self, pin: str) -> bool:
        """Constant-time check of ``pin`` against this hash."""
        candidate = hashlib.scrypt(
            pin.encode("utf-8"),
            salt=self.salt,
            n=1 << self.log2_n,
            r=self.r,
            p=self.p,
            dklen=len(self.digest),
            maxmem=256 * 1024 * 1024,
        )
        return hmac.compare_digest(candidate, self.digest)


@dataclass(frozen=True)
class PinAttempt:
    """The result of one PIN try: ``ok``; else ``tries_left`` or ``locked_until`` (a time in seconds)."""

    ok: bool
    tries_left: int
    locked_until: float | None = None

    @property
    def locked(self) -> bool:
        """True when the gate is locked (this try was not even checked, or it caused the lock)."""
        return self.locked_until is not None


class PinGate:
    """Checks technician PINs; ``max_tries`` wrong PINs in a row lock it for ``lockout_seconds``.

    While locked, a PIN is not checked at all (so a guess cannot be confirmed during the lockout). A
    correct PIN resets the count. ``now`` is any monotonic clock in seconds, passed by the caller.

    Thread-safe: the UI runs :meth:`attempt` (scrypt, tens of ms) on a worker thread. Attempts are
    checked one at a time, each against the count its predecessors left, so two PINs submitted
    while a check is running cannot both slip under the limit: the fifth wrong one locks the gate and
    the sixth is not checked. :meth:`locked_until` never waits for a running check (the screen asks it
    while drawing).
    """

    def __init__(
        self,
        pin_hash: str | None,
        max_tries: int = 5,
        lockout_seconds: float = 300.0,
        store: LockoutStore | None = None,
    ) -> None:
        """``store`` keeps the count and the lockout across restarts (a power cycle gives no fresh tries)."""
        self._hash = PinHash.parse(pin_hash) if pin_hash else None
        self.max_tries = max(1, max_tries)
        self.lockout_seconds = lockout_seconds
        self._store = store
        saved = store.load() if store is not None else LockoutRecord()
        self._failures = min(saved.failures, self.max_tries)
        self._locked_until: float | None = None
        # A lockout from before the restart, as wall-clock end: turned into ``now`` terms on first use.
        self._restored_end = saved.locked_until_wall
        self._one_check = threading.Lock()  # held for a whole attempt, scrypt included
        self._state = threading.Lock()  # held only to read or change the count and the lock

    @property
    def configured(self) -> bool:
        """False when no pin_hash is set: maintenance mode then cannot be opened by PIN."""
        return self._hash is not None

    def locked_until(self, now: float) -> float | None:
        """The end of the current lockout, or None when not locked at ``now``."""
        with self._state:
            return self._lock_end(now)

    def _lock_end(self, now: float) -> float | None:
        if self._restored_end is not None and self._store is not None:
            # Never longer than one lockout, so a wall clock set back cannot lock the gate for ever.
            left = min(self._restored_end - self._store.wall(), self.lockout_seconds)
            self._restored_end = None
            if left > 0:
                self._locked_until = now + left
            else:
                self._failures = 0
                self._save(now)
        if self._locked_until is not None and now >= self._locked_until:
            self._locked_until = None
            self._failures = 0
            self._save(now)
        return self._locked_until

    def _save(self, now: float) -> None:
        if self._store is None:
            return
        end = None if self._locked_until is None else self._store.wall() + (self._locked_until - now)
        self._store.save(LockoutRecord(self._failures, end))

    def attempt(self, pin: str, now: float) -> PinAttempt:
        """Try ``pin`` at time ``now`` (blocks for the scrypt check: call it off the UI thread)."""
        with self._one_check:
            with self._state:
                until = self._lock_end(now)
            if until is not None:
                return PinAttempt(ok=False, tries_left=0, locked_until=until)
            ok = self._hash is not None and self._hash.matches(pin)
            with self._state:
                return self._count(ok, now)

    def _count(self, ok: bool, now: float) -> PinAttempt:
        if ok:
            self._failures = 0
            self._save(now)
            log.info("maintenance PIN accepted")
            return PinAttempt(ok=True, tries_left=self.max_tries)
        self._failures += 1
        left = self.max_tries - self._failures
        if left <= 0:
            self._locked_until = now + self.lockout_seconds
            self._save(now)
            log.warning(
                "maintenance PIN: %d wrong tries, locked for %.0f s", self.max_tries, self.lockout_seconds
            )
            return PinAttempt(ok=False, tries_left=0, locked_until=self._locked_until)
        self._save(now)
        log.warning("maintenance PIN: wrong PIN, %d tries left", left)
        return PinAttempt(ok=False, tries_left=left)


@dataclass(frozen=True)
class LockoutRecord:
    """What survives a restart: wrong tries in a row and the end of a lockout (wall-clock seconds)."""

    failures: int = 0
    locked_until_wall: float | None = None


class LockoutStore:
    """The lockout as a small JSON file in the kiosk's state directory, replaced atomically (fsync'd).

    An unreadable or corrupt file counts as a full lockout rather than as fresh tries: pulling the plug
    mid-write must not be a way to reset the count.
    """

    def __init__(
        self,
        path: Path | str,
        wall: Callable[[], float] = time.time,
        lockout_seconds: float = 300.0,
        max_tries: int = 5,
    ) -> None:
        self.path = Path(path)
        self.wall = wall
        self._lockout_seconds = lockout_seconds
        self._max_tries = max_tries

    @classmethod
    def beside(cls, store_path: str, lockout_seconds: float, max_tries: int) -> LockoutStore:
        """The lockout file in the directory of the kiosk's database (``[store] path``)."""
        return cls(
            Path(store_path).parent / "maintenance-lockout.json",
            lockout_seconds=lockout_seconds,
            max_tries=max_tries,
        )

    def load(self) -> LockoutRecord:
        """The saved record; none yet = no failures; unreadable = locked for one lockout from now."""
        try:
            data = json.loads(self.path.read_text(encoding="ascii"))
            failures = int(data["failures"])
            end = data.get("locked_until")
            return LockoutRecord(max(0, failures), None if end is None else float(end))
        except FileNotFoundError:
            return LockoutRecord()
        except (OSError, ValueError, KeyError, TypeError):
            log.warning(
                "maintenance lockout file %s is unreadable; locking for one lockout period", self.path
            )
            return LockoutRecord(self._max_tries, self.wall() + self._lockout_seconds)

    def save(self, record: LockoutRecord) -> None:
        """Write ``record`` (a failure to write is logged; the in-memory count still holds)."""
        text = json.dumps({"failures": record.failures, "locked_until": record.locked_until_wall})
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="ascii") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            log.error("cannot save the maintenance lockout to %s: %s", self.path, exc.strerror)
