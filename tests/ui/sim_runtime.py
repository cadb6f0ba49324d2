"""The runtime for most UI tests: the real :class:`kiosk.runtime.KioskRuntime` (core session on its own
thread, subscribers, ``settle()``) with effects carried out against the simulated ILS model
(:class:`sip2.simulator.library.Library`) in process, without TCP, so UI tests stay fast. The assembled
kiosk with SIP2 over TCP is tested in ``test_assembled.py`` and ``tests/foundation``.
Tests wait on conditions (``settle()``), never on time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from kiosk.core import Session, SessionSettings
from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.rental import rental_item
from kiosk.core.view import AccountView, FeeLine, HoldLine, LoanLine
from kiosk.runtime import KioskRuntime
from sip2.simulator.library import Library

FLAG_NAMES = (
    "charge_privileges_denied",
    "renewal_privileges_denied",
    "recall_privileges_denied",
    "hold_privileges_denied",
    "card_reported_lost",
    "too_many_items_charged",
    "too_many_items_overdue",
    "too_many_renewals",
    "too_many_claims_of_items_returned",
    "too_many_items_lost",
    "excessive_outstanding_fines",
    "excessive_outstanding_fees",
    "recall_overdue",
    "too_many_items_billed",
)


class LibraryDesk:
    """Carries out the core's effects against the simulated library in process (no TCP), answering with
    the same result events the real circulation and payment services post. Screens, sounds and the
    language are not its business: ``submit`` declines them so the runtime hands them to the UI."""

    def __init__(
        self, library: Library, latency: float = 0.0, pay: Callable[[Decimal], bool] | None = None
    ) -> None:
        self.library = library
        self.latency = latency
        self.pay = pay
        self.printed: list[fx.PrintReceipt] = []
        self.send: Callable[[ev.Event], None] = lambda event: None

    def submit(self, effect: fx.Effect) -> bool:
        """Carry out a circulation, payment or receipt effect; decline the UI's own."""
        if isinstance(effect, fx.PlaySound):
            return False
        result = self._carry_out(effect)
        if result is not None:
            self.send(result)
        return True

    def _ils(self) -> None:
        if self.latency:
            time.sleep(self.latency)

    def _carry_out(self, effect: fx.Effect) -> ev.Event | None:
        lib = self.library
        if isinstance(effect, fx.LookUpPatron):
            self._ils()
            view = lib.patron_view(effect.pass_number)
            if view is None:
                return ev.PatronUnknown(effect.session_id)
            patron = view.patron
            flags = {name for name, f in zip(FLAG_NAMES, view.status, strict=True) if f == "Y"}
            if patron.is_expired(lib.now().date()):
                flags.add("expired")
            has_pin = bool(patron.pin)
            pin_valid = None if effect.pin is None else lib.check_pin(patron.patron_id, effect.pin)
            return ev.PatronFound(
                effect.session_id,
                display_name=patron.name.split()[0],
                pin_valid=pin_valid,
                pin_required=has_pin and effect.pin is None,
                flags=frozenset(flags),
                language=patron.language,
                holds_ready=len(view.hold_items),
            )
        if isinstance(effect, fx.CheckOut):
            self._ils()
            r = lib.checkout(effect.pass_number, effect.item_id, pin=effect.pin)
            if r.ok and r.loan is not None:
                return ev.ItemCheckedOut(
                    effect.session_id,
                    effect.item_id,
                    title=r.title,
                    due=r.loan.due.date().isoformat(),
                    magnetic_media=r.magnetic,
                    renewed=r.renewal,
                )
            return ev.ItemRefused(
                effect.session_id,
                effect.item_id,
                "loan",
                "item.refused",
                r.screen_message,
                fee_amount=r.fee_required,
            )
        if isinstance(effect, fx.CheckIn):
            self._ils()
            c = lib.checkin(effect.item_id)
            if c.ok:
                return ev.ItemCheckedIn(
                    effect.session_id,
                    effect.item_id,
                    title=c.title,
                    sort_bin=c.sort_bin,
                    hold_for_other=c.alert and c.alert_type in ("01", "02"),
                    magnetic_media=c.magnetic,
                )
            return ev.ItemRefused(
                effect.session_id, effect.item_id, "return", "return.refused", c.screen_message
            )
        if isinstance(effect, fx.Renew):
            for item_id in effect.item_ids:
                self._ils()
                r = lib.renew(effect.pass_number, item_id, pin=effect.pin)
                if r.ok and r.loan is not None:
                    due = r.loan.due.date().isoformat()
                    self.send(ev.ItemRenewed(effect.session_id, item_id, r.title, due))
                else:
                    self.send(
                        ev.ItemRefused(
                            effect.session_id, item_id, "renewal", "item.not_renewable", r.screen_message
                        )
                    )
            return None
        if isinstance(effect, fx.LoadAccount):
            self._ils()
            return ev.AccountLoaded(effect.session_id, self._account(effect.pass_number))
        if isinstance(effect, fx.StartPayment):
            approved = self.pay(effect.amount) if self.pay is not None else True
            if not approved:
                return ev.PaymentFailed(effect.session_id, "payment.declined")
            if (item_id := rental_item(effect.fee_ids[0])) is not None:  # lent with BO=Y, the fee paid
                before = set(lib.fees)
                result = lib.checkout(effect.pass_number, item_id, fee_acknowledged=True)
                if not result.ok:
                    return ev.PaymentFailed(effect.session_id, "payment.aborted")
                for fee_id in set(lib.fees) - before:
                    lib.pay_fee(effect.pass_number, lib.fees[fee_id].outstanding, fee_id=fee_id)
                due = result.loan.due.date().isoformat() if result.loan else ""
                return ev.PaymentCompleted(
                    effect.session_id, effect.fee_ids, effect.amount, rented=((item_id, due),)
                )
            for fee_id in effect.fee_ids:
                lib.pay_fee(effect.pass_number, lib.fees[fee_id].outstanding, fee_id=fee_id)
            return ev.PaymentCompleted(effect.session_id, effect.fee_ids, effect.amount)
        if isinstance(effect, fx.PrintReceipt):
            self.printed.append(effect)
        return None

    def _account(self, pass_number: str) -> AccountView:
        lib = self.library
        view = lib.patron_view(pass_number)
        assert view is not None
        now = lib.now()
        loans = tuple(
            LoanLine(ln.item_id, lib.items[ln.item_id].title, ln.due.date().isoformat(), ln.due < now)
            for ln in lib.loans_of(pass_number)
        )
        until = (now + timedelta(days=7)).date().isoformat()
        holds = tuple(
            HoldLine(lib.items[i].title, True, i, lib.items[i].location, until) for i in view.hold_items
        ) + tuple(HoldLine(lib.items[i].title, False, i) for i in view.unavailable_holds)
        fees = tuple(FeeLine(f.fee_id, f.outstanding, f.description or f.fee_type) for f in view.fine_items)
        return AccountView(loans, holds, fees)


class SimRuntime(KioskRuntime):
    """The real runtime (session thread, subscribers, ``settle``) on the in-process :class:`LibraryDesk`."""

    def __init__(
        self,
        settings: SessionSettings,
        library: Library | None = None,
        latency: float = 0.0,
        pay: Callable[[Decimal], bool] | None = None,
    ) -> None:
        self.library = library or Library.demo()
        self.desk = LibraryDesk(self.library, latency, pay)
        super().__init__(Session(settings), [self.desk])
        self.desk.send = self.send
        self.printed = self.desk.printed
        self.start()

    def close(self) -> None:
        """Stop the session thread."""
        self.stop()


class SimTerminal:
    """Pays on the ZVT terminal simulator (``fake://``: the real driver over a socket pair) and passes
    the terminal's status prompts on to ``on_prompt`` (as ``TerminalPrompt`` events to the runtime)."""

    def __init__(self, scenario: str = "approve") -> None:
        from drivers.payment import open_terminal

        self.prompts: list[str] = []
        self.on_prompt: Callable[[str], None] | None = None
        self.terminal = open_terminal(
            f"fake://?scenario={scenario}", password="123456", on_status=self._status
        )
        self.terminal.register()

    def _status(self, event: Any) -> None:
        key = getattr(event, "key", None)
        if key:
            self.prompts.append(key)
            if self.on_prompt is not None:
                self.on_prompt(key)

    def __call__(self, amount: Decimal) -> bool:
        from drivers.payment import Commit, Outcome

        result = self.terminal.authorize(int(amount * 100), decide=lambda _si: Commit())
        return bool(result.outcome is Outcome.APPROVED_COMMITTED)

    def close(self) -> None:
        """Close the terminal (and stop the simulator)."""
        self.terminal.close()
