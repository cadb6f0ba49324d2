"""HF RFID (ISO 15693) items: one :class:`Reader` interface, backends chosen by URL.

* ``rfid+feig:///dev/ttyUSB0?baud=38400&parity=E&addr=255`` — FEIG OBID ISC over RS-232/USB-serial
* ``rfid+feig+tcp://192.0.2.5:10001`` — the same protocol over TCP (a LAN reader)
* ``rfid+3m:///dev/ttyUSB0`` — 3M/Bibliotheca pad (19200 8N1)
* ``rfid+pcsc://OMNIKEY`` — ISO 15693 via a PC/SC reader whose name contains the text (one tag)
* ``rfid+sim://?scenario=stack10`` — an in-memory tag field (:mod:`drivers.rfid.scenarios`)

Serial targets may be any pyserial URL (``rfid+feig://spy:///dev/ttyUSB0``, ``rfid+3m://socket://h:p``).
Options: ``timeout`` (seconds per answer, default 1), ``retries`` (resends of a garbled or lost answer,
default 2); FEIG ``baud`` (38400), ``parity`` (E/N/O), ``addr`` (COM-ADR, 255 = any), ``frame``
(standard/advanced); 3M ``baud`` (19200); PC/SC ``block_in`` (p1/p2). Tag data models are in
:mod:`drivers.rfid.models`; gate security in :mod:`drivers.rfid.security`.
"""

from __future__ import annotations

from drivers.errors import DeviceConfigurationError
from drivers.rfid.errors import (
    ReaderError,
    ReaderOverflow,
    TagAirError,
    TagError,
    TagLocked,
    TagNotFound,
    TagRefused,
    TagWriteFailed,
)
from drivers.rfid.reader import Reader, SystemInfo, normalise_uid
from drivers.url import DeviceURL, parse_device_url

SCHEMES = ("rfid+feig", "rfid+feig+tcp", "rfid+3m", "rfid+pcsc", "rfid+sim")

__all__ = [
    "SCHEMES",
    "Reader",
    "ReaderError",
    "ReaderOverflow",
    "SystemInfo",
    "TagAirError",
    "TagError",
    "TagLocked",
    "TagNotFound",
    "TagRefused",
    "TagWriteFailed",
    "normalise_uid",
    "open_reader",
]


def _port(device: DeviceURL) -> str:
    if device.scheme == "rfid+feig+tcp":
        host, port = device.host_port(10001)
        return f"socket://{host}:{port}"
    if not device.target:
        raise DeviceConfigurationError(
            f"{device.url}: no serial port; expected e.g. {device.scheme}:///dev/ttyUSB0"
        )
    return device.target


def open_reader(url: str) -> Reader:
    """Open the RFID reader named by ``url`` (DeviceConfigurationError for a bad URL or option)."""
    device = parse_device_url(url, SCHEMES)
    if device.scheme == "rfid+sim":
        from drivers.rfid.scenarios import make_field
        from drivers.rfid.sim import SimReader

        device.check_options(("scenario",))
        name = device.option("scenario", "single_book")
        try:
            return SimReader(make_field(name), name)
        except ValueError as exc:
            raise DeviceConfigurationError(f"{url}: {exc}") from None
    if device.scheme == "rfid+pcsc":
        from drivers.rfid.pcsc import PcscReader

        device.check_options(("block_in",))
        return PcscReader(device.target, device.option_choice("block_in", ("p1", "p2"), "p1"))
    from drivers.rfid.transport import SerialTransport

    timeout = device.option_float("timeout", 1.0, minimum=0.01)
    retries = device.option_int("retries", 2, minimum=0)
    if device.scheme == "rfid+3m":
        from drivers.rfid.m3 import M3Reader

        device.check_options(("baud", "timeout", "retries"))
        baud = device.option_int("baud", 19200, 50)
        return M3Reader(SerialTransport(_port(device), baud, "N", timeout), retries)
    from drivers.rfid.feig import FeigReader

    serial_only = ("baud", "parity") if device.scheme == "rfid+feig" else ()
    allowed = ("timeout", "retries", "addr", "frame", *serial_only)
    device.check_options(allowed)
    addr = device.option_int("addr", 255, minimum=0)
    if addr > 255:
        raise DeviceConfigurationError(f"{url}: addr must be 0-255")
    parity = device.option_choice("parity", ("e", "n", "o"), "e").upper()
    advanced = device.option_choice("frame", ("standard", "advanced"), "standard") == "advanced"
    transport = SerialTransport(_port(device), device.option_int("baud", 38400, 50), parity, timeout)
    return FeigReader(transport, addr, retries, advanced)
