"""Exception hierarchy of the device drivers: one root, split by what went wrong.

A declined payment or a card that is not a library pass is a normal result, never an exception.
"""


class DriverError(Exception):
    """Root of every error raised by :mod:`drivers`."""


class DeviceProtocolError(DriverError):
    """The device broke the rules: malformed frame, bad CRC, unexpected answer."""


class DeviceTimeoutError(DriverError):
    """The device did not answer in time."""


class DeviceConnectionError(DriverError):
    """The device could not be opened or went away."""


class DeviceConfigurationError(DriverError):
    """A device URL or option is invalid, or an optional library is missing."""


class TagDataError(DriverError):
    """An RFID tag's user memory is not valid data of the tag data model that was asked to decode it."""
