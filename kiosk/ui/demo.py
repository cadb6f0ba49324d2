"""Demo data for screenshots: one view per screen and situation, as the core would produce them.

Plain data (no Kivy): a :class:`Scene` is a name, a :class:`SessionView` and how the UI is set up
around it (maintenance, theme). Titles are Dutch books from the ILS simulator's demo
library; the patron is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from kiosk.core.service import Availability, ServiceMode
from kiosk.core.view import (
    AccountView,
    FeeLine,
    HoldLine,
    ItemLine,
    LineKind,
    LineStatus,
    LoanLine,
    Message,
    PatronView,
    Screen,
    SessionView,
)
from kiosk.maintenance.backend import ActionResult
from kiosk.monitoring.health import DeviceHealth, HealthSnapshot

TODAY = date(2026, 3, 2)


def _due(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


PATRON = PatronView(display_name="Anna")
ACCOUNT = AccountView(
    loans=(
        LoanLine("30301000500057", "Tonio", _due(12)),
        LoanLine("30301000500065", "Dit zijn de namen", _due(-3), overdue=True),
        LoanLine("30301000500073", "Het gouden ei", _due(20)),
    ),
    holds=(HoldLine("Het Bureau", available=True), HoldLine("Max Havelaar", available=False)),
    fees=(
        FeeLine("F1001", Decimal("1.50"), "Te laat: Dit zijn de namen"),
        FeeLine("F1002", Decimal("1.00"), "Huur DVD"),
    ),
)
LOANS = (
    ItemLine(LineKind.LOAN, "30301000500016", LineStatus.DONE, "Het diner", _due(21)),
    ItemLine(
        LineKind.LOAN,
        "30301000500024",
        LineStatus.DONE,
        "De avond is ongemak",
        _due(21),
        notes=(Message("item.magnetic_media"),),
    ),
    ItemLine(
        LineKind.LOAN, "30301000500040", LineStatus.REFUSED, "De aanslag", message=Message("item.on_hold")
    ),
    ItemLine(LineKind.LOAN, "30301000500032", LineStatus.PENDING),
)
RETURNS = (
    ItemLine(LineKind.RETURN, "30301000500057", LineStatus.DONE, "Tonio"),
    ItemLine(
        LineKind.RETURN,
        "30301000500073",
        LineStatus.DONE,
        "Het gouden ei",
        notes=(Message("return.hold_shelf", params=(("sort_bin", "3"),)),),
    ),
    ItemLine(LineKind.RETURN, "39999000000017", LineStatus.REFUSED, message=Message("item.not_found")),
)
RENEWALS = (
    ItemLine(LineKind.RENEWAL, "30301000500057", LineStatus.DONE, "Tonio", _due(33)),
    ItemLine(
        LineKind.RENEWAL,
        "30301000500065",
        LineStatus.REFUSED,
        "Dit zijn de namen",
        message=Message("item.not_renewable"),
    ),
)


BLOCKED = Message("error.blocked", "Openstaande kosten: EUR 12,50")


@dataclass(frozen=True)
class Scene:
    """One screenshot: the view, and the UI state around it."""

    name: str
    view: SessionView
    maintenance: str | None = None  # "maint_pin" | "maintenance"
    large_text: bool = False
    high_contrast: bool = False
    terminal_prompt: str | None = None  # the payment terminal's latest instruction (a catalog key)


def scenes(language: str) -> list[Scene]:
    """Every screen and overlay, in ``language``."""
    v = SessionView(screen=Screen.ATTRACT, language=language)
    s = SessionView(screen=Screen.MENU, language=language, patron=PATRON)
    return [
        Scene("01-attract", v),
        Scene("02-attract-large-text", v, large_text=True),
        Scene("03-attract-high-contrast", v, high_contrast=True),
        Scene("04-pin", replace(v, screen=Screen.PIN, pin_tries_left=3)),
        Scene(
            "05-pin-wrong",
            replace(v, screen=Screen.PIN, pin_tries_left=2, message=Message("error.pin_wrong")),
        ),
        Scene("06-identifying", replace(v, screen=Screen.IDENTIFYING, busy=True)),
        Scene("07-notice-card-lost", replace(v, screen=Screen.NOTICE, message=Message("error.card_lost"))),
        Scene("08-menu", s),
        Scene("09-menu-blocked", replace(s, message=BLOCKED)),
        Scene("10-borrow", replace(s, screen=Screen.BORROW, items=LOANS, busy=True)),
        Scene(
            "11-borrow-offline",
            replace(
                s,
                screen=Screen.BORROW,
                ils_online=False,
                items=(replace(LOANS[0], offline=True, notes=(Message("offline.queued"),)),),
            ),
        ),
        Scene("12-return", replace(v, screen=Screen.RETURN, items=RETURNS)),
        Scene("13-renew", replace(s, screen=Screen.RENEW, account=ACCOUNT, items=RENEWALS)),
        Scene("14-account", replace(s, screen=Screen.ACCOUNT, account=ACCOUNT)),
        Scene("15-pay", replace(s, screen=Screen.PAY, account=ACCOUNT)),
        Scene(
            "16-pay-terminal",
            replace(s, screen=Screen.PAY, account=ACCOUNT, busy=True),
            terminal_prompt="terminal.insert_card",
        ),
        Scene(
            "17-pay-done",
            replace(
                s,
                screen=Screen.PAY,
                account=replace(ACCOUNT, fees=()),
                payments=((("F1001", "F1002"), Decimal("2.50")),),
                message=Message("payment.done"),
            ),
        ),
        Scene(
            "18-pay-declined",
            replace(s, screen=Screen.PAY, account=ACCOUNT, message=Message("payment.declined")),
        ),
        Scene("19-receipt", replace(s, screen=Screen.RECEIPT, items=LOANS[:2])),
        Scene("20-goodbye", replace(v, screen=Screen.GOODBYE)),
        Scene(
            "21-idle-warning",
            replace(s, screen=Screen.BORROW, items=LOANS[:2], idle_warning=True, seconds_left=12.0),
        ),
        Scene("22-another-pass", replace(s, confirm_switch=True, message=Message("session.switch_pass"))),
        Scene("23-out-of-order", replace(v, service=ServiceMode(Availability.OUT_OF_ORDER))),
        Scene("24-maintenance-pin", v, maintenance="maint_pin"),
        Scene("25-maintenance", v, maintenance="maintenance"),
    ]


class DemoMaintenanceBackend:
    """Canned answers for the maintenance screenshot (no devices are touched)."""

    def health(self) -> HealthSnapshot:
        """A plausible kiosk in good health with one device problem."""
        return HealthSnapshot(
            ils_online=True,
            ils_latency_s=0.042,
            queue_depth=2,
            queue_failed=1,
            printer_paper="low",
            payment_enabled=True,
            devices=(
                DeviceHealth("pass_reader_0", "ok", "pcsc"),
                DeviceHealth("barcode_scanner", "ok", "hid"),
                DeviceHealth("printer", "ok", "escpos"),
                DeviceHealth("terminal", "error", "DeviceTimeoutError"),
            ),
        )

    def _done(self) -> ActionResult:
        return ActionResult(True, "maint.result.ok")

    def test_read_card(self, timeout: float) -> ActionResult:
        """Pretend a pass was read."""
        return ActionResult(True, "maint.result.card_read", (("digits", "14"),))

    print_test_receipt = _done
    terminal_status = _done
    terminal_end_of_day = _done
    replay_queue = _done
    purge_failed = _done
    pad_status = _done
    pad_tag_test = _done

    def failed_rows(self) -> list[dict[str, object]]:
        """One failed return, as ``kiosk queue list`` shows it."""
        return [
            {
                "txn_id": "t1",
                "kind": "checkin",
                "item_id": "30301000500070",
                "pass_hash": None,
                "created_at": "2026-12-06T10:02:11",
                "state": "failed",
                "attempts": 3,
                "result_code": "checkin:refused",
                "updated_at": "2026-12-06T10:05:40",
            }
        ]

    def set_out_of_order(self, on: bool) -> None:
        """Nothing to switch in a screenshot."""

    def restart(self) -> None:
        """Not in a screenshot."""

    def exit(self) -> None:
        """Not in a screenshot."""
