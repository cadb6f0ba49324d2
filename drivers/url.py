"""Device URLs: one small parser shared by every driver (the pyserial ``serial_for_url`` idea).

A device is chosen in the configuration by a URL such as ``pcsc://Virtual PCD``,
``serial:///dev/ttyACM0?baud=9600&suffix=cr``, ``escpos+tcp://192.0.2.7:9100``, ``escpos+usb://04b8:0e15``
or ``file://var/receipts``. The standard library's ``urlsplit`` is not a good fit: it rejects ``04b8:0e15``
as a port, and treats ``file://var/receipts`` as host ``var``. So the parser keeps the text between ``://``
and ``?`` as :attr:`DeviceURL.target` and lets each driver read it as a path, a name or ``host:port``.

Serial targets (``escpos+serial://``, ``serial://``, ``zvt+serial://``, the RFID readers) may also be one of
pyserial's own URLs (:data:`SERIAL_URL_SCHEMES`, read by :meth:`DeviceURL.serial_port`), passed as they are to
``serial.serial_for_url``::

    zvt+serial://spy:///dev/ttyS0?baud=9600          hex dump of the terminal line on stderr (the journal)
    zvt+serial://spy:///dev/ttyS0%3Ffile%3D/tmp/zvt.txt   ... into a file (pyserial's own options after %3F)
    escpos+serial://socket://192.0.2.7:4001          a serial printer behind a serial-to-TCP server
    serial://loop://                                 a loopback port that echoes what is written (tests)

The text after ``?`` is always this URL's own options; pyserial's options of a ``spy://`` port go inside the
target, percent-encoded (``%3F`` for ``?``, ``%26`` for ``&``), since the target is unquoted once.
Which scheme opens which backend is decided in :mod:`drivers.registry`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote

from drivers.errors import DeviceConfigurationError

_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.\-]*)://(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[^:/\[\]]+))(?::(?P<port>[^:/]*))?$")
_TRUE = {"1", "true", "yes", "on"}
#: pyserial URL handlers a serial target may name (``serial_for_url``); anything else with ``://`` is refused.
SERIAL_URL_SCHEMES = ("loop", "spy", "socket")
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class DeviceURL:
    """A parsed device URL.

    ``scheme`` is lower-case (``escpos+tcp``); ``target`` is the unquoted text after ``://`` up to ``?``
    (a reader-name substring, a device path, ``host:port``, a directory); ``options`` holds the query.
    """

    url: str
    scheme: str
    target: str
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def kind(self) -> str:
        """The part of the scheme before ``+`` (``escpos`` for ``escpos+tcp``)."""
        return self.scheme.split("+", 1)[0]

    @property
    def transport(self) -> str:
        """The part of the scheme after ``+`` (``tcp`` for ``escpos+tcp``), or ``""``."""
        return self.scheme.split("+", 1)[1] if "+" in self.scheme else ""

    @property
    def path(self) -> str:
        """The target read as a file-system path (``serial:///dev/ttyS0`` → ``/dev/ttyS0``)."""
        return self.target

    @property
    def host(self) -> str | None:
        """The host if the target reads as ``host[:port]`` (``None`` for a path such as ``/dev/ttyS0``)."""
        m = _HOST_PORT.match(self.target)
        return (m.group("v6") or m.group("host")) if m else None

    @property
    def port(self) -> int | None:
        """The port if the target reads as ``host:port`` with a valid number, else ``None``."""
        m = _HOST_PORT.match(self.target)
        text = m.group("port") if m else None
        return int(text) if text and text.isdigit() and 0 < int(text) < 65536 else None

    def serial_port(self, example: str) -> str:
        """The target as a pyserial port: a device path, or a pyserial URL of :data:`SERIAL_URL_SCHEMES`.

        ``example`` (e.g. ``zvt+serial:///dev/ttyS0``) goes into the error when the target is empty.
        """
        if not self.target:
            raise DeviceConfigurationError(
                f"{self.url}: no device path; expected a device path or a pyserial URL, e.g. {example}"
            )
        inner = _SCHEME.match(self.target)
        if inner and inner.group("scheme").lower() not in SERIAL_URL_SCHEMES:
            raise DeviceConfigurationError(
                f"{self.url}: serial port {self.target!r} is not a device path or a pyserial URL; expected "
                "a path such as /dev/ttyS0 or one of " + ", ".join(f"{s}://" for s in SERIAL_URL_SCHEMES)
            )
        return self.target

    def host_port(self, default_port: int | None = None) -> tuple[str, int]:
        """Read the target as ``host:port`` (``[v6]:port`` for IPv6); raise if it is not one."""
        m = _HOST_PORT.match(self.target)
        if not m:
            raise DeviceConfigurationError(f"{self.url}: expected host:port after '{self.scheme}://'")
        host = m.group("v6") or m.group("host") or ""
        port_text = m.group("port")
        if port_text in (None, ""):
            if default_port is None:
                raise DeviceConfigurationError(f"{self.url}: a port is required (host:port)")
            return host, default_port
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise DeviceConfigurationError(f"{self.url}: port {port_text!r} is not a number 1-65535")
        return host, int(port_text)

    def hex_pair(self) -> tuple[int, int]:
        """Read the target as ``vendor:product`` in hex (USB ids such as ``04b8:0e15``)."""
        parts = self.target.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            vendor, product = int(parts[0], 16), int(parts[1], 16)
        except ValueError:
            raise DeviceConfigurationError(
                f"{self.url}: expected vendor:product in hex after '{self.scheme}://', e.g. 04b8:0e15"
            ) from None
        if not (0 <= vendor <= 0xFFFF and 0 <= product <= 0xFFFF):
            raise DeviceConfigurationError(f"{self.url}: USB ids are 4 hex digits each")
        return vendor, product

    def check_options(self, allowed: Iterable[str]) -> None:
        """Reject options this device does not know (a typo must not be silently ignored)."""
        known = set(allowed)
        unknown = sorted(set(self.options) - known)
        if unknown:
            expected = ", ".join(sorted(known)) or "none"
            raise DeviceConfigurationError(
                f"{self.url}: unknown option(s) {', '.join(unknown)}; expected: {expected}"
            )

    def option(self, name: str, default: str) -> str:
        """A text option, or ``default``."""
        return self.options.get(name, default)

    def option_choice(self, name: str, choices: Iterable[str], default: str) -> str:
        """A text option that must be one of ``choices``."""
        allowed = tuple(choices)
        value = self.options.get(name, default).lower()
        if value not in allowed:
            raise DeviceConfigurationError(
                f"{self.url}: option {name}={value!r}; expected one of {', '.join(allowed)}"
            )
        return value

    def option_int(self, name: str, default: int, minimum: int | None = None) -> int:
        """An integer option, or ``default``."""
        text = self.options.get(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise DeviceConfigurationError(f"{self.url}: option {name}={text!r} is not an integer") from None
        if minimum is not None and value < minimum:
            raise DeviceConfigurationError(f"{self.url}: option {name}={value} must be at least {minimum}")
        return value

    def option_float(self, name: str, default: float, minimum: float = 0.0) -> float:
        """A number option (seconds and the like), or ``default``."""
        text = self.options.get(name)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise DeviceConfigurationError(f"{self.url}: option {name}={text!r} is not a number") from None
        if not value >= minimum:  # also rejects NaN
            raise DeviceConfigurationError(f"{self.url}: option {name}={text} must be at least {minimum}")
        return value

    def option_bool(self, name: str, default: bool) -> bool:
        """A yes/no option (``1/0``, ``true/false``, ``yes/no``, ``on/off``), or ``default``."""
        text = self.options.get(name)
        if text is None:
            return default
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise DeviceConfigurationError(f"{self.url}: option {name}={text!r} is not yes/no")


def _check_scheme(url: str, scheme: str, schemes: Iterable[str] | None) -> None:
    if schemes is not None:
        allowed = tuple(schemes)
        if scheme not in allowed:
            raise DeviceConfigurationError(
                f"{url}: unsupported scheme {scheme!r}; expected one of "
                + ", ".join(f"{s}://" for s in allowed)
            )


def parse_device_url(url: str | DeviceURL, schemes: Iterable[str] | None = None) -> DeviceURL:
    """Parse a device URL; with ``schemes``, reject any scheme not in it.

    An already parsed :class:`DeviceURL` is returned as it is (after the scheme check), so an opener
    ``open_x(url)`` that starts with this call can be registered in :mod:`drivers.registry` unchanged.
    Raises :class:`~drivers.errors.DeviceConfigurationError` with the URL and what was expected.
    """
    if isinstance(url, DeviceURL):
        _check_scheme(url.url, url.scheme, schemes)
        return url
    if not isinstance(url, str) or not url.strip():
        raise DeviceConfigurationError("empty device URL; expected e.g. 'fake://'")
    m = _SCHEME.match(url.strip())
    if not m:
        raise DeviceConfigurationError(f"{url!r} is not a device URL; expected scheme://…, e.g. 'fake://'")
    scheme = m.group("scheme").lower()
    _check_scheme(url, scheme, schemes)
    rest = m.group("rest")
    target, _, query = rest.partition("?")
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        key = key.lower()
        if key in options:
            raise DeviceConfigurationError(f"{url}: option {key!r} given twice")
        options[key] = value
    return DeviceURL(url=url, scheme=scheme, target=unquote(target), options=MappingProxyType(options))
