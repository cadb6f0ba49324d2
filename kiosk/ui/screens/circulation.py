"""Screens of an identified patron's circulation: the menu, borrowing/returning, renewing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus, SessionView, menu_actions
from kiosk.ui.fmt import format_amount, format_due
from kiosk.ui.kit import KioskButton, KioskLabel, choice_text
from kiosk.ui.look import look
from kiosk.ui.screens.base import KioskScreen, item_row
from kiosk.ui.screens.entry import language_buttons

if TYPE_CHECKING:
    from kiosk.ui.root import KioskRoot


class MenuScreen(KioskScreen):
    """Hello <name>: borrow, return, renew, my account, pay fees, done."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Greeting and the menu buttons."""
        ids = self.ids
        name = view.patron.display_name if view.patron else ""
        ids.greeting.text = ui.t("menu.greeting", name=name) if name else ui.t("menu.greeting_anonymous")
        ids.question.text = "" if view.message else ui.t("menu.question")  # room for the message
        ready = view.patron.holds_ready if view.patron else 0
        ids.holds_notice.text = ui.t.n("menu.holds_ready", ready) if ready else ""
        entries = (
            (ids.borrow, "borrow", ev.StartBorrow(), "primary"),
            (ids.give_back, "return", ev.StartReturn(), "primary"),
            (ids.renew, "renew", ev.StartRenew(), "button"),
            (ids.account, "account", ev.ShowAccount(), "button"),
            (ids.pay, "pay", ev.StartPay(), "button"),
            (ids.finish, "finish", ev.Finish(), "button"),
        )
        # The core's rule for what can work now: a button that cannot is shown disabled, saying so, and
        # the action that helps instead (paying the fees that block borrowing) becomes the main one.
        actions = menu_actions(view.patron, view.ils_online, ui.settings.payment_enabled)
        helpers = {a.points_to for a in actions.values() if a.points_to}
        for button, name, event, role in entries:
            action = actions[name]
            # Disabled by its colours; why is in the message above (or the offline banner). The label
            # stays the same, so a button never grows and nothing moves when the ILS comes and goes.
            button.text = ui.t(f"menu.{name}")
            button.action = lambda e=event: ui.send(e)
            button.disabled = not action.enabled
            button.opacity = 1 if action.shown else 0
            button.role = "primary" if name in helpers else role
        self.show_message(ui, view)
        language_buttons(ids.languages, view, ui, size_name="small")


class ItemsScreen(KioskScreen):
    """Borrowing or returning: scan items one by one, a live list of what happened to each."""

    kind = LineKind.LOAN

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Title, prompt, one row per item (newest first), message, back and done."""
        ids = self.ids
        prefix = "borrow" if self.kind is LineKind.LOAN else "return"
        ids.title.text = ui.t(f"{prefix}.title")
        pad = bool(getattr(ui.settings, "pad", False))
        ids.prompt.text = ui.t(f"{prefix}.prompt_pad" if pad else f"{prefix}.prompt")  # pad or scanner
        lines = view.lines(self.kind)
        # The pad's picture shows what to do before the first item; once items are listed the list
        # needs the room (three books under a 250 px picture left one row visible).
        picture = pad and not lines
        if pad:  # "put your items on the pad": the library's picture of it
            ids.pad_picture.source = ui.settings.picture("pad")
        ids.pad_picture.height = 3 * look.sizes.get("button_height", 84) if picture else 0
        ids.pad_picture.opacity = 1 if picture else 0
        ids.count.text = ui.t.n("lines.count", len(lines)) if lines else ui.t("lines.empty")
        ids.lines.clear_widgets()
        ids.line_actions.clear_widgets()
        for line in reversed(lines):
            ids.lines.add_widget(item_row(ui, line))
            if line.rental is not None and line.status is LineStatus.REFUSED:  # pay the rental here
                amount = format_amount(line.rental, ui.t.language)
                pay = KioskButton(text=ui.t("borrow.pay_rental", amount=amount), role="primary")
                pay.action = lambda item_id=line.item_id: ui.send(ev.PayRental(item_id))
                ids.line_actions.add_widget(pay)
        self.show_message(ui, view)
        ids.back.text = ui.t("common.back")
        ids.back.action = lambda: ui.send(ev.Back())
        ids.done.text = ui.t("common.done")
        ids.done.action = lambda: ui.send(ev.Finish())


class ReturnScreen(ItemsScreen):
    """Returning items (with or without a pass)."""

    kind = LineKind.RETURN


class RenewScreen(KioskScreen):
    """Pick loans to renew; the results appear as rows."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.selection: set[str] = set()

    def reset(self) -> None:
        """Forget the selection."""
        self.selection = set()

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Loans as toggle buttons, the renew button, results and message."""
        ids = self.ids
        ids.title.text = ui.t("renew.title")
        ids.prompt.text = ui.t("renew.prompt")
        ids.lines.clear_widgets()
        loans = view.account.loans if view.account else ()
        if view.account is None and view.busy:
            ids.lines.add_widget(KioskLabel(text=ui.t("account.loading"), role="screen"))
        elif not loans:
            ids.lines.add_widget(KioskLabel(text=ui.t("renew.none"), role="screen"))
        results = {line.item_id: line for line in view.lines(LineKind.RENEWAL)}
        self.selection &= {loan.item_id for loan in loans if loan.item_id not in results}
        for loan in loans:
            title = loan.title or ui.t("line.item", item=loan.item_id)
            result = results.get(loan.item_id)
            if result is not None:  # the result stays where the member tapped, with the title
                ids.lines.add_widget(item_row(ui, result if result.title else replace(result, title=title)))
                continue
            chosen = loan.item_id in self.selection
            due = ui.t("line.due", due=format_due(loan.due, ui.t.language)) if loan.due else ""
            text = choice_text(chosen, title, due, ui.t("renew.selected"))
            button = KioskButton(text=text, selected=chosen, role="button", markup=True)
            button.item_id = loan.item_id
            button.action = lambda item_id=loan.item_id: self._toggle(item_id, ui)
            ids.lines.add_widget(button)
        loan_ids = {loan.item_id for loan in loans}
        for line in view.lines(LineKind.RENEWAL):  # an item renewed by scanning it, not on the list
            if line.item_id not in loan_ids:
                ids.lines.add_widget(item_row(ui, line))
        count = len(self.selection)
        ids.renew.text = ui.t.n("renew.button", count) if count else ui.t("renew.title")
        ids.renew.disabled = not self.selection or view.busy
        ids.renew.action = lambda: self._renew(ui)
        self.show_message(ui, view)
        ids.back.text = ui.t("common.back")
        ids.back.action = lambda: ui.send(ev.Back())
        ids.done.text = ui.t("common.done")
        ids.done.action = lambda: ui.send(ev.Finish())

    def _toggle(self, item_id: str, ui: KioskRoot) -> None:
        self.selection ^= {item_id}
        ui.rerender()

    def _renew(self, ui: KioskRoot) -> None:
        chosen, self.selection = tuple(sorted(self.selection)), set()
        if chosen:
            ui.send(ev.RenewItems(chosen))
