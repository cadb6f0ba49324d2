"""Root test configuration.

Kivy reads its environment on first import, so the headless settings are made here, before any test
module can import kivy (see notes/test-infra.md): offscreen SDL, no argument parsing, no file log,
Python logging mode (so tracebacks are not swallowed), a throwaway KIVY_HOME.
"""

from __future__ import annotations

import os
import socket
import tempfile

_KIVY_HOME = tempfile.mkdtemp(prefix="kiosk-kivy-home-")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_HOME", _KIVY_HOME)
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_WINDOW", "sdl2")
os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# A loaded 2-core CI machine must not turn property tests into failures: no per-example deadline and
# no "too slow" health check (the properties themselves are unchanged).
settings.register_profile("kiosk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kiosk")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    return _free_port()
