"""Exception tree of the SIP2 library: one root, split by *who* went wrong and *how*.

::

    Exception
    └── Sip2Error                              root: ``except Sip2Error`` catches every SIP2 failure
        │
        │   local: our own side is wrong, nothing was sent, retrying will not help
        ├── Sip2ValueError (ValueError)        a message could not be encoded (too long, ``|``/CR/LF, width)
        ├── Sip2ConfigurationError             invalid settings, or a message the ILS's BX says it lacks
        │
        │   remote: the ILS (or the line to it) is wrong, retrying or staff may help
        ├── Sip2ProtocolError                  the ILS broke the rules: bad frame, unexpected reply
        │   ├── Sip2ChecksumError              an AZ checksum that does not match the bytes
        │   ├── Sip2UnknownMessageError        a command code this library does not know
        │   └── Sip2ResendError                96 (resend) more often than allowed: nothing was applied
        ├── Sip2TimeoutError (TimeoutError)    no (complete) reply in time
        ├── Sip2ConnectionError (ConnectionError)  could not connect, or the link went away
        │   ├── Sip2LoginRefused               the ILS answered our 93 login with ``940``
        │   └── Sip2ConnectionLost             the socket died while a request was in flight
        │
        │   in doubt: a state-changing request went out and its outcome cannot be told
        └── Sip2OutcomeUnknown                 queue it for staff; never resend it blindly
            └── Sip2ResendInDoubt              a 96 answered our 97 for a state-changing request

The split mirrors h11's ``LocalProtocolError``/``RemoteProtocolError``: a *local* error means the kiosk's
own code or configuration must change; a *remote* one means the ILS misbehaved or is unreachable.
Timeouts are also :class:`TimeoutError` and connection errors also :class:`ConnectionError` (both
:class:`OSError`), as in python-can.  :class:`Sip2OutcomeUnknown` is deliberately *not* a connection
error: "the ILS may have applied it" must never be handled as "the ILS could not be reached" by an
``except Sip2ConnectionError`` that happens to come first.

A refused checkout or an invalid PIN is a normal reply value, never an exception.  Every class lives
here; the old import places still work (``sip2.transport.Sip2ConnectionLost``,
``sip2.connection.Sip2ResendInDoubt``).  ``tests/foundation/test_errors_sip2_kiosk.py`` checks that
every exception class under ``sip2/`` derives from :class:`Sip2Error` and is drawn here.
"""

from __future__ import annotations


class Sip2Error(Exception):
    """Root of every error raised by :mod:`sip2`."""


class Sip2ValueError(Sip2Error, ValueError):
    """Local: a message could not be encoded: a value is too long, contains ``|``/CR/LF/NUL, or does not
    fit its fixed width.  This is a bug or bad input on *our* side; nothing was sent."""


class Sip2ConfigurationError(Sip2Error):
    """Local: settings are invalid (e.g. an unknown encoding or terminator), or a request names a message
    the ILS says it does not support."""


class Sip2ProtocolError(Sip2Error):
    """Remote: the ILS broke the rules: malformed frame, bad checksum, unexpected reply."""


class Sip2ChecksumError(Sip2ProtocolError):
    """A message arrived with an AZ checksum that does not match its bytes."""


class Sip2UnknownMessageError(Sip2ProtocolError):
    """A message arrived with a command code this library does not know."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown SIP2 message code {code!r}")
        self.code = code


class Sip2ResendError(Sip2ProtocolError):
    """The ACS answered 96 (request SC resend) more often than allowed.  It did not process the
    message, so even a checkout may safely be tried again later."""


class Sip2TimeoutError(Sip2Error, TimeoutError):
    """Remote: no (complete) reply arrived in time."""


class Sip2ConnectionError(Sip2Error, ConnectionError):
    """Remote: the connection could not be made, was refused (e.g. login) or was lost."""


class Sip2LoginRefused(Sip2ConnectionError):
    """The ILS answered our 93 login with ``940``: wrong user or password (or location).  A
    configuration problem, not an outage: alert staff and retry slowly (:mod:`sip2.reconnect`)."""


class Sip2ConnectionLost(Sip2ConnectionError):
    """The socket died (closed by the ILS, reset, broken pipe) while a request was in flight."""


class Sip2OutcomeUnknown(Sip2Error):
    """A checkout, checkin, renew or fee paid was sent, and even after reconnecting and querying the
    ILS it cannot be told whether it was applied.  Queue it for staff; do not simply resend it.

    Not a :class:`Sip2ConnectionError`: handle it before (or apart from) "could not connect"."""

    def __init__(self, message: str, request: object = None) -> None:
        super().__init__(message)
        self.request = request


class Sip2ResendInDoubt(Sip2OutcomeUnknown):
    """The ACS answered 96 after we had sent 97 for a state-changing request: it may already have
    processed the original, so it is not sent again.  The client settles it by querying the ILS
    (:func:`sip2.recovery.recover`); anyone else must treat it as in doubt, never as "not applied"."""
