"""Blocking socket I/O for the client: opening TCP/TLS connections and one request/reply exchange.

The protocol decisions (sequence numbers, 96/97, matching) are made by the sans-IO
:class:`~sip2.connection.Sip2Connection`; this module only moves bytes and keeps time.  Every wait
is bounded by a deadline, so a server that accepts but never answers costs at most the timeout.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from sip2.connection import Reply, Sip2Connection, Transmit
from sip2.errors import Sip2ConfigurationError, Sip2ConnectionError, Sip2ConnectionLost, Sip2TimeoutError
from sip2.messages import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TlsOptions:
    """TLS settings: CA bundle, optional client certificate, verification (on by default)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True
    server_name: str | None = None


def tls_context(options: TlsOptions) -> ssl.SSLContext:
    """An SSLContext for the client: system or given CA, hostname check when verifying."""
    try:
        context = ssl.create_default_context(cafile=options.ca_file)
        if not options.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if options.cert_file:
            context.load_cert_chain(options.cert_file, options.key_file)
    except (OSError, ssl.SSLError) as exc:
        raise Sip2ConfigurationError(f"TLS files could not be loaded: {exc}") from exc
    return context


def open_socket(host: str, port: int, timeout: float, tls: TlsOptions | None) -> socket.socket:
    """Connect (and do the TLS handshake) within *timeout* seconds; raise Sip2ConnectionError."""
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise Sip2ConnectionError(f"no connection to {host}:{port} within {timeout:.1f} s") from exc
    except OSError as exc:
        raise Sip2ConnectionError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from exc
    try:
        # One small message per round trip: Nagle's algorithm would only add latency.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if tls is not None:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            sock = tls_context(tls).wrap_socket(sock, server_hostname=tls.server_name or host)
    except (OSError, ssl.SSLError) as exc:
        sock.close()
        if isinstance(exc, TimeoutError):
            raise Sip2ConnectionError(f"TLS handshake with {host}:{port} timed out") from exc
        raise Sip2ConnectionError(f"TLS handshake with {host}:{port} failed: {exc}") from exc
    except Sip2ConfigurationError:
        sock.close()
        raise
    return sock


def _send(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError as exc:
        raise Sip2ConnectionLost(f"connection lost while sending: {exc}") from exc


def exchange(
    sock: socket.socket,
    connection: Sip2Connection,
    message: Message,
    read_timeout: float,
    resend_timeout: float | None,
    *,
    sent: Callable[[], None] | None = None,
) -> Message:
    """Send *message* and wait for its reply, answering 96/97 as the connection decides.

    ``sent()`` is called once the request is handed to the socket, before the wait for its reply.

    Waits *read_timeout* for the reply; on silence sends 97 once (if the connection allows) and
    waits *resend_timeout* more (``None``: no 97 on silence, as during login).  Raises
    Sip2TimeoutError (socket may be alive but the ILS silent), Sip2ConnectionLost (socket dead),
    Sip2ProtocolError (resend budget exhausted) or Sip2ResendInDoubt (a 96 after our 97 for a
    state-changing request: not resent, the caller must query the ILS).
    """
    timeout = read_timeout
    if sock.gettimeout() != timeout:  # also bounds sendall; each settimeout is a syscall (FIONBIO)
        sock.settimeout(timeout)
    _send(sock, connection.start_request(message))
    if sent is not None:
        sent()
    deadline = time.monotonic() + read_timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                resend = connection.on_timeout() if resend_timeout is not None else None
                if resend is None or resend_timeout is None:
                    raise Sip2TimeoutError(f"no reply to message {message.CODE} in time")
                _send(sock, resend)
                timeout = max(resend_timeout, 0.01)
                deadline = time.monotonic() + timeout
                sock.settimeout(timeout)
                continue
            if remaining < timeout - 0.05:  # each settimeout is a syscall: only when it matters
                timeout = remaining
                sock.settimeout(timeout)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                raise Sip2ConnectionLost(f"connection lost: {exc}") from exc
            if not chunk:
                raise Sip2ConnectionLost("connection closed by the ILS")
            for event in connection.receive_data(chunk):
                if isinstance(event, Transmit):
                    _send(sock, event.data)
                    deadline = time.monotonic() + read_timeout
                    timeout = read_timeout
                    sock.settimeout(timeout)
                elif isinstance(event, Reply):
                    return event.message
    except BaseException:
        connection.abandon()
        raise
