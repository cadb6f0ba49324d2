"""Base class of the screens and the helpers they share (message bar, item rows)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kivy.uix.screenmanager import Screen

from kiosk.core.view import ItemLine, LineKind, LineStatus, Message, SessionView
from kiosk.ui.fmt import format_amount, format_due, only_repeats_due
from kiosk.ui.kit import Row

if TYPE_CHECKING:
    from kiosk.ui.root import KioskRoot

# Which colour role a message gets; the icon and the text say the same thing without colour.
_SUCCESS_KEYS = ("payment.done",)


def message_role(key: str) -> tuple[str, str]:
    """(role, icon) for a message key."""
    if key in _SUCCESS_KEYS:
        return "success", "ok"
    if key.startswith(("offline.", "session.")):
        return "warning", "warning"
    if key.startswith(("error.", "item.", "payment.")):
        return "danger", "refused"
    return "panel", "info"


def message_text(ui: KioskRoot, message: Message) -> str:
    """The translated text of a message, with its parameters and the ILS's own text filled in."""
    fields = dict(message.params)
    fields.setdefault("ils_text", message.ils_text)
    if "amount" in fields:  # amounts are written the member's way (one formatter, screen and paper)
        fields["amount"] = format_amount(Decimal(fields["amount"]), ui.t.language)
    key = message.key
    if key == "return.hold_shelf":  # the site's one instruction for a returned hold
        key = f"return.hold_shelf.{fields.get('where') or 'bin'}"
    text = ui.t(key, **fields)
    if message.ils_text and "{ils_text}" not in ui.t.raw(key):
        text = f"{text}\n{message.ils_text}"
    return text


def message_row(ui: KioskRoot, message: Message | None) -> Row | None:
    """A full-width row showing ``message`` (or None)."""
    if message is None:
        return None
    role, icon = message_role(message.key)
    row = Row(role=role)
    row.set_lines(icon, [(message_text(ui, message), "body")])
    return row


_DONE_KEYS = {
    LineKind.LOAN: "line.loan_done",
    LineKind.RETURN: "line.return_done",
    LineKind.RENEWAL: "line.renewal_done",
    LineKind.PAYMENT: "line.payment_done",
}


def item_row(ui: KioskRoot, line: ItemLine) -> Row:
    """A row for one presented item: title (or "Item <id>"), what happened, the due date or the reason,
    and notes (sort bin, magnetic media, offline)."""
    title = line.title or ui.t("line.item", item=line.item_id)
    lang = ui.t.language
    if line.status is LineStatus.PENDING:
        row = Row(role="panel")
        row.set_lines("info", [(title, "body"), (ui.t("line.pending"), "small")])
        return row
    if line.status is LineStatus.REFUSED:
        row = Row(role="danger")
        reason = message_text(ui, line.message) if line.message else ui.t("item.refused")
        row.set_lines("refused", [(title, "body"), (f"{ui.t('line.refused')}: {reason}", "small")])
        return row
    status = ui.t("line.renewal_done" if line.renewal else _DONE_KEYS[line.kind])
    if line.due:
        status = f"{status} · {ui.t('line.due', due=format_due(line.due, lang))}"
    lines = [(title, "body"), (status, "small")]
    for note in line.notes:
        if note.key == "item.ils_message" and only_repeats_due(note.ils_text, line.due):
            continue  # the ILS only repeats the due date shown above
        lines.append((message_text(ui, note), "small"))
    attention = any(n.key == "return.hold_shelf" for n in line.notes)
    row = Row(role="warning" if attention else "panel")
    row.set_lines("warning" if attention else "ok", lines)
    return row


class KioskScreen(Screen):
    """A screen that renders a :class:`SessionView`."""

    def render(self, view: SessionView, ui: KioskRoot) -> None:
        """Fill the widgets from ``view``."""

    def reset(self) -> None:
        """Forget any input held in widgets (PIN digits, selections) when a session ends."""

    def show_message(self, ui: KioskRoot, view: SessionView, box_id: str = "message_box") -> None:
        """Put ``view.message`` in the screen's message box."""
        box: Any = self.ids[box_id]
        box.clear_widgets()
        row = message_row(ui, view.message)
        if row is not None:
            box.add_widget(row)
