"""Run a simulated reader (FEIG or 3M) on a pseudo-terminal or a loopback TCP port.

The device objects are sans-IO; this module owns the threads, descriptors and sockets. With
``realistic=True`` every answer leaves no earlier than the ISO 15693 air time of its command after the
request arrived (:mod:`drivers.rfid.airtime`), the way a real reader's answer waits for the tags. In
strict mode bytes that arrive while the device is still busy with a command are thrown away, as the 3M
pad does (a host must wait for the answer).
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from typing import Protocol

from drivers.rfid.feig_device import Answer, FeigDevice
from drivers.rfid.m3_device import M3Device
from drivers.rfid.tagfield import TagField

KINDS = ("feig", "3m")


class Device(Protocol):
    """What a device simulator offers the host."""

    strict: bool
    field: TagField

    def receive(self, data: bytes) -> list[Answer]:
        """Bytes in, answers out."""


def make_device(kind: str, field: TagField, strict: bool = False) -> Device:
    """A FEIG (COM-ADR 0) or 3M device on ``field``."""
    if kind == "feig":
        return FeigDevice(field, strict=strict)
    if kind == "3m":
        return M3Device(field, strict=strict)
    raise ValueError(f"unknown reader kind {kind!r}; expected one of {', '.join(KINDS)}")


class DeviceHost:
    """Serves one device on a pty and/or TCP until :meth:`stop`."""

    def __init__(
        self,
        device: Device,
        realistic: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.device = device
        self.realistic = realistic
        self._sleep = sleep
        self._clock = clock
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._fds: list[int] = []
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()  # one command at a time, like the reader

    def start_pty(self) -> str:
        """Serve on a new raw pty pair; return the path a driver opens (``/dev/pts/N``)."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._fds += [master, slave]  # keep the slave open: the master reads EIO while no one has it open
        path = os.ttyname(slave)
        self._spawn(self._serve_fd, master)
        return path

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (one client at a time); return the port."""
        listener = socket.create_server((host, port))
        listener.settimeout(0.1)
        self._sockets.append(listener)
        self._spawn(self._accept, listener)
        return int(listener.getsockname()[1])

    def stop(self) -> None:
        """Stop serving; close every descriptor and socket."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5.0)
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for s in self._sockets:
            s.close()
        self._fds.clear()
        self._sockets.clear()

    def __enter__(self) -> DeviceHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals -------------------------------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        t = threading.Thread(target=target, args=args, name="rfid-sim", daemon=True)
        t.start()
        self._threads.append(t)

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._sockets.append(conn)
            self._serve_fd(conn.fileno(), conn)

    def _serve_fd(self, fd: int, conn: socket.socket | None = None) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if not ready:
                    continue
                data = conn.recv(4096) if conn is not None else os.read(fd, 4096)
            except OSError:
                return
            if not data:
                if conn is not None:
                    return
                continue
            arrived = self._clock()
            with self._lock:
                answers = self.device.receive(data)
            for answer in answers:
                self._deliver(fd, conn, answer, arrived)
                arrived = self._clock()

    def _deliver(self, fd: int, conn: socket.socket | None, answer: Answer, arrived: float) -> None:
        if self.realistic:
            wait = arrived + answer.air_time - self._clock()
            if wait > 0:
                self._sleep(wait)
        if self.device.strict:
            while select.select([fd], [], [], 0)[0]:  # sent while we were busy: a real pad ignores it
                junk = conn.recv(4096) if conn is not None else os.read(fd, 4096)
                if not junk:
                    break
        try:
            if conn is not None:
                conn.sendall(answer.data)
            else:
                os.write(fd, answer.data)
        except OSError:
            pass
