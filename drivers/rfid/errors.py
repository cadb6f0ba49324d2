"""RFID errors, under the drivers' one exception root (:class:`drivers.errors.DriverError`).

Two families: the *tag* could not do what was asked (it left the field, a write failed, it is locked or
password-protected) — a normal event on a pad that the caller retries or reports per item — and the
*reader* broke or refused the protocol (:class:`ReaderError`, a :class:`DeviceProtocolError`). Frame
errors, time-outs and connection loss use the shared classes in :mod:`drivers.errors`.
"""

from __future__ import annotations

from drivers.errors import DeviceProtocolError, DriverError


class TagError(DriverError):
    """The addressed tag could not carry out the command. ``uid`` and the reader's ``code`` tell which."""

    def __init__(self, message: str, uid: str | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.uid = uid
        self.code = code


class TagNotFound(TagError):
    """No answer from the tag: it is not (or no longer) in the field (FEIG 0x01, 3M 0x06)."""


class TagWriteFailed(TagError):
    """The tag did not confirm a write (FEIG 0x03, 3M 0x16 "not enough power?"): retry, then report."""


class TagLocked(TagError):
    """The block, AFI or EAS is locked or password-protected (FEIG 0x95/0x12, 3M 0x12).

    If every tag says this on an AFI/EAS write, the library protects them with a password: a configuration
    matter, not a broken tag (rfid note §2).
    """


class TagAirError(TagError):
    """The air interface failed: a CRC error from the tag or an unfinished anticollision (FEIG 0x02/0x83)."""


class TagRefused(TagError):
    """The tag answered with an ISO 15693 error code (block not available, not supported, …)."""


class ReaderError(DeviceProtocolError):
    """The reader refused the request itself (unknown command, length or parameter error, busy)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class ReaderOverflow(ReaderError):
    """More tags in the field than the reader can hold (FEIG 0x93): take items off the pad."""
