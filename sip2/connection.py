"""Sans-IO SIP2 connection logic: sequence numbers, reply matching, 96/97 handling, resend bounds.

No sockets and no clock here: the caller (:mod:`sip2.client`, a test, the simulator's tooling)
feeds received bytes to :meth:`Sip2Connection.receive_data` and writes whatever bytes it is given.

Rules implemented (see ``docs/sip2-recovery.md``):

* ``AY`` increments per new message and wraps 9 -> 0 (SirsiDynix answers 96 otherwise); it is reset
  to 0 by :meth:`Sip2Connection.reset` after a reconnect.  96/97 carry AZ but no AY.
* One request in flight.  A reply is matched on its response code and, when it carries one, on
  its AY.  After we sent 97, ``AY0`` is accepted too (SIPServer re-stamps its resent reply AY0).
  Frames that do not match (a late reply to an abandoned request) are discarded.
* A reply with a wrong checksum, or one that cannot be parsed, is answered with ``97`` (request
  ACS resend) -- at most ``max_resends`` times, then :class:`~sip2.errors.Sip2ProtocolError`.
* A ``96`` answering *our message* means the ACS could not read it: the *same* message is sent
  again, at most ``max_resends`` times (then :class:`~sip2.errors.Sip2ResendError`: not processed).
  This is safe even for checkout/checkin/fee paid, because the ACS says it did not act on it.
* A ``96`` that comes after *we* sent ``97`` says nothing about the original message: the ACS may
  have processed it and sent a reply that we could not read (the 96 then answers our 97), or it
  may be resending an earlier 96 of its own.  For a state-changing request (:data:`NON_IDEMPOTENT`)
  the message is therefore **not** sent again: :class:`Sip2ResendInDoubt` (a
  :class:`~sip2.errors.Sip2OutcomeUnknown`) is raised, and the client settles it by querying the
  ILS (:mod:`sip2.recovery`).  An idempotent request is sent again; if its budget then runs out the
  error is a plain :class:`~sip2.errors.Sip2ProtocolError`, never ``Sip2ResendError`` ("not
  processed" cannot be claimed once a reply may have been lost).
* A read timeout is answered with ``97`` on the same socket (:meth:`on_timeout`), once by default
  (``max_timeout_resends``): a kiosk must not wait long on a silent ILS.
  A *dead* socket is the client's business: reconnect, log in, then query before resending.
* Error detection is decided **once**, from the first reply of the first connection (the 94 to our
  login, or the 98 to the first status), and logged: the ACS uses AY/AZ (its reply carried AZ) or
  not.  ``"on"``: AY/AZ always sent; an ACS that never sends AZ is accepted (counted in
  ``replies_without_checksum``, never looped on).  ``"auto"``: an ACS without AZ, or one that
  answers our very first message with 96 (Aleph with ``error_correction = N``), gets no AY/AZ from
  then on.  Once the ACS is known to use checksums, a reply with a bad **or missing** AZ is a
  protocol error (97 and the resend rules above), in both modes: a later 96 never switches error
  detection off, so a corrupted or truncated reply is never taken as an answer.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from sip2.codec import FrameBuffer, decode_frame, encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ProtocolError, Sip2ResendError, Sip2ResendInDoubt
from sip2.messages import Message, RequestACSResend, RequestSCResend

log = logging.getLogger(__name__)

#: Requests that change state on the ILS: never resend one blindly after a lost reply, nor after a
#: 96 that followed our 97.  11 checkout, 09 checkin, 29 renew, 37 fee paid, 65 renew all, 15 hold,
#: 01 block patron, 19 item status update, 25 patron enable.  Everything else (93 login, 99 status,
#: 23/63 patron status/information, 17 item information, 35 end session, 41 Wise registrations)
#: only reads, or (35) ends a session that ending twice leaves the same: resending it is harmless.
NON_IDEMPOTENT = frozenset({"11", "09", "29", "37", "65", "15", "01", "19", "25"})


@dataclass(frozen=True, slots=True)
class Transmit:
    """Bytes the caller must write now (a 97, or our message again after a 96)."""

    data: bytes
    reason: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The reply to the request in flight; the request is finished."""

    message: Message
    sequence: int | None
    checksum_present: bool


Event = Transmit | Reply


@dataclass(slots=True)
class _Pending:
    message: Message
    data: bytes
    sequence: int | None
    resends: int = 0  # 96 answered by resending the message
    resend_requests: int = 0  # 97 sent by us
    timeouts: int = 0  # of which after a read timeout


class Sip2Connection:
    """The protocol state of one SC<->ACS connection (one socket's lifetime, reset on reconnect)."""

    def __init__(self, dialect: Dialect, max_resends: int = 3, max_timeout_resends: int = 1) -> None:
        self.dialect = dialect
        self.max_resends = max_resends
        self.max_timeout_resends = max_timeout_resends
        self.replies_without_checksum = 0
        self.discarded_frames = 0
        self._next_sequence = 0
        self._checksums = dialect.sends_checksums
        # Whether the ACS uses AY/AZ: None until its first reply tells (decided once, kept on reconnect).
        self._acs_checksums: bool | None = None if dialect.sends_checksums else False
        self._buffer = FrameBuffer()
        self._pending: _Pending | None = None

    # ------------------------------------------------------------------------------------ state
    @property
    def pending(self) -> Message | None:
        """The request in flight, if any."""
        return self._pending.message if self._pending else None

    @property
    def sends_checksums(self) -> bool:
        """Whether outgoing messages currently carry AY/AZ (``auto`` may have turned them off)."""
        return self._checksums

    @property
    def acs_uses_checksums(self) -> bool | None:
        """The error-detection decision: the ACS uses AY/AZ (``True``), not (``False``), undecided."""
        return self._acs_checksums

    @property
    def next_sequence(self) -> int:
        """The AY digit the next new message will carry."""
        return self._next_sequence

    def reset(self) -> None:
        """Forget everything tied to the old socket: AY back to 0, buffered bytes, the request."""
        self._next_sequence = 0
        self._buffer.clear()
        self._pending = None

    def abandon(self) -> None:
        """Stop waiting for the request in flight (its reply, if it comes, will be discarded)."""
        self._pending = None

    # ---------------------------------------------------------------------------------- sending
    def _dialect(self) -> Dialect:
        if self._checksums == self.dialect.sends_checksums:
            return self.dialect
        return dataclasses.replace(self.dialect, error_detection="off")

    def start_request(self, message: Message) -> bytes:
        """Begin a request: returns the bytes to write.  Only one request may be in flight."""
        if self._pending is not None:
            raise Sip2ProtocolError("a request is already in flight on this connection")
        if not message.RESPONSE_CODE:
            raise Sip2ProtocolError(f"message {message.CODE} is not a request that gets a reply")
        sequence = self._next_sequence if self._checksums else None
        data = encode(message, self._dialect(), sequence=sequence)
        self._next_sequence = (self._next_sequence + 1) % 10
        self._pending = _Pending(message, data, sequence)
        return data

    def _request_resend(self, reason: str) -> Transmit:
        pending = self._pending
        assert pending is not None
        if pending.resend_requests >= self.max_resends:
            self._pending = None
            raise Sip2ProtocolError(
                f"no usable reply to message {pending.message.CODE} "
                f"after {pending.resend_requests} resend requests ({reason})"
            )
        pending.resend_requests += 1
        log.info("requesting ACS resend (97) for message %s: %s", pending.message.CODE, reason)
        return Transmit(encode(RequestACSResend(), self._dialect()), reason)

    def on_timeout(self) -> bytes | None:
        """No reply in time: the 97 to send on the same socket, or ``None`` if the budget is used up."""
        pending = self._pending
        if (
            pending is None
            or pending.resend_requests >= self.max_resends
            or pending.timeouts >= self.max_timeout_resends
        ):
            return None
        pending.timeouts += 1
        return self._request_resend("read timeout").data

    # -------------------------------------------------------------------------------- receiving
    def receive_data(self, data: bytes) -> list[Event]:
        """Feed received bytes; returns what to do, in order.  At most one :class:`Reply`."""
        events: list[Event] = []
        for raw in self._buffer.feed(data):
            event = self._receive_frame(raw)
            if event is not None:
                events.append(event)
                if isinstance(event, Reply):
                    break  # anything after the reply belongs to no request: drop it
        return events

    def _receive_frame(self, raw: bytes) -> Event | None:
        pending = self._pending
        if pending is None:
            self.discarded_frames += 1
            log.debug("discarding a frame that arrived with no request in flight")
            return None
        try:
            frame = decode_frame(raw, self._dialect())
        except Sip2ProtocolError as exc:
            return self._request_resend(f"unreadable reply: {exc}")
        if frame.checksum_valid is False:
            return self._request_resend("checksum error")
        message = frame.message
        if isinstance(message, (RequestSCResend, RequestACSResend)):
            return self._resend_after_96()
        if message.CODE != pending.message.RESPONSE_CODE:
            self.discarded_frames += 1
            log.info(
                "discarding unexpected message %s while waiting for %s",
                message.CODE,
                pending.message.RESPONSE_CODE,
            )
            return None
        if (
            frame.sequence is not None
            and pending.sequence is not None
            and frame.sequence != pending.sequence
            and not (pending.resend_requests and frame.sequence == 0)
        ):
            self.discarded_frames += 1
            log.info(
                "discarding reply %s with AY%d while waiting for AY%d",
                message.CODE,
                frame.sequence,
                pending.sequence,
            )
            return None
        if pending.sequence is not None:
            if self._acs_checksums is None:
                self._decide(frame.checksum is not None, f"its reply {message.CODE}")
            elif self._acs_checksums and frame.checksum is None:
                # The ACS uses checksums, so this reply lost its AZ (truncated, corrupted): not used.
                return self._request_resend("reply without checksum while error detection is on")
            if frame.checksum is None:
                self.replies_without_checksum += 1
        self._pending = None
        return Reply(message, frame.sequence, frame.checksum is not None)

    def _decide(self, acs_checksums: bool, evidence: str) -> None:
        """Fix the error-detection decision (once) and log it."""
        self._acs_checksums = acs_checksums
        auto = self.dialect.error_detection == "auto"
        if not acs_checksums and auto:
            self._checksums = False
        log.info(
            "SIP2 error detection (%s): the ACS %s AY/AZ (%s); %s",
            self.dialect.error_detection,
            "uses" if acs_checksums else "does not use",
            evidence,
            "checksums required from now on"
            if acs_checksums
            else ("no longer sending AY/AZ" if auto else "replies without AZ accepted"),
        )

    def _resend_after_96(self) -> Transmit:
        pending = self._pending
        assert pending is not None
        code = pending.message.CODE
        if pending.resend_requests and code in NON_IDEMPOTENT:
            # Our 97 went out, so the ACS may have processed the message and its reply got lost:
            # a blind resend could check out twice (a renewal on SIPServer) or pay twice.
            self._pending = None
            log.warning("ACS answered 96 after our 97 for message %s: not resending; outcome in doubt", code)
            raise Sip2ResendInDoubt(
                f"ACS asked to resend message {code} after a lost reply (97 sent); "
                f"it may already have been applied",
                pending.message,
            )
        if pending.resends >= self.max_resends:
            self._pending = None
            if pending.resend_requests:
                # A reply may have been lost on the way: "not processed" cannot be claimed.
                raise Sip2ProtocolError(
                    f"no usable reply to message {code} after "
                    f"{pending.resend_requests} resend requests and "
                    f"{pending.resends} resends; giving up"
                )
            raise Sip2ResendError(
                f"ACS asked to resend message {code} {pending.resends + 1} times; giving up"
            )
        pending.resends += 1
        if (
            self.dialect.error_detection == "auto"
            and self._checksums
            and pending.resends == 1
            and self._acs_checksums is None
        ):
            # Undecided, and our first message got 96: some ACSs (Aleph with error_correction = N)
            # reject checksummed messages, so try without.  Once decided, a 96 changes nothing.
            self._decide(False, "a 96 to our first message")
            pending.data = encode(pending.message, self._dialect())
            pending.sequence = None
        log.info("ACS requested resend (96) of message %s (%d)", pending.message.CODE, pending.resends)
        return Transmit(pending.data, "ACS requested resend")
