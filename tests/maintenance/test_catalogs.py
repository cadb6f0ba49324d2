"""Every text the maintenance panel can show is in every catalog (the try-out saw the raw key
``maint.dev.service_mode`` on the panel)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.core.schedule import Staffing
from kiosk.i18n import Translator
from kiosk.monitoring.health import DEVICE_STATES, PAPER_STATES
from kiosk.ui.screens.maintenance import DEVICE_KEYS

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nl", "en", "de", "tr")
KEY = re.compile(r"""["'](maint\.[a-z_]+(?:\.[a-z_]+)*)["']""")


def maintenance_keys() -> set[str]:
    """Keys written out in the code (screen, backend results, pad checks) and the ones it builds."""
    keys: set[str] = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        keys.update(KEY.findall(path.read_text(encoding="utf-8")))
    keys.update(f"maint.dev.{name}" for name in DEVICE_KEYS)
    states = {*DEVICE_STATES, *PAPER_STATES, *(mode.value for mode in Staffing)}
    keys.update(f"maint.state.{state}" for state in states)
    keys.update(f"maint.kind.{kind}" for kind in ("checkout", "checkin"))
    return keys


def test_the_code_is_searched_for_keys() -> None:
    keys = maintenance_keys()
    assert {"maint.title", "maint.result.printed", "maint.dev.service_mode", "maint.until"} <= keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_maintenance_text_is_in_the_catalog(language: str) -> None:
    t = Translator(language)
    missing = sorted(key for key in maintenance_keys() if not t.has(key))
    assert missing == []
