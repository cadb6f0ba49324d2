"""Where the simulated terminal listens: a raw pty pair, TCP on a loopback port, or a socket pair.

:class:`SimulatorHost` owns the threads, descriptors and sockets; :class:`~drivers.payment.simulator.
TerminalSimulator` supplies :meth:`serve` (answer the kiosk on one link until stopped).
"""

from __future__ import annotations

import os
import socket
import threading
import tty
from collections.abc import Callable
from typing import Any

from drivers.payment.link import ApduLink, FdChannel, LinkFaults, SerialLink, SocketChannel, TcpLink, Timers


class SimulatorHost:
    """Threads and endpoints of a simulator; subclasses implement :meth:`serve`."""

    timers: Timers

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closers: list[Any] = []

    def serve(self, link: ApduLink) -> None:
        """Answer the kiosk on ``link`` until :meth:`stop` or the link closes."""
        raise NotImplementedError

    # --- running on a pty / TCP / socketpair ------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        t = threading.Thread(target=target, args=args, name="zvt-simulator", daemon=True)
        t.start()
        self._threads.append(t)

    def start_pty(self) -> str:
        """Serve on a new pseudo-terminal pair (both ends raw); return the path the kiosk opens."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        path = os.ttyname(slave)
        # Keep our own slave fd open: otherwise the master reads EIO whenever no kiosk has the port open.
        channel = FdChannel(master)
        self._closers += [channel, FdChannel(slave)]
        self._spawn(self.serve, SerialLink(channel, self.timers, LinkFaults()))
        return path

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (bare APDUs, one kiosk at a time); return the port."""
        listener = socket.create_server((host, port))
        listener.settimeout(0.1)
        self._closers.append(listener)
        self._spawn(self._accept_loop, listener)
        return int(listener.getsockname()[1])

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            link = TcpLink(SocketChannel(conn), self.timers, LinkFaults())
            try:
                self.serve(link)
            finally:
                link.close()

    def start_socketpair(self) -> socket.socket:
        """Serve on one end of a socket pair (bare APDUs); return the kiosk's end (``fake://``)."""
        ours, theirs = socket.socketpair()
        channel = SocketChannel(ours)
        self._closers.append(channel)
        self._spawn(self.serve, TcpLink(channel, self.timers, LinkFaults()))
        return theirs

    def stop(self) -> None:
        """Stop serving and release ptys and sockets."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2.0)
        for closer in self._closers:
            close = getattr(closer, "close", None)
            if close is not None:
                close()
        self._closers.clear()
