"""Exception tree of the kiosk application: one root, split by *who* went wrong and *how*.

::

    Exception
    └── KioskError                             root: ``except KioskError`` catches every kiosk failure
        │
        │   local: our own configuration, invocation or host is wrong, retrying will not help
        ├── ConfigError                        the configuration file is missing or invalid
        │   └── StateDirectoryError            kiosk.store.statelock: the state directory is unusable
        │       └── SchemaTooNewError          kiosk.store.sqlite: the database is from a newer release
        ├── KioskRunningError                  kiosk.store.statelock: another process holds the state
        ├── KioskUsageError                    kiosk.cli: bad command-line arguments (exit status 2)
        │
        │   remote: a service or stored data broke its contract, staff or a retry may help
        ├── KioskProtocolError                 corrupt store contents, a row in the wrong state
        │   └── JournalError                   kiosk.payments.journal: the payment journal refused
        └── KioskConnectionError (ConnectionError)  a service (the ILS) cannot be reached
            └── NoConnection                   kiosk.services: no usable ILS link for this request

The split mirrors h11's ``LocalProtocolError``/``RemoteProtocolError`` and ``drivers/errors.py``.
Connection errors are also :class:`ConnectionError` (an :class:`OSError`), as in python-can.  Errors
of the libraries the kiosk uses keep their own roots (:class:`sip2.errors.Sip2Error`,
:class:`drivers.errors.DriverError`).  A refused loan, a declined payment or a wrong PIN is a normal
result, never an exception.  ``tests/foundation/test_errors_sip2_kiosk.py`` checks that every exception
class under ``kiosk/`` derives from :class:`KioskError` and is drawn here.
"""

from __future__ import annotations


class KioskError(Exception):
    """Root of every error raised by :mod:`kiosk`."""


class ConfigError(KioskError):
    """Local: the configuration file is missing or invalid. The message names file, key and expectation."""


class KioskUsageError(KioskError):
    """Local: bad command-line arguments or settings for one command (exit status 2)."""


class KioskProtocolError(KioskError):
    """Remote: a component broke the rules of its contract (e.g. corrupt store contents)."""


class KioskConnectionError(KioskError, ConnectionError):
    """Remote: a service (ILS, device) could not be reached."""


class NoConnection(KioskConnectionError):
    """There is no usable connection to the ILS for this request (the circulation service is offline)."""
