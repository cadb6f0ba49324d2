"""Headset jack detection (EN 301 549 §5.2: plugging in a headset starts speech mode).

Where the platform reports it, Linux puts the jack state on an input device ("HDA Intel PCH Headphone",
under ``/dev/input/by-path/...`` or ``/dev/input/eventN``) as switch events: ``EV_SW`` with
``SW_HEADPHONE_INSERT`` (linux/input-event-codes.h). :class:`JackDecoder` reads those ``struct
input_event`` records from bytes (sans-IO); :class:`EvdevJack` watches a device in a thread and calls
``on_change(plugged)``; :class:`FakeJack` is set by hand. By URL:

* ``evdev:///dev/input/by-path/pci-0000:00:1f.3-platform-skl_hda_dsp_generic-event?switch=headphone``
  (``switch``: ``headphone`` (default), ``lineout``, ``jack`` = SW_JACK_PHYSICAL_INSERT)
* ``fake://`` — tests and kiosks without jack detection (then the speech key starts speech).
"""

from __future__ import annotations

import fcntl
import logging
import os
import selectors
import struct
import threading
from collections.abc import Callable

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.url import parse_device_url

log = logging.getLogger(__name__)

# struct input_event { struct timeval time; __u16 type; __u16 code; __s32 value; } in native layout
# ("The input_event structure", Documentation/input/input.rst): 24 bytes on 64-bit Linux.
EVENT = struct.Struct("@llHHi")
EV_SW = 0x05
SWITCHES = {"headphone": 0x02, "lineout": 0x06, "jack": 0x07}  # SW_HEADPHONE_INSERT, SW_LINEOUT_…, SW_JACK_…
_IOC_READ = 2


def eviocgsw(length: int) -> int:
    """The ``EVIOCGSW(len)`` ioctl number: read the current state of all switches as a bitmap."""
    return (_IOC_READ << 30) | (length << 16) | (ord("E") << 8) | 0x1B


class JackDecoder:
    """Turns bytes read from an input device into jack states (True = plugged), one per change."""

    def __init__(self, code: int = SWITCHES["headphone"], plugged: bool | None = None) -> None:
        self.code = code
        self.plugged = plugged
        self._buffer = b""

    def feed(self, data: bytes) -> list[bool]:
        """Decode whole events in ``data`` (a partial event waits for the rest); return the changes."""
        self._buffer += data
        changes: list[bool] = []
        whole = len(self._buffer) - len(self._buffer) % EVENT.size
        for offset in range(0, whole, EVENT.size):
            _, _, kind, code, value = EVENT.unpack_from(self._buffer, offset)
            if kind == EV_SW and code == self.code:
                state = value != 0
                if state != self.plugged:
                    self.plugged = state
                    changes.append(state)
        self._buffer = self._buffer[whole:]
        return changes


def encode_switch(code: int, plugged: bool, seconds: int = 0) -> bytes:
    """One ``EV_SW`` event followed by ``SYN_REPORT``, as the kernel writes them (for simulators/tests)."""
    return EVENT.pack(seconds, 0, EV_SW, code, int(plugged)) + EVENT.pack(seconds, 0, 0, 0, 0)


class FakeJack:
    """A jack set by hand with :meth:`set_plugged`."""

    def __init__(self, on_change: Callable[[bool], None]) -> None:
        self.on_change = on_change
        self.plugged: bool | None = None

    def set_plugged(self, plugged: bool) -> None:
        """Plug in or pull out the headset."""
        if plugged != self.plugged:
            self.plugged = plugged
            self.on_change(plugged)

    def close(self) -> None:
        """Nothing to release."""


class EvdevJack:
    """Watches an input device for the jack switch in a thread; ``on_change`` runs on that thread."""

    def __init__(
        self, path: str, on_change: Callable[[bool], None], code: int = SWITCHES["headphone"]
    ) -> None:
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise DeviceConnectionError(f"cannot open jack device {path}: {exc.strerror}") from exc
        self.path, self.on_change = path, on_change
        self.decoder = JackDecoder(code, self._initial_state(code))
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._watch, name="headset-jack", daemon=True)
        self._thread.start()

    @property
    def plugged(self) -> bool | None:
        """The last known state (None until the device has told us)."""
        return self.decoder.plugged

    def _initial_state(self, code: int) -> bool | None:
        bitmap = bytearray(8)
        try:
            fcntl.ioctl(self._fd, eviocgsw(len(bitmap)), bitmap)
        except OSError:
            return None  # not an evdev device (or no switches): wait for the first event
        return bool(bitmap[code // 8] >> (code % 8) & 1)

    def _watch(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fd for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                try:
                    data = os.read(self._fd, EVENT.size * 64)
                except BlockingIOError:
                    continue
                except OSError as exc:  # ENODEV: the sound card went away
                    log.warning("jack device %s failed: %s", self.path, exc.strerror)
                    return
                if not data:
                    log.warning("jack device %s closed", self.path)
                    return
                for state in self.decoder.feed(data):
                    try:
                        self.on_change(state)
                    except Exception:
                        log.exception("headset jack handler failed")

    def close(self) -> None:
        """Stop watching and release the device."""
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=10)
            for fd in (self._fd, self._wake_r, self._wake_w):
                os.close(fd)
            self._wake_w = -1


def open_jack(url: str, on_change: Callable[[bool], None]) -> EvdevJack | FakeJack:
    """Open the headset jack named by ``url`` (``evdev:///dev/input/...`` or ``fake://``)."""
    parsed = parse_device_url(url, ("evdev", "fake"))
    if parsed.scheme == "fake":
        parsed.check_options(())
        return FakeJack(on_change)
    parsed.check_options(("switch",))
    if not parsed.path:
        raise DeviceConfigurationError(f"{url}: expected a device path, e.g. evdev:///dev/input/event5")
    switch = parsed.option_choice("switch", tuple(SWITCHES), "headphone")
    return EvdevJack(parsed.path, on_change, SWITCHES[switch])
