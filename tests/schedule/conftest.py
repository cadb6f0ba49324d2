"""The Bibliotheek Wierden example schedule, read from docs/unstaffed.md so the docs cannot go stale."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.service_hours import ServiceHours, parse_service_hours

ROOT = Path(__file__).resolve().parents[2]
AMS = ZoneInfo("Europe/Amsterdam")


def docs_example() -> dict[str, Any]:
    text = (ROOT / "docs" / "unstaffed.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/unstaffed.md lost its example"
    return tomllib.loads(block.group(1))


def local(*args: int) -> datetime:
    """A moment in Wierden's wall time (unambiguous dates only)."""
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


@pytest.fixture
def wierden() -> ServiceHours:
    return parse_service_hours(docs_example(), source="docs/unstaffed.md")
