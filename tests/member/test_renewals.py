"""Item 5: renewal results stay in view with titles; refusals say why (renewal limit, someone's hold)."""

from __future__ import annotations

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus
from sip2.simulator import demo
from tests.core.harness import Kiosk


def test_renewing_three_loans_names_each_and_says_why_two_were_refused(kiosk: Kiosk) -> None:
    kiosk.sign_in(demo.NORMAL, demo.NORMAL_PIN)
    kiosk.do(ev.StartRenew())
    kiosk.do(ev.RenewItems((demo.ON_LOAN, demo.RENEWAL_LIMIT, demo.ON_HOLD_OTHER)))
    lines = {line.item_id: line for line in kiosk.session.view.lines(LineKind.RENEWAL)}
    assert all(line.title and not line.title.isdigit() for line in lines.values())  # titles, not barcodes
    assert lines[demo.ON_LOAN].status is LineStatus.DONE and lines[demo.ON_LOAN].due
    limit, held = lines[demo.RENEWAL_LIMIT], lines[demo.ON_HOLD_OTHER]
    assert limit.status is LineStatus.REFUSED and held.status is LineStatus.REFUSED
    assert limit.message is not None and "verlengd" in limit.message.ils_text  # the ILS's reason, verbatim
    assert held.message is not None and "gereserveerd" in held.message.ils_text.lower()
