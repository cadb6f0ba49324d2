"""Exception hierarchy of the kiosk application: one root, split by what went wrong."""


class KioskError(Exception):
    """Root of every error raised by :mod:`kiosk`."""


class KioskProtocolError(KioskError):
    """A component broke the rules of its contract (e.g. corrupt store contents)."""


class KioskTimeoutError(KioskError):
    """An operation did not complete in time."""


class KioskConnectionError(KioskError):
    """A service (ILS, device) could not be reached."""


class ConfigError(KioskError):
    """The configuration file is missing or invalid. The message names file, key and expectation."""
