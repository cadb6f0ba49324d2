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


class Sip2ConfigurationError(Sip2Error):
    """Settings are invalid (e.g. an unknown encoding or terminator)."""
