"""One SC connection to the simulated ACS: framing, login, error detection, faults, replies.

Behaviour follows Evergreen's SIPServer where the spec leaves room:

* error detection is answered in kind: a request with ``AY``/``AZ`` gets a reply with them (same
  ``AY``), one without gets a reply without;
* a request with a wrong checksum, or one that cannot be parsed, gets ``96`` and is not applied;
* ``97`` gets the last reply again, byte for byte;
* only ``93`` login and ``99`` status are answered before a successful login; anything else closes
  the connection, as do three failed logins.

Nothing here logs a request or reply body: they carry PINs (AD), passwords (CO, AC) and pass numbers.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
import unicodedata
from typing import TYPE_CHECKING

from sip2.codec import FrameBuffer, checksum, decode_frame, encode_body
from sip2.dialect import Dialect
from sip2.errors import Sip2Error
from sip2.messages import (
    LoginRequest,
    LoginResponse,
    Message,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
)
from sip2.simulator.dialects import STRICT_PROTOCOL_ERRORS
from sip2.simulator.faults import GARBAGE
from sip2.simulator.handlers import AcsHandlers

if TYPE_CHECKING:
    from sip2.simulator.server import IlsSimulator

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 3
_RECV_SIZE = 4096


class _Close(Exception):
    """Stop serving this connection (closing it without a reply)."""


class AcsSession:
    """Serves one accepted socket until the SC disconnects, a fault drops it, or the server stops."""

    def __init__(self, server: IlsSimulator, sock: socket.socket, number: int) -> None:
        self.server = server
        self.sock = sock
        self.number = number
        self.logged_in = not server.users
        self.failed_logins = 0
        self.last_reply: bytes | None = None
        self.dialect = Dialect(encoding=server.encoding, error_detection="auto", normalize_nfc=True)
        self.handlers = AcsHandlers(
            server.library,
            server.institution,
            server.library_name,
            server.wise_sip2plus,
            dialect=server.dialect,
        )
        self.strict = server.dialect.strict
        self.protocol_errors = 0  # requests answered 96 (strict: the connection closes at the limit)
        self.replies = 0
        self.error_detection: bool | None = None  # decided by the login: AY/AZ or not
        self.closed = threading.Event()

    def close(self) -> None:
        """Close the socket (from any thread); the serving loop then ends."""
        if self.closed.is_set():
            return
        self.closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def start_tls(self, context: ssl.SSLContext) -> bool:
        """Do the server side of the TLS handshake (in this connection's thread); False on failure."""
        try:
            self.sock.settimeout(5.0)
            self.sock = context.wrap_socket(self.sock, server_side=True)
            self.sock.settimeout(None)
        except (OSError, ssl.SSLError) as exc:
            log.info("connection %d: TLS handshake failed: %s", self.number, type(exc).__name__)
            self.close()
            return False
        return True

    def serve(self) -> None:
        """Read frames and answer them until the connection ends."""
        buffer = FrameBuffer()
        try:
            if self.server.idle_timeout:
                self.sock.settimeout(self.server.idle_timeout)
            while not self.closed.is_set():
                try:
                    data = self.sock.recv(_RECV_SIZE)
                except TimeoutError:
                    log.info("connection %d idle for %.0f s: closing", self.number, self.server.idle_timeout)
                    return
                if not data:
                    return
                try:
                    frames = buffer.feed(data)
                except Sip2Error:
                    self._send(RequestSCResend(), None, with_checksum=True)
                    continue
                for frame in frames:
                    self._answer(frame)
        except (_Close, OSError):
            return
        finally:
            self.close()

    def _answer(self, raw: bytes) -> None:
        faults = self.server.faults
        if faults.never_answer:
            return
        try:
            frame = decode_frame(raw, self.dialect)
        except Sip2Error as exc:
            log.info(
                "connection %d: unreadable request (%s): asking for a resend", self.number, type(exc).__name__
            )
            self._refuse(with_checksum=b"AZ" in raw)
            return
        request, with_checksum = frame.message, frame.checksum is not None
        code = request.CODE
        if frame.checksum_valid is False:
            log.info("connection %d: checksum error on %s: asking for a resend", self.number, code)
            self._refuse(with_checksum=True)
            return
        if self.error_detection is None and isinstance(request, LoginRequest):
            self.error_detection = with_checksum
        if self.strict and self.error_detection and not with_checksum:
            # edge-sip2 errorDetectionEnabled: a message without AY/AZ is not accepted.
            log.info("connection %d: %s without a checksum (strict): asking for a resend", self.number, code)
            self._refuse(with_checksum=True)
            return
        if isinstance(request, RequestACSResend):
            if self.last_reply is not None:
                self._write(self.last_reply)
            return
        if faults.take_drop(code, "before"):
            log.info("fault: dropping connection %d before applying %s", self.number, code)
            raise _Close
        reply = self._reply_to(request)
        if reply is None:
            log.info("connection %d: %s not answered: closing", self.number, code)
            raise _Close
        if faults.take_drop(code, "after"):
            log.info("fault: dropping connection %d after applying %s", self.number, code)
            raise _Close
        self._send(reply, frame.sequence, with_checksum)
        self.replies += 1
        limit = faults.close_after_replies
        if limit and self.replies >= limit:
            log.info("fault: closing connection %d after %d replies", self.number, self.replies)
            raise _Close

    def _refuse(self, with_checksum: bool) -> None:
        """Answer 96; a strict ACS closes the connection at its limit of such requests."""
        self.protocol_errors += 1
        if self.strict and self.protocol_errors >= STRICT_PROTOCOL_ERRORS:
            log.info(
                "connection %d: %d unreadable requests (strict): closing", self.number, self.protocol_errors
            )
            raise _Close
        self._send(RequestSCResend(), None, with_checksum=with_checksum)

    def _reply_to(self, request: Message) -> Message | None:
        if isinstance(request, LoginRequest):
            return self._login(request)
        if not self.logged_in and not isinstance(request, SCStatusRequest):
            log.info("connection %d: %s before login: closing (as SIPServer does)", self.number, request.CODE)
            return None
        self.server.count_request(request.CODE)
        return self.handlers.handle(request)

    def _login(self, request: LoginRequest) -> Message | None:
        self.server.count_request(request.CODE)
        users = self.server.users
        ok = (
            not self.server.faults.refuse_login
            and request.user_id in users
            and users[request.user_id] == request.password
        )
        if ok:
            self.logged_in = True
            self.handlers.terminal_location = request.location_code or ""
            return LoginResponse(ok=True)
        self.failed_logins += 1
        log.info(
            "connection %d: login refused (%d of %d)", self.number, self.failed_logins, MAX_FAILED_LOGINS
        )
        if self.failed_logins >= MAX_FAILED_LOGINS:
            return None
        return LoginResponse(ok=False)

    def _send(self, reply: Message, sequence: int | None, with_checksum: bool) -> None:
        """Encode *reply* the way this ACS (and its current faults) would, and write it."""
        faults = self.server.faults
        body = encode_body(reply, self.dialect)
        if faults.nfd_utf8:
            data = unicodedata.normalize("NFD", body).encode("utf-8")
        else:
            data = self.dialect.encode_text(body)
        if with_checksum and not faults.no_checksums:
            if sequence is not None and not isinstance(reply, RequestSCResend):
                data += b"AY%d" % sequence
            data += b"AZ"
            digits = checksum(data)
            if faults.corrupt_checksums:
                digits = f"{(int(digits, 16) + 1) & 0xFFFF:04X}"
            if faults.unpadded_checksums:
                digits = digits.lstrip("0") or "0"
            data += digits.encode("ascii")
        data += b"\r\n" if faults.crlf else b"\r"
        self.last_reply = data
        if faults.latency > 0:
            time.sleep(faults.latency)
        if faults.garbage:
            data = GARBAGE + data
        self._write(data)

    def _write(self, data: bytes) -> None:
        self.sock.sendall(data)
