"""Barcode scanner openers, registered in :mod:`drivers.registry` under kind ``scanner``.

Each is called as ``opener(device, on_scan=, validation=, legacy_lengths=)`` with a parsed URL.
pyserial is imported only when a ``serial://`` scanner is opened.
"""

from __future__ import annotations

from collections.abc import Iterable

from drivers.errors import DeviceConfigurationError
from drivers.scanner import FakeScanner, HidWedgeScanner, ScanCallback, Scanner, _Classifier
from drivers.scanner.burst import BurstDetector
from drivers.url import DeviceURL


def _classifier(
    source: str, on_scan: ScanCallback, validation: str, legacy_lengths: Iterable[int]
) -> _Classifier:
    try:
        return _Classifier(source, on_scan, validation, tuple(legacy_lengths))
    except ValueError as exc:
        raise DeviceConfigurationError(str(exc)) from None


def open_fake(
    device: DeviceURL, on_scan: ScanCallback, validation: str = "dutch14", legacy_lengths: Iterable[int] = ()
) -> Scanner:
    """``fake://``: :meth:`FakeScanner.scan` delivers a barcode from a background thread."""
    classify = _classifier(device.scheme, on_scan, validation, legacy_lengths)
    device.check_options(())
    return FakeScanner(classify)


def open_hid(
    device: DeviceURL, on_scan: ScanCallback, validation: str = "dutch14", legacy_lengths: Iterable[int] = ()
) -> Scanner:
    """``hid://?gap=0.05&min_length=4&terminator=yes``: a keyboard wedge fed by the UI."""
    classify = _classifier(device.scheme, on_scan, validation, legacy_lengths)
    device.check_options(("gap", "min_length", "terminator"))
    detector = BurstDetector(
        max_gap=device.option_float("gap", 0.05, minimum=0.001),
        min_length=device.option_int("min_length", 4, minimum=1),
        require_terminator=device.option_bool("terminator", True),
    )
    return HidWedgeScanner(classify, detector)


def open_serial(
    device: DeviceURL, on_scan: ScanCallback, validation: str = "dutch14", legacy_lengths: Iterable[int] = ()
) -> Scanner:
    """``serial://PORT?baud=9600&suffix=cr&gap=0.1``; PORT may be a pyserial URL (``loop://``, ``spy://…``)."""
    classify = _classifier(device.path, on_scan, validation, legacy_lengths)
    device.check_options(("baud", "suffix", "gap"))
    port = device.serial_port("serial:///dev/ttyACM0")
    from drivers.scanner.serial_scanner import SUFFIXES, SerialScanner

    return SerialScanner(
        port,
        classify,
        baud=device.option_int("baud", 9600, minimum=50),
        suffix=device.option_choice("suffix", tuple(SUFFIXES), "cr"),
        gap=device.option_float("gap", 0.1, minimum=0.01),
    )
