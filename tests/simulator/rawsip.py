"""A bare SIP2 SC over a raw socket, built on the codec only (no client logic)."""

from __future__ import annotations

import socket

from sip2.codec import Frame, decode_frame, encode
from sip2.dialect import Dialect
from sip2.messages import LoginRequest, LoginResponse, Message

USERS = {"kiosk": "secret"}


class SipSocket:
    """A bare SC: encodes with the codec, sends, reads one CR-terminated reply (no client logic)."""

    def __init__(self, port: int, dialect: Dialect | None = None, timeout: float = 15.0) -> None:
        # A generous read timeout: on a loaded CI machine the simulator's thread may wait its turn for
        # seconds; a test that expects silence sets its own short timeout.
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.dialect = dialect or Dialect()
        self.pending = b""
        self.sequence = 0

    def send(self, message: Message, sequence: int | None = None) -> None:
        """Send *message* with AY/AZ (the next sequence number unless given)."""
        if sequence is None:
            sequence = self.sequence
            self.sequence = (self.sequence + 1) % 10
        self.sock.sendall(encode(message, self.dialect, sequence))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_raw(self, terminator: bytes = b"\r") -> bytes:
        """One reply frame including its *terminator* as received (b"" when the server closed).

        A LF left over from a CRLF reply read with the default terminator is dropped first.
        """
        while True:
            if self.pending.startswith(b"\n") and terminator == b"\r":
                self.pending = self.pending[1:]
            if terminator in self.pending:
                break
            chunk = self.sock.recv(4096)
            if not chunk:
                data, self.pending = self.pending, b""
                return data
            self.pending += chunk
        index = self.pending.index(terminator) + len(terminator)
        frame, self.pending = self.pending[:index], self.pending[index:]
        return frame

    def read(self) -> Frame:
        data = self.read_raw()
        assert data, "the simulator closed the connection"
        return decode_frame(data, self.dialect)

    def call(self, message: Message, sequence: int | None = None) -> Message:
        """Send and return the decoded reply message (checksum must be valid)."""
        self.send(message, sequence)
        frame = self.read()
        assert frame.checksum_valid is not False
        return frame.message

    def login(self, user: str = "kiosk", password: str = "secret") -> bool:
        reply = self.call(LoginRequest(user_id=user, password=password, location_code="KIOSK1"))
        assert isinstance(reply, LoginResponse)
        return reply.ok

    def is_closed(self) -> bool:
        """Whether the server closed the connection (reads EOF)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()
