"""Which code opens a device: one ``(kind, scheme) → opener`` table, imported lazily.

A *kind* is what the kiosk needs (``printer``, ``scanner``, ``cardreader``, ``payment``, ``rfid``,
``speech``, ``jack``); a *scheme* is the part of the device URL before ``://`` (``escpos+tcp``). An
*opener* is named as ``"module:function"`` and imported only when a device of that scheme is opened, so
a missing optional library (pyscard, pyusb, pyserial) or a missing backend fails at open time with a
:class:`~drivers.errors.DeviceConfigurationError` naming what to install — never at import.

>>> from drivers.registry import open_device, schemes
>>> schemes("printer")
('escpos+serial', 'escpos+tcp', 'escpos+usb', 'file', 'fake')
>>> printer = open_device("printer", "fake://", width=42)     # doctest: +SKIP

An opener is called as ``opener(device, **options)`` with the parsed :class:`~drivers.url.DeviceURL`
and the keyword options the caller passed (``width=``, ``on_scan=``, ``password=`` …). The public
functions ``open_printer``, ``open_scanner``, ``open_pass_reader``, ``open_terminal`` are thin wrappers
over :func:`open_device`. A function ``open_x(url, ...)`` that begins with
:func:`~drivers.url.parse_device_url` can be registered as it is (the parser returns a ``DeviceURL``
unchanged), which is how ``speech``, ``jack`` and ``rfid`` are registered.

Adding a kind or a backend: one :func:`register` call, or one line in :data:`BUILTIN` for a driver that
ships with the kiosk (see docs/devices.md, "Adding a device kind").
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from drivers.errors import DeviceConfigurationError, DeviceUsageError
from drivers.url import DeviceURL, parse_device_url

Opener = Callable[..., Any]

#: The drivers that ship with the kiosk: kind → scheme → ``"module:function"``. Order is the order of
#: :func:`schemes` (used in ``--help`` texts and error messages).
BUILTIN: dict[str, dict[str, str]] = {
    "printer": {
        "escpos+serial": "drivers.printer.openers:open_escpos",
        "escpos+tcp": "drivers.printer.openers:open_escpos",
        "escpos+usb": "drivers.printer.openers:open_escpos",
        "file": "drivers.printer.openers:open_file",
        "fake": "drivers.printer.openers:open_fake",
    },
    "scanner": {
        "hid": "drivers.scanner.openers:open_hid",
        "serial": "drivers.scanner.openers:open_serial",
        "fake": "drivers.scanner.openers:open_fake",
    },
    "cardreader": {
        "pcsc": "drivers.cardreader.openers:open_pcsc",
        "fake": "drivers.cardreader.openers:open_fake",
    },
    "payment": {
        "zvt+serial": "drivers.payment.openers:open_serial",
        "zvt+tcp": "drivers.payment.openers:open_tcp",
        "zvt+sim": "drivers.payment.openers:open_simulated",
        "fake": "drivers.payment.openers:open_simulated",
    },
    "rfid": {
        "rfid+feig": "drivers.rfid:open_reader",
        "rfid+feig+tcp": "drivers.rfid:open_reader",
        "rfid+3m": "drivers.rfid:open_reader",
        "rfid+pcsc": "drivers.rfid:open_reader",
        "rfid+sim": "drivers.rfid:open_reader",
    },
    "speech": {
        "espeak-ng": "drivers.speech:open_speech",
        "wav": "drivers.speech:open_speech",
        "fake": "drivers.speech:open_speech",
    },
    "jack": {
        "evdev": "drivers.speech.jack:open_jack",
        "fake": "drivers.speech.jack:open_jack",
    },
}

_lock = threading.Lock()
_table: dict[str, dict[str, str]] = {kind: dict(entries) for kind, entries in BUILTIN.items()}


def _check_target(target: str) -> tuple[str, str]:
    module, sep, function = target.partition(":")
    if not sep or not module or not function.isidentifier():
        raise DeviceUsageError(f"opener {target!r}: expected 'package.module:function'")
    return module, function


def register(kind: str, scheme: str, target: str, *, replace: bool = False) -> None:
    """Let ``target`` (``"package.module:function"``) open devices of ``kind`` named ``scheme://``.

    Nothing is imported now. Registering a taken ``(kind, scheme)`` again is a mistake unless
    ``replace`` is given (raises :class:`~drivers.errors.DeviceUsageError`).
    """
    _check_target(target)
    scheme = scheme.lower()
    if not kind or not scheme or "://" in scheme:
        raise DeviceUsageError(f"register({kind!r}, {scheme!r}): expected a kind and a scheme without '://'")
    with _lock:
        entries = _table.setdefault(kind, {})
        if scheme in entries and entries[scheme] != target and not replace:
            raise DeviceUsageError(f"{kind} scheme {scheme}:// is already opened by {entries[scheme]}")
        entries[scheme] = target


def unregister(kind: str, scheme: str) -> None:
    """Forget one registration (tests, plug-ins); unknown pairs are ignored."""
    with _lock:
        entries = _table.get(kind, {})
        entries.pop(scheme.lower(), None)
        if not entries:
            _table.pop(kind, None)


def kinds() -> tuple[str, ...]:
    """Every device kind with at least one scheme."""
    with _lock:
        return tuple(_table)


def schemes(kind: str) -> tuple[str, ...]:
    """The schemes a kind knows, in registration order (for configuration checks and ``--help``)."""
    with _lock:
        return tuple(_table.get(kind, ()))


def _unknown_scheme(kind: str, url: str, scheme: str) -> DeviceConfigurationError:
    known = schemes(kind)
    if not known:
        return DeviceConfigurationError(
            f"{url}: there are no {kind!r} devices; known device kinds: {', '.join(kinds())}"
        )
    return DeviceConfigurationError(
        f"{url}: unsupported scheme {scheme!r} for a {kind} device; known {kind} schemes: "
        + ", ".join(f"{s}://" for s in known)
    )


def opener(kind: str, scheme: str) -> Opener:
    """Import and return the opener of ``(kind, scheme)``.

    Raises :class:`~drivers.errors.DeviceConfigurationError` when the scheme is unknown or the opener's
    module (or a library it imports) is not installed.
    """
    with _lock:
        target = _table.get(kind, {}).get(scheme.lower())
    if target is None:
        raise _unknown_scheme(kind, f"{scheme}://", scheme)
    module_name, function = _check_target(target)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        raise DeviceConfigurationError(
            f"{scheme}:// ({kind}) needs the Python module {missing!r}, which is not installed"
            + ("" if missing.startswith("drivers") else f" (pip install the library that provides {missing})")
        ) from exc
    found = getattr(module, function, None)
    if not callable(found):
        raise DeviceUsageError(f"{kind} scheme {scheme}://: {target} is not a function")
    return found  # type: ignore[no-any-return]


def open_device(kind: str, url: str | DeviceURL, **options: Any) -> Any:
    """Open the device of ``kind`` named by ``url``, passing ``options`` to its opener.

    Raises :class:`~drivers.errors.DeviceConfigurationError` for a malformed URL, a scheme this kind
    does not know (the message names the kind, the scheme and every known scheme) or a missing
    library, and whatever the opener raises (:class:`~drivers.errors.DeviceConnectionError` …).
    """
    device = check_url(kind, url)
    return opener(kind, device.scheme)(device, **options)


def check_url(kind: str, url: str | DeviceURL) -> DeviceURL:
    """Parse ``url`` and check that ``kind`` knows its scheme, importing nothing (configuration checks).

    Raises :class:`~drivers.errors.DeviceConfigurationError` like :func:`open_device`.
    """
    device = parse_device_url(url)
    with _lock:
        known = device.scheme in _table.get(kind, {})
    if not known:
        raise _unknown_scheme(kind, device.url, device.scheme)
    return device
