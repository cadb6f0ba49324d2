"""Exception hierarchy of the SIP2 library: one root, split by what went wrong.

A refused checkout or an invalid PIN is a normal reply value, never an exception.
"""


class Sip2Error(Exception):
    """Root of every error raised by :mod:`sip2`."""


class Sip2ProtocolError(Sip2Error):
    """The remote side broke the rules: malformed frame, bad checksum, unexpected reply."""


class Sip2TimeoutError(Sip2Error):
    """No (complete) reply arrived in time."""


class Sip2ConnectionError(Sip2Error):
    """The connection could not be made, was refused (e.g. login) or was lost."""


class Sip2LoginRefused(Sip2ConnectionError):
    """The ILS answered our 93 login with ``940``: wrong user or password (or location).  A
    configuration problem, not an outage: alert staff and retry slowly (:mod:`sip2.reconnect`)."""


class Sip2ConfigurationError(Sip2Error):
    """Settings are invalid (e.g. an unknown encoding or terminator)."""


class Sip2ChecksumError(Sip2ProtocolError):
    """A message arrived with an AZ checksum that does not match its bytes."""


class Sip2UnknownMessageError(Sip2ProtocolError):
    """A message arrived with a command code this library does not know."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown SIP2 message code {code!r}")
        self.code = code


class Sip2ValueError(Sip2Error, ValueError):
    """A message could not be encoded: a value is too long, contains ``|``/CR/LF/NUL, or does not fit
    its fixed width.  This is a bug or bad input on *our* side; nothing was sent."""


class Sip2OutcomeUnknown(Sip2ConnectionError):
    """A checkout, checkin, renew or fee paid was sent, and even after reconnecting and querying the
    ILS it cannot be told whether it was applied.  Queue it for staff; do not simply resend it."""

    def __init__(self, message: str, request: object = None) -> None:
        super().__init__(message)
        self.request = request


class Sip2ResendError(Sip2ProtocolError):
    """The ACS answered 96 (request SC resend) more often than allowed.  It did not process the
    message, so even a checkout may safely be tried again later."""
