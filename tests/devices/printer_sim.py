"""A tiny ESC/POS printer for tests: collects print data, answers DLE EOT 1/4 and GS r 1 status queries."""

from __future__ import annotations

import os
import select
import socket
import threading

# Answers as the Epson reference defines them (fixed bits 1 and 4 set in DLE EOT answers).
DLE_EOT_ONLINE, DLE_EOT_OFFLINE = 0x12, 0x1A
DLE_EOT_PAPER = {"ok": 0x12, "near_end": 0x1E, "out": 0x7E}
GS_R_PAPER = {"ok": 0x00, "near_end": 0x03, "out": 0x0F}


class PrinterSim:
    """Speaks through ``read(n)``/``write(data)`` callables; run :meth:`serve` on a thread."""

    def __init__(self, paper: str = "ok", online: bool = True, answers: bool = True) -> None:
        self.paper, self.online, self.answers = paper, online, answers
        self.received = bytearray()
        self.queries: list[bytes] = []
        self.stop = threading.Event()

    def handle(self, data: bytes) -> bytes:
        """Feed received bytes; return the answer bytes to send back."""
        self.received += data
        reply = b""
        for command, answer in (
            (b"\x10\x04\x01", DLE_EOT_ONLINE if self.online else DLE_EOT_OFFLINE),
            (b"\x10\x04\x04", DLE_EOT_PAPER[self.paper]),
            (b"\x1d\x72\x01", GS_R_PAPER[self.paper]),
        ):
            while command in self.received:
                self.queries.append(command)
                index = self.received.index(command)
                del self.received[index : index + len(command)]
                if self.answers:
                    reply += bytes([answer])
        return reply

    def serve_fd(self, fd: int) -> None:
        """Serve a pty master fd until :attr:`stop` is set."""
        while not self.stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            reply = self.handle(data)
            if reply:
                os.write(fd, reply)

    def serve_tcp(self, server: socket.socket) -> None:
        """Serve connections one at a time (like raw port 9100) until :attr:`stop` is set."""
        server.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.05)
                while not self.stop.is_set():
                    try:
                        data = conn.recv(4096)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    reply = self.handle(data)
                    if reply:
                        conn.sendall(reply)
