"""The state diagram is generated from the table and current; ignored events are listed; an unexpected
(screen, event) pair is logged once."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core import events as ev
from kiosk.core import machine
from kiosk.core.diagram import COMMAND, DOC, document, leads_to, main
from kiosk.core.machine import ANY, IGNORED, TABLE
from kiosk.core.view import Screen
from tests.core.helpers import reach, sample_event

ROWS = sorted(
    {(s, e) for s in Screen for e in {e for _, e in TABLE} if (s, e) in TABLE or (ANY, e) in TABLE},
    key=lambda r: (r[0].name, r[1].__name__),
)


def test_the_diagram_in_docs_is_current() -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == document(), f"{DOC.name} is not current with kiosk/core/machine.py: run `{COMMAND}`"


def test_the_module_writes_and_checks_the_file(tmp_path: Path) -> None:
    out = tmp_path / "diagram.md"
    assert main(["--check", "--output", str(out)]) == 1  # missing: not current
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.core.diagram", "--output", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "```mermaid\nstateDiagram-v2\n" in text and "ATTRACT --> IDENTIFYING: PassPresented" in text
    assert main(["--check", "--output", str(out)]) == 0


@pytest.mark.parametrize(("screen", "etype"), ROWS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_row_leads_where_the_diagram_says(screen: Screen, etype: type[ev.Event]) -> None:
    handler = TABLE.get((screen, etype)) or TABLE[(ANY, etype)]
    targets = leads_to(handler, screen)
    if targets is None:
        pytest.skip(f"{handler.__name__} is not in kiosk.core.diagram.LEADS_TO yet")
    session = reach(screen)
    session.handle(sample_event(etype, session.state))
    assert session.state.screen in (screen, *targets)


def test_every_pair_without_a_row_is_listed_as_ignored() -> None:
    events = {e for _, e in TABLE}
    unlisted = sorted(
        f"({s.name}, {e.__name__})"
        for s in Screen
        for e in events
        if (s, e) not in TABLE and (ANY, e) not in TABLE and (s, e) not in IGNORED
    )
    assert not unlisted, f"give these a row or list them in IGNORED (kiosk/core/machine.py): {unlisted}"
    assert not {(s, e) for s, e in IGNORED if (s, e) in TABLE or (ANY, e) in TABLE}  # never both


def test_an_unexpected_pair_is_logged_once_and_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pair = (Screen.MENU, ev.PinEntered)
    monkeypatch.setattr(machine, "IGNORED", IGNORED - {pair})
    monkeypatch.setattr(machine, "_logged_unexpected", set())
    session = reach(Screen.MENU)
    before = session.state
    with caplog.at_level(logging.WARNING, logger="kiosk.core.machine"):
        assert session.handle(ev.PinEntered("1234")) == []
        assert session.handle(ev.PinEntered("1234")) == []
        session.handle(ev.StartBorrow())  # a pair with a row: not unexpected
        session.handle(ev.CardNotAPass())  # a pair listed as ignored: not unexpected
    assert session.state.screen is Screen.BORROW and before.screen is Screen.MENU
    unexpected = [r.getMessage() for r in caplog.records if "unexpected" in r.getMessage()]
    assert unexpected == ["unexpected PinEntered on the menu screen: no row in the table, ignored"]
    assert "1234" not in caplog.text  # the event's data is never logged
