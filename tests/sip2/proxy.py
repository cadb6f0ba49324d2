"""A TCP proxy on 127.0.0.1 that corrupts chosen frames in flight (a noisy line, for real sockets).

``proxy.corrupt_request(b"AB")`` changes one byte after the next ``AB`` the client sends; the ACS then
sees a wrong checksum.  ``proxy.corrupt_reply(b"AJ")`` does the same to the next reply that contains
``AJ``: the bytes stay a well-formed frame, only the text (and so the checksum) is wrong.
"""

from __future__ import annotations

import socket
import threading


def _flip(frame: bytes, marker: bytes) -> bytes:
    at = frame.find(marker)
    if at < 0 or at + len(marker) >= len(frame):
        return frame
    index = at + len(marker)
    old = frame[index]
    new = ord("X") if old != ord("X") else ord("Y")
    return frame[:index] + bytes([new]) + frame[index + 1 :]


class CorruptingProxy:
    """Forwards one client connection at a time to ``127.0.0.1:target``; corrupts on request."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._requests: list[bytes] = []
        self._replies: list[bytes] = []
        self.corrupted_requests = 0
        self.corrupted_replies = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def corrupt_request(self, marker: bytes) -> None:
        """Corrupt the next request that contains *marker* (one byte after it)."""
        with self._lock:
            self._requests.append(marker)

    def corrupt_reply(self, marker: bytes) -> None:
        """Corrupt the next reply that contains *marker*."""
        with self._lock:
            self._replies.append(marker)

    def close(self) -> None:
        """Stop listening and close every forwarded connection."""
        for sock in [self._listener, *self._sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, to_server: bool) -> None:
        buffer = b""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\r" in buffer:
                    frame, buffer = buffer.split(b"\r", 1)
                    sink.sendall(self._maybe_corrupt(frame, to_server) + b"\r")
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _maybe_corrupt(self, frame: bytes, to_server: bool) -> bytes:
        with self._lock:
            pending = self._requests if to_server else self._replies
            for marker in pending:
                if marker in frame:
                    pending.remove(marker)
                    if to_server:
                        self.corrupted_requests += 1
                    else:
                        self.corrupted_replies += 1
                    return _flip(frame, marker)
        return frame
