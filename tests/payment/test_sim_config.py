"""Issue 12 item 4: the simulated terminal honours the ECR's registration config byte (over a pty): no
Intermediate Status, Print Lines or End-of-Day lines the kiosk did not ask for."""

from __future__ import annotations

from drivers.payment import StatusEvent
from drivers.payment.sim_books import COMMITTED
from tests.payment.conftest import make_rig


def test_no_intermediate_status_or_print_lines_unless_asked() -> None:
    rig = make_rig("pty")
    try:
        rig.term.config_byte = 0x02 | 0x04  # the ECR prints receipts, from the 04 0F: no 04 FF, no 06 D1
        rig.term.register()
        rig.sim.push("receipt")
        result = rig.term.authorize(1250, vending=False)
        assert result.paid and result.receipt_lines == ()
        assert not [e for e in rig.events if isinstance(e, StatusEvent)]
        assert [p.state for p in rig.sim.books.payments()] == [COMMITTED]
        rig.term.config_byte = 0x02 | 0x08 | 0x80  # now it asks for both
        rig.term.register()
        rig.sim.push("receipt")
        result = rig.term.authorize(1250, vending=False)
        assert result.paid and result.receipt_lines == rig.sim.settings.receipt_lines
        assert [e.key for e in rig.events if isinstance(e, StatusEvent)][:1] == ["insert_card"]
    finally:
        rig.term.close()


def test_no_end_of_day_print_lines_when_the_ecr_prints_admin_receipts_itself() -> None:
    rig = make_rig("pty")
    try:
        rig.term.config_byte = 0x02 | 0x04 | 0x08 | 0x80
        rig.term.register()
        assert rig.term.authorize(250).paid
        day = rig.term.end_of_day()
        assert day.ok and day.total == 250 and day.receipt_lines == ()
        rig.term.config_byte = 0x02 | 0x08 | 0x80  # the terminal's admin receipt, as Print Lines
        rig.term.register()
        day = rig.term.end_of_day()
        assert day.ok and len(day.receipt_lines) == 3
    finally:
        rig.term.close()
