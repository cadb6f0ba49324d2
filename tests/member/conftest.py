"""Member-experience tests (issue 13): the real runtime on the simulated library, no Kivy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.core import SessionSettings
from tests.ui.sim_runtime import SimRuntime

SETTINGS = SessionSettings(
    pin="patron",
    pin_tries=3,
    idle_timeout=60.0,
    idle_warning=15.0,
    receipt="ask",
    languages=("nl", "en", "de", "tr"),
    default_language="nl",
)


@pytest.fixture
def runtime() -> Iterator[SimRuntime]:
    """A started runtime on the demo library; stopped after the test."""
    rt = SimRuntime(SETTINGS)
    try:
        yield rt
    finally:
        rt.close()


from tests.core.conftest import kiosk, sim  # noqa: E402,F401  (the real SIP2 flow over TCP)
