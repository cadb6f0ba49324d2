"""The SIP2 link: one logged-in connection to the ILS, kept alive, reconnected, and recovered safely.

:class:`Sip2Link` is the I/O half of :class:`sip2.client.Sip2Client` (which composes one and adds the
typed calls: checkout, checkin, ...).  It knows messages, not library operations.

Timing: ``connect_timeout`` bounds the *whole* setup (TCP, TLS, login, status), so a dead ILS --
nothing listening, or a server that accepts but never answers -- is reported within it.  A request
waits ``read_timeout``, then sends 97 once and waits ``resend_timeout`` more.  After a failed
reconnect the link is offline: requests fail at once until the backoff (:mod:`sip2.reconnect`: 0.5 s
doubling to ``reconnect_backoff_max`` with jitter; a refused login waits minutes) has passed; a
background thread reconnects and sends the 99 keepalive.

Resending state-changing requests is not safe (see :mod:`sip2.recovery`, ``docs/sip2-recovery.md``):
after a lost reply to 11/09/29/37 -- a dead socket, silence after our 97, or a 96 that answers our 97
-- the link reconnects, logs in and queries the ILS before sending again; if that cannot settle it,
:class:`~sip2.errors.Sip2OutcomeUnknown` is raised.  Only a 96 to the request itself (before any 97)
is answered by resending it at once.
Passwords (CO, AC, AD) never appear in logs; patron and item ids only as salted hashes.
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sip2 import fields
from sip2.connection import NON_IDEMPOTENT, Sip2Connection
from sip2.errors import (
    Sip2ConfigurationError,
    Sip2ConnectionError,
    Sip2ConnectionLost,
    Sip2Error,
    Sip2LoginRefused,
    Sip2OutcomeUnknown,
    Sip2ProtocolError,
    Sip2ResendError,
    Sip2ResendInDoubt,
    Sip2TimeoutError,
    Sip2ValueError,
)
from sip2.messages import (
    ACSStatus,
    FeePaidRequest,
    LoginRequest,
    LoginResponse,
    Message,
    RenewRequest,
    SCStatusRequest,
)
from sip2.reconnect import ReconnectBackoff
from sip2.recovery import FeeSnapshot, LoanSnapshot, Snapshot, fee_snapshot, loan_snapshot, recover
from sip2.redact import redact
from sip2.settings import ClientSettings
from sip2.transport import TlsOptions, exchange, open_socket

log = logging.getLogger(__name__)
_R = TypeVar("_R", bound=Message)


class Sip2Link:
    """A thread-safe blocking SIP2 connection with one request in flight at a time."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._sock: socket.socket | None = None
        self._online = False
        self._connection = Sip2Connection(settings.dialect, max_resends=settings.retries)
        self._status: ACSStatus | None = None
        self._last_activity = 0.0
        self._last_round_trip: float | None = None
        #: When this client may try to connect again (the one reconnect policy, :mod:`sip2.reconnect`).
        #: A kiosk that makes a fresh client per attempt shares one backoff between them.
        maximum = max(settings.reconnect_backoff_max, 0.01)
        self.backoff = ReconnectBackoff(initial=min(0.5, maximum), maximum=maximum)
        self._stop = threading.Event()
        self._keepalive: threading.Thread | None = None
        #: Called on the requesting thread whenever it is about to wait for the ILS (a request handed to
        #: the socket, a connection about to be opened): work held back meanwhile is done then.
        self.on_wait: Callable[[], None] | None = None

    # ------------------------------------------------------------------------------ properties
    @property
    def online(self) -> bool:
        """Whether a logged-in connection is open (false during connection setup)."""
        return self._online

    @property
    def last_round_trip(self) -> float | None:
        """Seconds the last successful request took (send to reply), ``None`` before the first."""
        return self._last_round_trip

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (the dialect's ``fee_format``: generic, 3m, koha, ...)."""
        return self.settings.dialect.fee_format or "generic"

    @property
    def acs_status(self) -> ACSStatus | None:
        """The last 98 ACS status received."""
        return self._status

    def supports(self, message: str) -> bool:
        """Whether the ILS supports *message* (``"fee_paid"``, ``"renew_all"``...): overrides, then BX."""
        if message in self.settings.supported_overrides:
            return self.settings.supported_overrides[message]
        status = self._status
        if status is None:
            if message not in fields.SUPPORTED_MESSAGES:
                raise ValueError(f"unknown message name {message!r}")
            return False
        return status.supports(message)

    # ----------------------------------------------------------------------------- connection
    def connect(self) -> None:
        """Open the connection, log in (93) and fetch the ACS status (99/98).

        Raises Sip2ConnectionError (login refused, unreachable, no answer within connect_timeout).
        Starts the keepalive/reconnect thread on first use (also when this attempt fails, so the
        client comes online by itself once the ILS is back; call :meth:`close` to stop it).
        """
        try:
            with self._lock:
                self._stop.clear()
                self._open()
        finally:
            # Started even when the first attempt fails: it reconnects in the background.
            if self._keepalive is None and self.settings.keepalive_interval > 0:
                self._keepalive = threading.Thread(
                    target=self._keepalive_loop, name="sip2-keepalive", daemon=True
                )
                self._keepalive.start()

    def close(self) -> None:
        """Close the connection and stop the keepalive thread."""
        self._stop.set()
        with self._lock:
            self._drop()
        thread, self._keepalive = self._keepalive, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)

    def abort(self) -> None:
        """Break off a request that hangs, from another thread, without taking the client's lock.

        The socket is shut down (not closed: the thread in the request still owns it), so the blocked
        read returns at once and the request fails with a connection error; the next request
        reconnects. Used by watchdogs that must declare the ILS offline within a deadline.
        """
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed or never connected: nothing to break off

    def __enter__(self) -> Sip2Link:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drop(self) -> None:
        self._online = False
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._connection.reset()

    def _open(self) -> None:
        """Connect + login + status within connect_timeout; on failure start/extend the backoff."""
        if self.on_wait is not None:
            self.on_wait()
        self._drop()
        s = self.settings
        deadline = time.monotonic() + s.connect_timeout
        tls = (
            TlsOptions(s.tls_ca_file, s.tls_cert_file, s.tls_key_file, s.tls_verify, s.tls_server_name)
            if s.tls
            else None
        )
        try:
            self._sock = open_socket(s.host, s.port, s.connect_timeout, tls)
            login = self._handshake(
                LoginRequest(user_id=s.user, password=s.password, location_code=s.location or None), deadline
            )
            if not isinstance(login, LoginResponse) or not login.ok:
                raise Sip2LoginRefused("SIP2 login refused by the ILS (check user and password)")
            status = self._handshake(SCStatusRequest(max_print_width=s.max_print_width), deadline)
            if not isinstance(status, ACSStatus):
                raise Sip2ProtocolError("unexpected reply to SC status")
        except Sip2ConfigurationError:
            self._drop()
            raise
        except Sip2Error as exc:
            self._drop()
            wait = self.backoff.failed(login_refused=isinstance(exc, Sip2LoginRefused))
            log.warning(
                "SIP2 connection to %s:%d failed: %s (next attempt in %.1f s)", s.host, s.port, exc, wait
            )
            if isinstance(exc, Sip2ConnectionError):
                raise
            raise Sip2ConnectionError(f"SIP2 connection setup failed: {exc}") from exc
        self._status = status
        allowed = status.retries_allowed
        self._connection.max_resends = min(s.retries, allowed) if allowed and allowed < 999 else s.retries
        self.backoff.connected()
        self._last_activity = time.monotonic()
        self._online = True
        log.info("SIP2 connected to %s:%d (%s)", s.host, s.port, "TLS" if s.tls else "TCP")

    def _handshake(self, message: Message, deadline: float) -> Message:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self._sock is None:
            raise Sip2TimeoutError("no reply during connection setup in time")
        try:
            return exchange(self._sock, self._connection, message, remaining, None)
        except Sip2TimeoutError as exc:
            raise Sip2ConnectionError(
                f"the ILS accepted the connection but did not answer within "
                f"{self.settings.connect_timeout:.1f} s"
            ) from exc

    def _ensure_connected(self) -> None:
        if self._sock is not None:
            return
        wait = self.backoff.remaining()
        if wait > 0:
            raise Sip2ConnectionError(f"ILS offline; next connection attempt in {wait:.0f} s")
        self._open()

    # -------------------------------------------------------------------------------- requests
    def _exchange(self, message: Message) -> Message:
        assert self._sock is not None
        s = self.settings
        resend_timeout = s.resend_timeout if s.resend_timeout is not None else min(s.read_timeout, 2.0)
        debug = log.isEnabledFor(logging.DEBUG)
        if debug:  # redacting costs more than the round trip on a LAN: only when it is logged
            log.debug("SIP2 -> %s", redact(message))
        started = time.monotonic()
        sock, connection = self._sock, self._connection
        reply = exchange(sock, connection, message, s.read_timeout, resend_timeout, sent=self.on_wait)
        self._last_activity = now = time.monotonic()
        self._last_round_trip = now - started
        if debug:
            log.debug("SIP2 <- %s", redact(reply))
        return reply

    def request(self, message: Message, *, _snapshot: Snapshot | None = None) -> Message:
        """Send any request and return its reply, with reconnects and safe recovery.

        Idempotent requests are retried once on a new connection; state-changing
        ones (11, 09, 29, 37, ...) go through query-based recovery (:mod:`sip2.recovery`) -- also
        when the ACS answered our 97 with a 96 (:class:`~sip2.connection.Sip2ResendInDoubt`).
        ``Sip2ResendError`` (the ACS never read the request) is raised only when no 97 went out.
        """
        if not message.RESPONSE_CODE:
            raise Sip2ValueError(f"message {message.CODE} is not a request the ILS answers")
        with self._lock:
            if self._sock is not None and not self._idle_socket_alive():
                log.info("SIP2 connection was closed while idle; reconnecting before sending")
                self._drop()
                self.backoff.disconnected()  # a link that did not stay up: wait before the next one
            self._ensure_connected()
            attempts = 0
            while True:
                try:
                    return self._exchange(message)
                except (Sip2TimeoutError, Sip2ConnectionLost, Sip2ProtocolError, Sip2ResendInDoubt) as exc:
                    log.warning("SIP2 message %s failed: %s", message.CODE, exc)
                    self._drop()
                    wait = self.backoff.disconnected()
                    if message.CODE in NON_IDEMPOTENT and not isinstance(exc, Sip2ResendError):
                        return self._recover(message, _snapshot, exc)  # settling it cannot wait
                    # One fresh connection for a read-only request, and only after a link that had
                    # stayed up: reconnecting at once to a server that drops every link is a storm.
                    attempts += 1
                    if (
                        attempts > min(1, self.settings.retries)
                        or isinstance(exc, Sip2ProtocolError)
                        or wait > 0
                    ):
                        raise
                    self._open()

    def _idle_socket_alive(self) -> bool:
        """Whether the idle socket is still open, checked without blocking before a request.

        ILSs close idle connections (SIPServer after 60 s).  Finding that out *before* sending a
        checkout saves a query-based recovery afterwards.  Stray bytes (a late reply) are handed to
        the connection, which discards them.
        """
        sock = self._sock
        assert sock is not None
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return True
            sock.settimeout(0.0)
            data = sock.recv(65536)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return True
        except (OSError, ValueError):
            return False
        if not data:
            return False
        try:
            self._connection.receive_data(data)
        except Sip2Error:
            return False
        return True

    def _recover(self, message: Message, snapshot: Snapshot | None, cause: Exception) -> Message:
        try:
            self._open()
        except Sip2ConnectionError as exc:
            raise Sip2OutcomeUnknown(
                f"message {message.CODE} was sent but the ILS is unreachable ({exc}); outcome unknown",
                message,
            ) from cause
        try:
            return recover(message, self._exchange, self.now, snapshot)
        except Sip2Error:
            self._drop()  # the socket may be half-way through an exchange: start clean next time
            raise

    def now(self) -> str:
        """A SIP2 timestamp for now, in the dialect's zone."""
        return fields.timestamp(utc=self.settings.dialect.timestamps == "utc")

    def status(self) -> ACSStatus:
        """99 SC status -> 98; also refreshes :meth:`supports`."""
        status = self.typed(SCStatusRequest(max_print_width=self.settings.max_print_width), ACSStatus)
        self._status = status
        return status

    def typed(self, message: Message, expected: type[_R], snapshot: Snapshot | None = None) -> _R:
        """Send *message* (:meth:`request`) and return its reply as *expected*, or Sip2ProtocolError."""
        reply = self.request(message, _snapshot=snapshot)
        if not isinstance(reply, expected):
            raise Sip2ProtocolError(f"expected {expected.__name__}, got message {reply.CODE}")
        return reply

    def snapshot_fees(self, request: FeePaidRequest) -> FeeSnapshot | None:
        """Read the fee state before a 37 (None if the ILS would not say; the 37 still goes ahead)."""
        with self._lock:
            self._ensure_connected()
            try:
                dialect = self.settings.dialect
                return fee_snapshot(
                    self._exchange, request, self.now, dialect.wise_sip2plus, dialect.fee_format
                )
            except Sip2Error as exc:
                log.info("fee state could not be read before paying: %s", exc)
                self._drop()
                return None

    def snapshot_loan(self, request: RenewRequest) -> LoanSnapshot | None:
        """Read the loan's due date (17) before a 29, so a lost 30 can be settled (None: not read)."""
        with self._lock:
            self._ensure_connected()
            try:
                return loan_snapshot(self._exchange, request, self.now)
            except Sip2Error as exc:
                log.info("loan state could not be read before renewing: %s", exc)
                self._drop()
                return None

    def _keepalive_loop(self) -> None:
        """Send 99 when idle for keepalive_interval; reconnect in the background when offline."""
        interval = self.settings.keepalive_interval
        while not self._stop.wait(min(1.0, interval / 4)):
            now = time.monotonic()
            if not self._lock.acquire(blocking=False):
                continue  # a request is running: the connection is busy, hence alive
            try:
                if self._stop.is_set():
                    return
                if self._sock is None:
                    if self.backoff.remaining() <= 0:
                        self._open()
                elif now - self._last_activity >= interval:
                    self.status()
            except Sip2Error as exc:
                log.info("SIP2 keepalive: %s", exc)
            finally:
                self._lock.release()


__all__ = ["Sip2Link"]
