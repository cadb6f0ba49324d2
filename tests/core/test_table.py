"""Every row of the transition table, reached through the normal path, leaves a consistent state;
events without a row change nothing."""

from __future__ import annotations

import pytest

from kiosk.core import events as ev
from kiosk.core.machine import ANY, TABLE
from kiosk.core.view import Screen
from tests.core.helpers import SETTINGS, reach, sample_event

EVENT_TYPES = sorted({etype for _, etype in TABLE}, key=lambda t: t.__name__)


def _rows() -> list[tuple[Screen, type[ev.Event]]]:
    rows = []
    for screen in Screen:
        for etype in EVENT_TYPES:
            if (screen, etype) in TABLE or (ANY, etype) in TABLE:
                rows.append((screen, etype))
    return rows


def _missing() -> list[tuple[Screen, type[ev.Event]]]:
    return [(s, e) for s in Screen for e in EVENT_TYPES if (s, e) not in TABLE and (ANY, e) not in TABLE]


@pytest.mark.parametrize(("screen", "etype"), _rows(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_table_row_keeps_the_state_consistent(screen: Screen, etype: type[ev.Event]) -> None:
    session = reach(screen)
    event = sample_event(etype, session.state)
    session.handle(event)
    assert session.state.problems(SETTINGS) == []


@pytest.mark.parametrize(("screen", "etype"), _missing(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_events_without_a_row_are_ignored(screen: Screen, etype: type[ev.Event]) -> None:
    session = reach(screen)
    before = session.state
    effects = session.handle(sample_event(etype, before))
    assert effects == []
    assert session.state == before


def test_table_rows_name_real_screens_and_events() -> None:
    for screen, etype in TABLE:
        assert screen is None or isinstance(screen, Screen)
        assert issubclass(etype, ev.Event)
    # Every user-facing screen reacts to at least one user event, so a patron can never be stuck.
    for screen in Screen:
        if screen is Screen.ATTRACT:
            continue
        assert any(s is screen and issubclass(e, ev.UserEvent) for s, e in TABLE), screen
