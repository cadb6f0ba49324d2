"""The shared look survives widgets that die in another thread's garbage collection."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from kivy.weakproxy import WeakProxy

from kiosk.ui.look import look
from kiosk.ui.theme import make_theme

pytestmark = pytest.mark.ui


class Gone:
    """Stands in for a widget: only reachable through the weak proxy a ``.kv`` rule holds."""

    role = "panel"


def test_theme_switch_skips_rules_of_a_widget_that_died_unnoticed(window: Any) -> None:
    """Kivy's rule arguments start with a weak proxy of the widget; when a collection on another thread
    has cleared it but not yet run Kivy's clean-up, calling the rule raises ReferenceError."""
    widget = Gone()
    rule_args = [WeakProxy(widget), "bg_color", "look.colors[self.role + '_bg']"]
    seen: list[str] = []

    def rule(args: list[Any], *_: Any) -> None:
        seen.append(args[0].role)  # what Kivy's call_fn does with ``self`` in a rule

    look.fbind("colors", rule, rule_args)
    before = make_theme()
    try:
        look.apply(make_theme(high_contrast=True))
        assert seen == ["panel"]  # alive: the rule runs
        del widget
        gc.collect()
        with pytest.raises(ReferenceError):
            rule(rule_args)  # what the old apply ran into
        look.apply(before)
        assert seen == ["panel"]
        assert rule not in [obs[0] for obs in look.get_property_observers("colors", args=True)]
    finally:
        look.funbind("colors", rule, rule_args)
        look.apply(before)
    assert gc.isenabled()


def test_theme_switch_skips_a_dead_widget_bound_through_an_intermediate(window: Any) -> None:
    """Rules such as ``look.colors[...]`` on a chain bind with the widget's proxy as first argument."""
    widget = Gone()
    proxy = WeakProxy(widget)
    calls: list[str] = []

    def rule(base: Any, *_: Any) -> None:
        calls.append(base.role)

    look.fbind("sizes", rule, proxy, ["look", "sizes"])
    before = make_theme()
    try:
        del widget
        gc.collect()
        look.apply(make_theme(large_text=True))
        assert calls == []
    finally:
        look.funbind("sizes", rule, proxy, ["look", "sizes"])
        look.apply(before)
