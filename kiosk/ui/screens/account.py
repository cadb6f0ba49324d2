"""Screens about the patron's account: loans/holds/fees, paying fees, and the receipt choice."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kiosk.core import events as ev
from kiosk.core.view import SessionView
from kiosk.ui.fmt import format_amount, format_due
from kiosk.ui.kit import KioskButton, KioskLabel, Row, choice_text
from kiosk.ui.screens.base import KioskScreen

if TYPE_CHECKING:
    from kiosk.ui.root import KioskRoot


class AccountScreen(KioskScreen):
    """Loans with due dates (overdue marked with icon and text), holds ready for pickup, fees."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Three sections and the buttons pay / renew / back / done."""
        ids = self.ids
        t = ui.t
        ids.title.text = t("account.title")
        box = ids.lines
        box.clear_widgets()
        account = view.account
        if account is None:
            box.add_widget(KioskLabel(text=t("account.loading" if view.busy else "account.no_loans")))
        else:
            box.add_widget(KioskLabel(text=t("account.loans", count=len(account.loans)), size_name="title"))
            for loan in account.loans:
                row = Row(role="danger" if loan.overdue else "panel")
                due = t("line.due", due=format_due(loan.due, t.language)) if loan.due else ""
                if loan.overdue:
                    due = f"{t('account.overdue')} · {due}"
                row.set_lines(
                    "warning" if loan.overdue else "ok",
                    [(loan.title or t("line.item", item=loan.item_id), "body"), (due, "small")],
                )
                box.add_widget(row)
            if not account.loans:
                box.add_widget(KioskLabel(text=t("account.no_loans")))
            box.add_widget(KioskLabel(text=t("account.holds", count=len(account.holds)), size_name="title"))
            for hold in sorted(account.holds, key=lambda h: not h.available):  # ready ones first
                row = Row(role="success" if hold.available else "panel")
                lines = [
                    (hold.title or t("line.item", item=hold.item_id), "body"),
                    (t("account.hold_ready" if hold.available else "account.hold_waiting"), "small"),
                ]
                if hold.available and hold.pickup_location:
                    lines.append((t("account.hold_where", place=hold.pickup_location), "small"))
                if hold.available and hold.pickup_until:
                    lines.append(
                        (t("account.hold_until", date=format_due(hold.pickup_until, t.language)), "small")
                    )
                row.set_lines("ok" if hold.available else "info", lines)
                box.add_widget(row)
            if not account.holds:
                box.add_widget(KioskLabel(text=t("account.no_holds")))
            box.add_widget(KioskLabel(text=t("account.fees", count=len(account.fees)), size_name="title"))
            for fee in account.fees:
                row = Row(role="panel")
                row.set_lines(
                    "info",
                    [
                        (fee.description or fee.fee_id, "body"),
                        (format_amount(fee.amount, t.language), "small"),
                    ],
                )
                box.add_widget(row)
            if account.fees:
                box.add_widget(
                    KioskLabel(
                        text=t("account.fee_total", amount=format_amount(account.fee_total, t.language))
                    )
                )
            else:
                box.add_widget(KioskLabel(text=t("account.no_fees")))
        self.show_message(ui, view)
        has_fees = bool(account and account.fees) and ui.settings.payment_enabled
        ids.pay.text, ids.pay.disabled = t("menu.pay"), not has_fees
        ids.pay.opacity = 1 if has_fees else 0
        ids.pay.action = lambda: ui.send(ev.StartPay())
        ids.renew.text = t("menu.renew")
        ids.renew.action = lambda: ui.send(ev.StartRenew())
        ids.back.text = t("common.back")
        ids.back.action = lambda: ui.send(ev.Back())
        ids.done.text = t("common.done")
        ids.done.action = lambda: ui.send(ev.Finish())


class PayScreen(KioskScreen):
    """Pick fees → the terminal's instructions, large → the result."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.selection: set[str] | None = None  # None: not chosen yet, so all fees are preselected

    def reset(self) -> None:
        """Forget the selection."""
        self.selection = None

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Fee toggles, the pay button with the total, the terminal panel while paying, the result."""
        ids = self.ids
        t = ui.t
        ids.title.text = t("pay.title")
        fees = view.account.fees if view.account else ()
        if self.selection is None and fees:
            self.selection = {f.fee_id for f in fees}
        selection = (self.selection or set()) & {f.fee_id for f in fees}
        if fees:
            self.selection = selection
        box = ids.lines
        box.clear_widgets()
        paying = view.busy and view.account is not None
        ids.prompt.text = t("pay.follow_terminal") if paying else t("pay.prompt" if fees else "pay.none")
        ids.prompt.size_name = "huge" if paying else "body"
        prompt = ui.terminal_prompt
        if paying and prompt:
            box.add_widget(KioskLabel(text=t(prompt), size_name="huge", halign="center"))
        elif view.account is None and view.busy:
            box.add_widget(KioskLabel(text=t("account.loading")))
        elif not paying:
            for fee in fees:
                chosen = fee.fee_id in selection
                price = format_amount(fee.amount, t.language)
                text = choice_text(chosen, fee.description or fee.fee_id, price, t("renew.selected"))
                button = KioskButton(text=text, selected=chosen, markup=True)
                button.fee_id = fee.fee_id
                button.action = lambda fee_id=fee.fee_id: self._toggle(fee_id, ui)
                box.add_widget(button)
        for _ids, amount in view.payments:
            row = Row(role="success")
            row.set_lines("ok", [(t("pay.paid", amount=format_amount(amount, t.language)), "body")])
            box.add_widget(row)
        total = sum((f.amount for f in fees if f.fee_id in selection), Decimal("0"))
        ids.pay.text = t("pay.button", amount=format_amount(total, t.language))
        ids.pay.disabled = not selection or view.busy
        ids.pay.opacity = 0 if paying or not fees else 1
        ids.pay.action = lambda: self._pay(ui)
        self.show_message(ui, view)
        ids.back.text = t("common.back")
        ids.back.action = lambda: ui.send(ev.Back())
        ids.back.disabled = paying
        ids.done.text = t("common.done")
        ids.done.action = lambda: ui.send(ev.Finish())
        ids.done.disabled = paying

    def _toggle(self, fee_id: str, ui: KioskRoot) -> None:
        self.selection = (self.selection or set()) ^ {fee_id}
        ui.rerender()

    def _pay(self, ui: KioskRoot) -> None:
        chosen = tuple(sorted(self.selection or ()))
        if chosen:
            ui.send(ev.PayFees(chosen))


class ReceiptScreen(KioskScreen):
    """Would you like a receipt? Print / no receipt."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Summary and the two choices."""
        t = ui.t
        self.ids.title.text = t("receipt.title")
        done = [line for line in view.items if line.status.value == "done"]
        paid = sum((amount for _fees, amount in view.payments), Decimal(0))
        summary = [t.n("receipt.summary", len(done))] if done or not paid else []
        if paid:  # a session that only paid fees: say what was paid, not "0 items"
            summary.append(t("receipt.summary_paid", amount=format_amount(paid, t.language)))
        self.ids.summary.text = "\n".join(summary)
        self.ids.print_receipt.text = t("receipt.print")
        self.ids.print_receipt.action = lambda: ui.send(ev.ReceiptChoice(True))
        self.ids.no_receipt.text = t("receipt.none")
        self.ids.no_receipt.action = lambda: ui.send(ev.ReceiptChoice(False))
