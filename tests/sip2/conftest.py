"""A small scripted ACS on 127.0.0.1 for the client tests (real TCP, one thread per connection).

It keeps a tiny library (charged items, open fees) so tests can check that a transaction was applied
exactly once, and takes a per-message-code script of faults for successive occurrences:

``"ok"`` answer normally; ``"silent"`` never answer; ``"apply_silent"`` apply, never answer;
``"close"`` close without applying; ``"apply_close"`` apply, then close; ``"apply_stop"`` apply, then
the whole ACS goes away (:meth:`FakeAcs.stop`: reconnects are refused); ``"corrupt"`` apply and
answer with a wrong checksum; ``"96"`` answer 96 without applying; ``"late_ay"`` apply and answer
first with a wrong AY then the right reply; ``"no_az"`` answer without AY/AZ; ``"corrupt_96"`` do
not apply, answer 96 with a wrong checksum (a 97 then gets the 96 again).

A ``97`` from the client is answered with the last reply again, unless ``script["97"]`` says
``"96"`` (answer 96, as an ACS that could not read the 97) or ``"silent"``.
"""

from __future__ import annotations

import dataclasses
import socket
import ssl
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

import sip2.client
import sip2.link
from sip2.codec import FrameBuffer, decode_frame, encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ProtocolError
from sip2.fields import PatronStatus, timestamp
from sip2.messages import (
    ACSStatus,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    LoginRequest,
    LoginResponse,
    Message,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
    supported_messages_field,
)
from sip2.settings import ClientSettings
from sip2.wise import format_fee

PATRON = "21000000000001"
PIN = "9876"
ITEM = "31000000000001"
ITEM_2 = "31000000000002"


class FakeAcs:
    """The scripted ACS; ``port`` after :meth:`start`."""

    def __init__(
        self,
        dialect: Dialect | None = None,
        password: str = "secret",
        tls: ssl.SSLContext | None = None,
        port: int = 0,
    ) -> None:
        self.dialect = dialect or Dialect()
        self.tls = tls
        self.password = password
        self.script: dict[str, list[str]] = defaultdict(list)
        self.received: list[tuple[int, Message, int | None, bool]] = []  # (conn, msg, AY, had AZ)
        self.raw: list[bytes] = []
        self.applied: Counter[str] = Counter()
        self.charged: dict[str, str] = {}
        self.fees: dict[str, Decimal] = {"FEE1": Decimal("2.50"), "FEE2": Decimal("1.00")}
        self.overlap = False
        self.connections = 0
        self.close_idle = False
        self.supported = {
            "patron_status", "checkout", "checkin", "sc_status", "resend", "login", "patron_information",
            "end_patron_session", "fee_paid", "item_information", "renew", "renew_all",
        }  # fmt: skip
        self.fines_in_av = True  # False: like Wise, fees only in the SIP2+ 41/42 dialog
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> FakeAcs:
        self._listener.listen(8)
        self._accept_thread = threading.Thread(target=self._accept, daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """The ILS goes away: nothing listens any more (a new connection is refused) and every
        connection is closed."""
        self._stop.set()
        # close() alone would not stop a listener whose accept() is blocked in another thread: the
        # kernel keeps it listening until that call returns, so a reconnect could still get through.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # never started listening
        self._listener.close()
        thread = getattr(self, "_accept_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=LIMIT)
        self.drop_all()

    def drop_all(self) -> None:
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def codes(self, conn: int | None = None) -> list[str]:
        return [m.CODE for c, m, _, _ in self.received if conn is None or c == conn]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._sockets.append(sock)
            threading.Thread(target=self._serve, args=(sock, self.connections), daemon=True).start()

    def _serve(self, sock: socket.socket, conn: int) -> None:
        try:
            self._converse(sock, conn)
        except OSError:
            pass  # the test closed the connection (or the whole server) while a reply was going out

    def _converse(self, sock: socket.socket, conn: int) -> None:
        if self.tls is not None:
            try:
                sock.settimeout(5)
                sock = self.tls.wrap_socket(sock, server_side=True)
                sock.settimeout(None)
            except (OSError, ssl.SSLError):
                sock.close()
                return
            self._sockets.append(sock)
        buffer = FrameBuffer()
        last_reply = b""
        with sock:
            while True:
                try:
                    data = sock.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                frames = buffer.feed(data)
                if len(frames) > 1 and not any(f.startswith(b"97") for f in frames):
                    self.overlap = True
                for raw in frames:
                    self.raw.append(raw)
                    try:
                        frame = decode_frame(raw, self.dialect)
                    except Sip2ProtocolError:
                        sock.sendall(encode(RequestSCResend(), self.dialect))
                        continue
                    with self._lock:
                        self.received.append(
                            (conn, frame.message, frame.sequence, frame.checksum is not None)
                        )
                    if isinstance(frame.message, RequestACSResend):
                        resend = self.script["97"].pop(0) if self.script["97"] else "ok"
                        if resend == "96":
                            sock.sendall(encode(RequestSCResend(), self.dialect))
                        elif resend != "silent" and last_reply:
                            sock.sendall(last_reply)  # pysip2 style: the same bytes again
                        continue
                    action = (
                        self.script[frame.message.CODE].pop(0) if self.script[frame.message.CODE] else "ok"
                    )
                    if action in ("close", "silent"):
                        if action == "close":
                            return
                        continue
                    if action == "96":
                        sock.sendall(encode(RequestSCResend(), self.dialect))
                        continue
                    if action == "corrupt_96":
                        last_reply = encode(RequestSCResend(), self.dialect)
                        sock.sendall(
                            last_reply[:-2] + (b"0" if last_reply[-2:-1] != b"0" else b"1") + last_reply[-1:]
                        )
                        continue
                    reply = self.handle(frame.message)
                    if action == "apply_close":
                        return
                    if action == "apply_stop":
                        self.stop()
                        return
                    sequence = frame.sequence
                    dialect = self.dialect
                    if action == "no_az" or frame.checksum is None:
                        dialect = dataclasses.replace(dialect, error_detection="off")
                    wire = encode(reply, dialect, sequence=sequence)
                    if action == "apply_silent":
                        last_reply = wire  # lost on the way: a 97 gets it again
                        continue
                    if action == "corrupt":
                        bad = wire[:-2] + (b"0" if wire[-2:-1] != b"0" else b"1") + wire[-1:]
                        last_reply = wire
                        sock.sendall(bad)
                        continue
                    if action == "late_ay":
                        sock.sendall(encode(reply, dialect, sequence=((sequence or 0) + 5) % 10))
                    last_reply = wire
                    sock.sendall(wire)

    # --------------------------------------------------------------------------- the library
    def handle(self, message: Message) -> Message:
        """Apply *message* and build its reply."""
        now = timestamp()
        if isinstance(message, LoginRequest):
            return LoginResponse(ok=message.password == self.password)
        if isinstance(message, SCStatusRequest):
            return ACSStatus(
                date_time_sync=now,
                institution_id="WIERDEN",
                library_name="Test",
                supported_messages=supported_messages_field(self.supported),
            )
        if isinstance(message, PatronStatusRequest):
            return PatronStatusResponse(
                transaction_date=now,
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                personal_name="Test Patron",
                valid_patron=message.patron_id == PATRON,
                valid_patron_password=message.patron_password == PIN,
            )
        if isinstance(message, PatronInformationRequest):
            charged = tuple(i for i, p in self.charged.items() if p == message.patron_id)
            fines = tuple(f"{fee_id} EUR {amount}" for fee_id, amount in self.fees.items())
            return PatronInformationResponse(
                patron_status=PatronStatus(),
                transaction_date=now,
                charged_items_count=len(charged),
                fine_items_count=len(fines),
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                personal_name="Test Patron",
                valid_patron=True,
                fee_amount=sum(self.fees.values(), Decimal("0.00")),
                charged_items=charged if message.summary[2] == "Y" else (),
                fine_items=fines if message.summary[3] == "Y" and self.fines_in_av else (),
            )
        if isinstance(message, ItemInformationRequest):
            return ItemInformationResponse(
                circulation_status="04" if message.item_id in self.charged else "03",
                transaction_date=now,
                item_id=message.item_id,
                title="Het diner",
                due_date="20261215    235900" if message.item_id in self.charged else None,
            )
        if isinstance(message, CheckoutRequest):
            ok = message.item_id not in self.charged
            if ok:
                self.charged[message.item_id] = message.patron_id
                self.applied["checkout"] += 1
            return CheckoutResponse(
                ok=ok,
                renewal_ok=False,
                magnetic_media=False,
                desensitize=ok,
                transaction_date=now,
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                item_id=message.item_id,
                title="Het diner",
                due_date="20261215    235900" if ok else "",
                screen_messages=() if ok else ("Al uitgeleend",),
            )
        if isinstance(message, CheckinRequest):
            ok = self.charged.pop(message.item_id, None) is not None
            self.applied["checkin"] += ok
            return CheckinResponse(
                ok=ok,
                resensitize=True,
                magnetic_media=False,
                alert=False,
                transaction_date=now,
                institution_id="WIERDEN",
                item_id=message.item_id,
                permanent_location="Centrale",
                sort_bin="1",
            )
        if isinstance(message, RenewRequest):
            ok = self.charged.get(message.item_id or "") == message.patron_id
            self.applied["renew"] += ok
            return RenewResponse(
                ok=ok,
                renewal_ok=ok,
                transaction_date=now,
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                item_id=message.item_id or "",
                title="Het diner",
                due_date="20270105    235900" if ok else "",
            )
        if isinstance(message, RenewAllRequest):
            items = tuple(i for i, p in self.charged.items() if p == message.patron_id)
            return RenewAllResponse(
                ok=True,
                renewed_count=len(items),
                unrenewed_count=0,
                transaction_date=now,
                institution_id="WIERDEN",
                renewed_items=items,
            )
        if isinstance(message, FeePaidRequest):
            accepted = message.fee_id in self.fees and message.fee_amount == self.fees[message.fee_id]
            if accepted:
                del self.fees[message.fee_id or ""]
                self.applied["fee_paid"] += 1
            return FeePaidResponse(
                payment_accepted=accepted,
                transaction_date=now,
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                transaction_id=message.transaction_id,
            )
        if isinstance(message, EndPatronSessionRequest):
            return EndSessionResponse(
                end_session=True, transaction_date=now, institution_id="WIERDEN", patron_id=message.patron_id
            )
        if isinstance(message, WiseUnpaidRegistrationsRequest):
            lines = tuple(
                format_fee(fee_id, "Te laat", amount, "20261101", middle=(ITEM,), fee_type="01")
                for fee_id, amount in self.fees.items()
            )
            return WiseUnpaidRegistrationsResponse(
                transaction_date=now,
                institution_id="WIERDEN",
                patron_id=message.patron_id,
                registrations=lines,
            )
        return RequestSCResend()


@pytest.fixture
def acs() -> Iterator[FakeAcs]:
    server = FakeAcs().start()
    yield server
    server.stop()


#: Every wait in a test that is not about a timeout: far longer than any slow moment of a loaded CI
#: machine, so a late reply is never mistaken for a lost one (which would add a 97 or a reconnect).
PATIENT = 15.0
#: The wait that a timeout test lets expire; only ever used where the other side is silent on purpose.
SHORT = 0.3
#: Upper bound for waiting on a background condition (only against hangs; nothing asserts on time).
LIMIT = 30.0


def settings_for(port: int, **overrides: object) -> ClientSettings:
    """Client settings for a test server: patient timeouts (tests about a timeout shorten only that one)."""
    values: dict[str, object] = dict(
        host="127.0.0.1",
        port=port,
        user="kiosk",
        password="secret",
        location="KIOSK1",
        institution="WIERDEN",
        connect_timeout=PATIENT,
        read_timeout=PATIENT,
        resend_timeout=PATIENT,
        keepalive_interval=0.0,
    )
    values.update(overrides)
    return ClientSettings(**values)  # type: ignore[arg-type]


class ShortWait:
    """Makes the client's wait for the reply to the first request ``code`` short (:data:`SHORT`).

    For tests of the read timeout: the ACS's script leaves exactly that request unanswered, so the
    timeout must fire there. Every other wait (login, the 97 that follows, the recovery queries) keeps
    the patient read timeout, so a slow machine cannot turn a prompt reply into a second timeout.
    ``used`` says whether the short wait was applied (a test asserts it, so it cannot silently go stale).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
        self.code = code
        self.used = False
        real = sip2.link.exchange

        def exchange(
            sock: socket.socket,
            connection: object,
            message: Message,
            read_timeout: float,
            resend_timeout: float | None,
            *,
            sent: Callable[[], None] | None = None,
        ) -> Message:
            # resend_timeout None is the login/status handshake, bounded by connect_timeout instead.
            if not self.used and code == message.CODE and resend_timeout is not None:
                self.used = True
                read_timeout = SHORT
            return real(sock, connection, message, read_timeout, resend_timeout, sent=sent)  # type: ignore[arg-type]

        monkeypatch.setattr(sip2.link, "exchange", exchange)
