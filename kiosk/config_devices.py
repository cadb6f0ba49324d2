"""What ``config check`` verifies in a device URL before ``kiosk run`` opens it.

Only the shape of the URL is checked here (a serial device needs a path, a TCP device ``host:port``, a
USB printer ``vendor:product``); whether the device is plugged in is a run-time matter: a missing
device makes the kiosk run degraded (see docs/operations.md), never stops it.
"""

from __future__ import annotations

from drivers.errors import DeviceConfigurationError
from drivers.url import parse_device_url

# Default TCP ports of the drivers (ZVT over TCP, raw ESC/POS "JetDirect").
_TCP_DEFAULT_PORT = {"zvt+tcp": 20007, "escpos+tcp": 9100}
_SERIAL = ("zvt+serial", "escpos+serial", "serial")


def device_url_problem(url: str) -> str:
    """What is wrong with device URL ``url`` as its driver will read it, or ``""`` when nothing is."""
    try:
        dev = parse_device_url(url)
        if dev.scheme in _TCP_DEFAULT_PORT:
            host, _port = dev.host_port(_TCP_DEFAULT_PORT[dev.scheme])
            if not host:
                return f"expected {dev.scheme}://HOST:PORT"
        elif dev.scheme in _SERIAL:
            if not dev.path.startswith("/"):
                return f"expected an absolute device path, e.g. {dev.scheme}:///dev/ttyUSB0"
        elif dev.scheme == "escpos+usb":
            dev.hex_pair()
        elif dev.scheme == "file" and not dev.target:
            return "expected a directory, e.g. file://var/receipts"
    except DeviceConfigurationError as exc:
        return str(exc).removeprefix(f"{url}: ")
    return ""
