"""One process owns the devices and the journals: an exclusive lock on the kiosk's state directory.

``kiosk run`` (through :func:`kiosk.assembly.build_kiosk`) holds ``<state dir>/kiosk.lock`` with
``flock(LOCK_EX)`` for as long as it runs, the kernel releases it when the process ends (also on kill -9),
and the file holds the owner's pid for messages. A second kiosk on the same state directory, or a
technician command that would open the payment terminal and the journals beside the running kiosk
(``kiosk maintenance status``), sees the lock and refuses or asks the running kiosk instead.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from kiosk.errors import ConfigError, KioskError

LOCK_NAME = "kiosk.lock"


class StateDirectoryError(ConfigError):
    """The state directory (queue, journal, key) cannot be opened or written: one line with the path
    and the fix, for ``kiosk run`` and the technician commands (exit status 2). Nothing was changed."""

    @classmethod
    def about(cls, path: Path, exc: BaseException) -> StateDirectoryError:
        """The message for ``path`` failing with ``exc`` (an OSError or a sqlite3 error)."""
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        where = path.parent
        return cls(
            f"{path}: cannot open or write the kiosk's state ({reason}). The directory {where} must exist "
            f"and be writable by the user the kiosk runs as (e.g. `sudo install -d -o kiosk -m 700 {where}`, "
            "or StateDirectory= in the systemd unit), on a file system that is not mounted read-only; "
            "or point [store] path elsewhere. Nothing was changed."
        )


class KioskRunningError(KioskError):
    """Another process holds the state directory (exit status 2: stop it first, or ask it)."""

    def __init__(self, directory: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"{directory}: the kiosk is already running here ({who} holds {LOCK_NAME}); one process owns "
            "the devices and the journals: stop it first (e.g. `systemctl stop library-kiosk`)"
        )
        self.directory = directory
        self.pid = pid


class StateLock:
    """The held lock; :meth:`release` (or the process ending) frees it."""

    def __init__(self, directory: Path, fd: int) -> None:
        self.directory = directory
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, directory: Path | str) -> StateLock:
        """Take the lock on ``directory`` (created if missing), or raise :class:`KioskRunningError`.

        OSErrors (a read-only or missing directory) propagate for the caller's message."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise KioskRunningError(directory, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(directory, fd)

    def release(self) -> None:
        """Free the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def running_owner(directory: Path | str) -> int | None:
    """The pid of the kiosk holding ``directory`` (0 when the pid is unknown), or None when none runs."""
    path = Path(directory) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None  # no lock file (never run here) or unreadable: nobody we could ask
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_pid(fd) or 0
        return None
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
