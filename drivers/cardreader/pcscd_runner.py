"""Run a private ``pcscd`` with the vsmartcard ``vpcd`` virtual reader (tests, benchmarks, bench checks).

Facts this relies on (notes/test-infra.md §2):

* pcscd parses *every* regular file in its ``-c`` directory, so the reader file lives alone in its own
  directory and the log is written elsewhere (a log inside would be re-parsed, endlessly).
* The client socket path is fixed (``/run/pcscd/pcscd.comm``): only one pcscd per machine, as root.
  :meth:`PcscdRunner.start` refuses to start when another pcscd is running instead of fighting it.
* SIGTERM to the daemon's PID stops it in about a millisecond; a stale socket left by a crash is
  cleaned up by the next start. Clients (CardMonitor, a blocked SCardGetStatusChange) must be stopped
  or cancelled *before* the daemon stops.
* pcscd is not started with ``--apdu``: APDU logging would write card UIDs into the log.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from drivers.errors import DeviceConnectionError
from drivers.errors import PcscdUnavailable as PcscdUnavailable  # re-export

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_NAME = "Virtual PCD"

_READER_CONF = f"""FRIENDLYNAME "{READER_NAME}"
DEVICENAME /dev/null:0x8C7B
LIBPATH {VPCD_DRIVER}
CHANNELID 0x8C7B
"""


def running_pcscd_pids() -> list[int]:
    """PIDs of every process named ``pcscd`` on this machine (read from /proc)."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "pcscd":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def find_pcscd() -> str:
    """The pcscd binary, or raise :class:`PcscdUnavailable` saying what to install."""
    binary = shutil.which("pcscd") or ("/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else None)
    if binary is None:
        raise PcscdUnavailable("pcscd is not installed (apt-get install pcscd)")
    if not VPCD_DRIVER.exists():
        raise PcscdUnavailable(f"{VPCD_DRIVER} missing (apt-get install vsmartcard-vpcd)")
    return binary


class PcscdRunner:
    """A foreground pcscd with one vpcd reader file (two slots: ``Virtual PCD 00 00`` and ``00 01``)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.confdir = self.workdir / "reader.conf.d"
        self.log_path = self.workdir / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The daemon's PID while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def start(self, ready_timeout: float = 10.0) -> None:
        """Start pcscd and wait until the virtual readers are listed."""
        binary = find_pcscd()
        others = [pid for pid in running_pcscd_pids() if pid != self.pid]
        if others:
            raise PcscdUnavailable(
                f"another pcscd is running (pid {', '.join(map(str, others))}); its socket path is fixed, "
                "so stop it first or run the tests in their own mount namespace"
            )
        self.confdir.mkdir(parents=True, exist_ok=True)
        (self.confdir / "vpcd").write_text(_READER_CONF)
        os.makedirs("/run/pcscd", exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [binary, "--foreground", "-c", str(self.confdir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_ready(ready_timeout)

    def _wait_ready(self, timeout: float) -> None:
        from smartcard import scard  # lazy: the runner is importable without pyscard

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise DeviceConnectionError(f"pcscd exited at start; see {self.log_path}")
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult == scard.SCARD_S_SUCCESS:
                hresult, readers = scard.SCardListReaders(context, [])
                scard.SCardReleaseContext(context)
                if hresult == scard.SCARD_S_SUCCESS and any(READER_NAME in r for r in readers):
                    return
            time.sleep(0.02)
        self.stop()
        raise DeviceConnectionError(f"pcscd did not list the virtual reader within {timeout} s")

    def stop(self) -> None:
        """Stop the daemon by its PID (SIGTERM, then SIGKILL if it hangs)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5.0)

    def wait_until_empty(self, reader: str, timeout: float = 5.0) -> None:
        """Block until pcscd reports ``reader`` empty: pcscd polls, so a card put back before it noticed
        the removal would look as if it had never left (notes/test-infra.md §2, pitfall 5)."""
        from smartcard import scard

        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return  # no daemon: nothing can be present
        try:
            state = scard.SCARD_STATE_UNAWARE
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                wait_ms = max(1, int((deadline - time.monotonic()) * 1000))
                hresult, states = scard.SCardGetStatusChange(context, wait_ms, [(reader, state)])
                if hresult != scard.SCARD_S_SUCCESS:
                    return
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                if state & (scard.SCARD_STATE_EMPTY | scard.SCARD_STATE_UNKNOWN):
                    return
            raise DeviceConnectionError(f"{reader} still shows a card after {timeout} s")
        finally:
            scard.SCardReleaseContext(context)

    def restart(self) -> None:
        """Stop and start again (the readers disappear and come back, as after a daemon restart)."""
        self.stop()
        self.start()

    def __enter__(self) -> PcscdRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
