"""The patron's receipt: what is on it, and its layout as plain text of a fixed width (no I/O).

Titles appear on the printed receipt (the patron's own paper) and nowhere else: the ``repr`` of a
:class:`Receipt` shows counts only, so a receipt logged by mistake leaks no titles, and the pass number is
printed masked to its last 4 digits. The patron's name is not a field at all.

Labels: the driver carries Dutch and English label sets (:data:`LABELS`); a kiosk with its own
translations passes ``labels=`` (any missing key falls back to the receipt's language set).
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from drivers.passnumber import mask_pass_number

WIDTHS = (32, 42, 48)

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "pass": "Pas",
        "loans": "Geleend",
        "due": "Terug op",
        "returns": "Ingeleverd",
        "renewals": "Verlengd",
        "fees": "Betaald",
        "total": "Totaal",
        "item": "Exemplaar",
        "thanks": "Dank je wel en veel plezier!",
        "offline": "Wordt verwerkt zodra het bibliotheeksysteem weer bereikbaar is.",
        "fine": "Te laat, boete",
        "current_loans": "Je leningen",
    },
    "en": {
        "pass": "Pass",
        "loans": "Borrowed",
        "due": "Due",
        "returns": "Returned",
        "renewals": "Renewed",
        "fees": "Paid",
        "total": "Total",
        "item": "Item",
        "thanks": "Thank you, enjoy your reading!",
        "offline": "Will be processed as soon as the library system can be reached again.",
        "fine": "Late, fine",
        "current_loans": "Your loans",
    },
}


@dataclass(frozen=True)
class LoanLine:
    """An item borrowed (or renewed) with its due date; ``item_id`` is printed if given. A loan made
    while the ILS was unreachable (``offline``) has no due date yet and says it will be processed."""

    title: str
    due: date | None
    item_id: str = ""
    offline: bool = False


@dataclass(frozen=True)
class ReturnLine:
    """An item returned (``offline``: queued, processed when the ILS is back)."""

    title: str
    item_id: str = ""
    offline: bool = False
    fine: Decimal | None = None  # a late fine the ILS charged for this return


@dataclass(frozen=True)
class FeePayment:
    """A fee paid at the kiosk, with the payment terminal's own receipt lines (printed verbatim)."""

    description: str
    amount: Decimal
    terminal_lines: tuple[str, ...] = ()


@dataclass(frozen=True, repr=False)
class Receipt:
    """Everything printed on one receipt. ``language`` picks the label set (``nl``/``en``)."""

    library_name: str
    printed_at: datetime
    pass_number: str = ""
    loans: tuple[LoanLine, ...] = ()
    returns: tuple[ReturnLine, ...] = ()
    renewals: tuple[LoanLine, ...] = ()
    fees: tuple[FeePayment, ...] = ()
    current_loans: tuple[LoanLine, ...] = ()  # optional: all the member's loans now, with due dates
    language: str = "nl"
    labels: Mapping[str, str] = field(default_factory=dict)
    footer: str = ""
    # The application's own formatters (the same ones its screen uses), else the driver's nl/en ones.
    format_money: Callable[[Decimal], str] | None = None
    format_day: Callable[[date], str] | None = None

    def __repr__(self) -> str:
        return (
            f"Receipt(loans={len(self.loans)}, returns={len(self.returns)}, renewals={len(self.renewals)}, "
            f"fees={len(self.fees)}, language={self.language!r})"
        )

    def label(self, key: str) -> str:
        """The label for ``key``: the given labels first, then the language's set, then English."""
        if key in self.labels:
            return self.labels[key]
        return LABELS.get(self.language, LABELS["en"]).get(key, LABELS["en"][key])


# Typographic punctuation that titles often carry and receipt code pages lack.
_PUNCTUATION = {
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "…": "...",
    "Ł": "L",
    "ł": "l",
    "Ø": "O",
    "ø": "o",
    "Đ": "D",
    "đ": "d",
    "ß": "ss",
}


def fit_code_page(text: str, encoding: str) -> str:
    """Replace characters the printer's code page lacks: drop accents where that helps, else ``?``.

    Receipts are one column per character only if every character exists in the code page, and
    python-escpos would otherwise switch code pages mid-line (or send GB18030 for CJK text).
    """
    out = []
    for char in text:
        if char in "\n":
            out.append(char)
            continue
        try:
            char.encode(encoding)
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        if char in _PUNCTUATION:
            out.append(_PUNCTUATION[char])
            continue
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        out.append(base or "?")
    return "".join(out)


def format_amount(amount: Decimal, language: str, euro: str = "€") -> str:
    """``€ 3,50`` in Dutch, ``€3.50`` in English (``euro`` is ``EUR`` on a code page without €)."""
    text = f"{amount.quantize(Decimal('0.01')):,.2f}"
    if language == "nl":
        return f"{euro} " + text.replace(",", "_").replace(".", ",").replace("_", ".")
    return euro + text if euro == "€" else f"{euro} {text}"


def format_date(day: date, language: str) -> str:
    """``24-11-2026`` in Dutch, ``24/11/2026`` in English (UK order)."""
    return day.strftime("%d-%m-%Y" if language == "nl" else "%d/%m/%Y")


def _pair(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line if they fit, else ``left`` wrapped and ``right`` right-aligned."""
    if len(left) + 1 + len(right) <= width:
        return [left + " " * (width - len(left) - len(right)) + right]
    return [*_wrap(left, width), right.rjust(width)]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, break_long_words=True
    ) or [""]


def receipt_lines(receipt: Receipt, width: int, encoding: str | None = None) -> list[tuple[str, str]]:
    """The receipt as ``(style, line)`` pairs: style ``title``, ``heading``, ``center`` or ``""``.

    Every line is at most ``width`` characters. This is the single layout used by both the ESC/POS
    rendering and the text file of the demo printer. With ``encoding`` (a Python codec name), text is
    fitted to that code page *before* the layout, so widths stay right.
    """
    if width not in WIDTHS:
        raise ValueError(f"receipt width {width}; expected one of {', '.join(map(str, WIDTHS))}")
    lang = receipt.language

    def fit(text: str) -> str:
        return fit_code_page(text, encoding) if encoding else text

    def label(key: str) -> str:
        return fit(receipt.label(key))

    euro = "€" if fit("€") == "€" else "EUR"

    def fmt_date(day: date) -> str:
        return receipt.format_day(day) if receipt.format_day else format_date(day, lang)

    def fmt_money(amount: Decimal) -> str:
        if receipt.format_money is None:
            return format_amount(amount, lang, euro)
        text = receipt.format_money(amount).replace("\u00a0", " ")
        return fit(text if euro == "€" else text.replace("€", "EUR"))

    lines: list[tuple[str, str]] = [("title", line) for line in _wrap(fit(receipt.library_name), width)]
    when = receipt.printed_at
    lines.append(("", f"{fmt_date(when.date())} {when:%H:%M}"))
    if receipt.pass_number:
        lines.append(("", f"{label('pass')}: {mask_pass_number(receipt.pass_number)}"))
    rule = "-" * width

    def item_lines(title: str, item_id: str, due: date | None, offline: bool) -> None:
        for line in _wrap(fit(title or item_id), width):
            lines.append(("", line))
        if item_id and title:
            lines.append(("", f"  {label('item')}: {fit(item_id)}"[:width]))
        if due is not None:
            lines.append(("", f"{label('due')} {fmt_date(due)}".rjust(width)))
        if offline:
            lines.extend(("", line) for line in _wrap(label("offline"), width, "  "))

    sections: list[tuple[str, list[tuple[str, str, date | None, bool, Decimal | None]]]] = [
        ("loans", [(x.title, x.item_id, x.due, x.offline, None) for x in receipt.loans]),
        ("renewals", [(x.title, x.item_id, x.due, x.offline, None) for x in receipt.renewals]),
        ("returns", [(x.title, x.item_id, None, x.offline, x.fine) for x in receipt.returns]),
        ("current_loans", [(x.title, x.item_id, x.due, False, None) for x in receipt.current_loans]),
    ]
    for key, items in sections:
        if not items:
            continue
        lines += [("", rule), ("heading", f"{label(key)} ({len(items)})")]
        for title, item_id, due, offline, fine in items:
            item_lines(title, item_id, due, offline)
            if fine is not None:  # a late fine this return charged, under its item
                lines += [("", line) for line in _pair(f"  {label('fine')}", fmt_money(fine), width)]
    if receipt.fees:
        lines += [("", rule), ("heading", label("fees"))]
        total = Decimal(0)
        for fee in receipt.fees:
            total += fee.amount
            amount = fmt_money(fee.amount)
            lines += [("", line) for line in _pair(fit(fee.description), amount, width)]
            for terminal_line in fee.terminal_lines:
                lines += [("", line) for line in _wrap(fit(terminal_line), width, "  ")]
        lines += [("heading", line) for line in _pair(label("total"), fmt_money(total), width)]
    lines.append(("", rule))
    for text in (fit(receipt.footer), label("thanks")):
        if text:
            lines += [("center", line) for line in _wrap(text, width)]
    return lines


def render_text(receipt: Receipt, width: int = 42) -> str:
    """The receipt as plain text (the demo printer's file); centred lines are padded with spaces."""
    out = []
    for style, line in receipt_lines(receipt, width):
        out.append(line.center(width).rstrip() if style in ("title", "center") else line)
    return "\n".join(out) + "\n"
