"""The one wait helper (:mod:`tests.foundation.waiting`): what it returns, when it pumps, how it fails.

No test here measures time: a timeout of 0 means "one look, then fail", whatever the machine's load.
"""

from __future__ import annotations

from typing import Any

import pytest

from .waiting import WAIT_LIMIT, wait_for, wait_until


def answers(*values: object) -> Any:
    """A predicate giving ``values`` one per look (the last one forever), and the count of looks."""
    looks: list[object] = []

    def predicate() -> object:
        value = values[min(len(looks), len(values) - 1)]
        looks.append(value)
        return value

    predicate.looks = looks  # type: ignore[attr-defined]
    return predicate


def test_returns_the_predicates_first_truthy_value() -> None:
    predicate = answers(None, [], "", ["De avonden"], ["Max Havelaar"])
    assert wait_until(predicate, what="a loan", interval=0) == ["De avonden"]
    assert predicate.looks == [None, [], "", ["De avonden"]]  # stops at the first truthy value


def test_a_condition_already_true_is_looked_at_once_and_never_pumped() -> None:
    pumps: list[int] = []
    assert wait_until(lambda: 3, what="three items", pump=lambda: pumps.append(1)) == 3
    assert pumps == []


def test_the_pump_runs_between_looks() -> None:
    """The pump is what makes the condition come true (a frame, a settled runtime, a handled event)."""
    events: list[str] = []

    def pump() -> None:
        events.append("pump")

    def three_pumps() -> bool:
        events.append("look")
        return events.count("pump") == 3

    assert wait_until(three_pumps, what="three pumps", interval=0, pump=pump) is True
    assert events == ["look", "pump", "look", "pump", "look", "pump", "look"]


def test_times_out_with_what_and_the_last_value() -> None:
    predicate = answers(None, [])
    with pytest.raises(AssertionError) as failure:
        wait_until(predicate, what="the receipt printed", timeout=0)
    assert "the receipt printed" in str(failure.value)
    assert "last value: None" in str(failure.value)
    assert predicate.looks == [None]  # the look comes before the clock: even a held-up test looks once


def test_a_described_failure_is_described_only_when_it_fails() -> None:
    asked: list[int] = []

    def describe() -> str:
        asked.append(1)
        return "the screen still shows IDLE"

    assert wait_until(lambda: "menu", what=describe) == "menu"
    assert asked == []
    with pytest.raises(AssertionError, match=r"the screen still shows IDLE \(last value: False\)"):
        wait_until(lambda: False, what=describe, timeout=0)
    assert asked == [1]


def test_the_default_bound_is_generous() -> None:
    """A hang guard for a loaded CI machine, never a speed goal."""
    assert WAIT_LIMIT >= 30


class _Runtime:
    def __init__(self) -> None:
        self.settled = 0
        self.view = "view(screen=IDLE)"

    def settle(self, timeout: float, quiet: object) -> None:
        assert timeout == WAIT_LIMIT and callable(quiet)
        self.settled += 1


class _Kiosk:
    """Just what :func:`wait_for` uses of an assembled kiosk: its runtime and ``idle``."""

    def __init__(self) -> None:
        self.runtime = _Runtime()

    def idle(self) -> bool:
        return True


def test_the_kiosk_wait_settles_before_every_look() -> None:
    kiosk = _Kiosk()
    wait_for(kiosk, lambda: kiosk.runtime.settled == 3, "three settles")
    assert kiosk.runtime.settled == 3


def test_the_kiosk_wait_fails_with_what_and_the_view() -> None:
    kiosk = _Kiosk()
    with pytest.raises(AssertionError, match=r"kiosk reaching the menu; view=view\(screen=IDLE\)"):
        wait_for(kiosk, lambda: False, "the menu", limit=0)
    assert kiosk.runtime.settled == 1  # settled before the one look
