"""Item 11: a returned hold gets the site's one clear instruction, never the ILS's bin code."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineKind
from sip2.simulator import demo
from tests.member.conftest import SETTINGS
from tests.ui.sim_runtime import SimRuntime


@pytest.mark.parametrize("where", ["bin", "trolley", "shelf"])
def test_returned_hold_says_where_the_site_wants_it(where: str) -> None:
    rt = SimRuntime(replace(SETTINGS, hold_returns=where))
    try:
        rt.send(ev.ItemPresented(demo.ON_HOLD_OTHER))
        rt.settle()
        (line,) = rt.view.lines(LineKind.RETURN)
        (note,) = [n for n in line.notes if n.key == "return.hold_shelf"]
        assert note.param("where") == where
    finally:
        rt.close()
