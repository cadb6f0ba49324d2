"""Exception tree of the device drivers: one root, split by *who* went wrong and *how*.

::

    Exception
    └── DriverError                          root: ``except DriverError`` catches every driver failure
        │
        │   local: our own side is wrong, retrying will not help
        ├── DeviceUsageError (ValueError)    our code called a driver wrongly: bad argument, wrong state
        ├── DeviceConfigurationError         a bad device URL/option, an unknown scheme, a missing library
        │   ├── SpeechUnavailableError       espeak-ng is not installed (the message says how to install)
        │   ├── PcscdUnavailable             pcscd/vpcd missing or the socket taken (tests, benchmarks)
        │   └── TagModelConfigError          drivers.rfid.models: a tag data model is misconfigured
        │
        │   remote: the device (or the line to it) is wrong, retrying or a technician may help
        ├── DeviceProtocolError              the device broke the rules: bad frame/CRC, unexpected answer
        │   ├── TerminalRefusedError         drivers.payment.exchange: the terminal answered ``84 xx``
        │   ├── NdefError (ValueError)       a pass card's memory/NDEF message is malformed
        │   └── ReaderError                  drivers.rfid.errors: the RFID reader refused the request
        │       └── ReaderOverflow           more tags on the pad than the reader can hold
        ├── TagError                         drivers.rfid.errors: one tag could not do it (per item)
        │   ├── TagNotFound                  it left the field
        │   │   └── NoCard                   drivers.rfid.pcsc: no card on the PC/SC reader
        │   ├── TagWriteFailed               a write was not confirmed
        │   ├── TagLocked                    block/AFI/EAS locked or password-protected
        │   ├── TagAirError                  CRC error or unfinished anticollision on the air
        │   ├── TagRefused                   an ISO 15693 error code
        │   └── SecurityNotVerified          drivers.rfid.security: the gate bit did not read back
        ├── TagDataError                     drivers.rfid.models: a tag's memory is not valid model data
        ├── DeviceTimeoutError (TimeoutError)        no answer in time
        │   └── NoAcknowledgeError           drivers.payment.link: no ACK after all repeats (T2)
        └── DeviceConnectionError (ConnectionError)  could not be opened, or went away

The split mirrors h11's ``LocalProtocolError``/``RemoteProtocolError``: a *local* error means the kiosk's
own code or configuration must change; a *remote* one means the device misbehaved or is unreachable.
Timeouts are also :class:`TimeoutError` and connection errors also :class:`ConnectionError`, so code
that handles the standard library's ones handles ours (python-can does the same). Both are
:class:`OSError` subclasses: an ``except OSError`` around a driver call catches them too.

Every class is defined here (``TerminalRefusedError`` and ``NoAcknowledgeError`` live beside the ZVT
code they describe and subclass the classes here); the old import places still work
(``drivers.speech.SpeechUnavailableError``, ``drivers.cardreader.ndef.NdefError``,
``drivers.cardreader.pcscd_runner.PcscdUnavailable``). The RFID classes (issue 15) live in
``drivers/rfid/errors.py`` under these roots. A declined payment or a card that is not a library
pass is a normal result, never an exception. ``tests/foundation/test_errors.py`` checks that every
exception class under ``drivers/`` derives from :class:`DriverError` and is drawn here.
"""

from __future__ import annotations


class DriverError(Exception):
    """Root of every error raised by :mod:`drivers`."""


class DeviceUsageError(DriverError, ValueError):
    """Local: our own code used a driver wrongly (a bad argument, a call in the wrong state).

    A :class:`ValueError` too, so callers that validated with ``except ValueError`` keep working.
    """


class DeviceConfigurationError(DriverError):
    """Local: a device URL or option is invalid, the scheme is unknown, or an optional library is missing."""


class SpeechUnavailableError(DeviceConfigurationError):
    """The speech backend cannot run here (e.g. espeak-ng is not installed); the message says what to do."""


class PcscdUnavailable(DeviceConfigurationError):
    """pcscd or vpcd is not installed, or another pcscd already owns the fixed socket."""


class DeviceProtocolError(DriverError):
    """Remote: the device broke the rules: malformed frame, bad CRC, unexpected answer."""


class NdefError(DeviceProtocolError, ValueError):
    """The tag memory or NDEF message is malformed (or a message would not fit the tag)."""


class DeviceTimeoutError(DriverError, TimeoutError):
    """Remote: the device did not answer in time."""


class DeviceConnectionError(DriverError, ConnectionError):
    """Remote: the device could not be opened or went away."""


class TagDataError(DriverError):
    """An RFID tag's user memory is not valid data of the tag data model that was asked to decode it."""
