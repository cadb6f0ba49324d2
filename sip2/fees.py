"""Fee lines: the one parser of the 64 ``AV`` fine items, with a named format per ILS.

The spec leaves ``AV`` free text, and every ILS fills it differently.  The formats here are the
documented ones (the site picks one with ``Dialect(fee_format=...)``, ``[sip2] fee_format``):

``generic`` (default)
    ``<id> [<currency>]<amount> ["<type>"] <text>`` -- the fee id first, then the amount with or
    without a currency code or sign (``EUR 2.50``, ``$0.50``, ``€1,00``, ``2.50``).  This is our
    simulator's default and what many vendors send; it also reads the ``3m`` layout.
``3m``
    Evergreen's ``av_format = 3m`` / ``swyer_a`` (``OpenILS/SIP/Patron.pm``):
    ``<id> $<amount> "<FINE|LOST|FEE>" <title>``; the ``$`` may be any currency sign or absent.
``swyer_b``
    Evergreen's ``av_format = swyer_b``:
    ``Charge-Number: <id>, Amount-Due: <amount>, Fine-Type: <type>, Title: <title>``.
``evergreen``
    Evergreen's default ``eg_legacy``: ``<balance> <billing type> <title> / <author>`` (or the
    billing note instead of title/author).  **No fee id.**
``koha``
    Koha's default ``av_field_template`` (``C4/SIP/ILS/Patron.pm``):
    ``[% accountline.description %] [% accountline.amountoutstanding | format('%.2f') %]`` --
    description, then the amount last.  **No fee id.**  (A site that changes the template picks
    the format its template matches.)
``wise``
    OCLC Wise: fees are read with SIP2+ 41/42, whose ``YZ`` lines carry the unique id
    (:mod:`sip2.wise`); an ``AV`` line is read like ``koha`` (no id).

SirsiDynix Symphony documents no ``AV`` layout of its own (its SIP2 guide names the fields only);
sites use ``generic``/``3m``.

When a format gives no fee id, a fee cannot be paid by id: the kiosk pays the patron's total
balance (``BV``) with a 37 *without* ``CG`` (:data:`BALANCE_FEE_ID` stands for it) and lists the
lines without ids.  No quote or currency sign of the wire format reaches :attr:`FineItem.description`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sip2.errors import Sip2ConfigurationError

#: The named fee-line formats (see the module docstring).
FEE_FORMATS: tuple[str, ...] = ("generic", "3m", "swyer_b", "evergreen", "koha", "wise")
#: Formats whose lines carry no fee id: fees are paid as the total balance (37 without CG).
WITHOUT_FEE_ID = frozenset({"evergreen", "koha", "wise"})
#: The stand-in id of "the patron's whole balance" where the ILS gives no fee ids.
BALANCE_FEE_ID = "BALANCE"

_SIGNS = "$€£¥₺"
_NUMBER = r"[+-]?\d{1,9}(?:[.,]\d{1,4})?"
_AMOUNT = re.compile(rf"^(?:[A-Z]{{3}}\s?|[{_SIGNS}]\s?)?({_NUMBER})(?:\s?[{_SIGNS}])?$")
_LEADING_AMOUNT = re.compile(rf"^(?:[A-Z]{{3}}\s+|[{_SIGNS}]\s?)?({_NUMBER})(?:\s|$)")
_TRAILING_AMOUNT = re.compile(rf"(?:^|\s)(?:[A-Z]{{3}}\s?|[{_SIGNS}]\s?)?({_NUMBER})\s*[{_SIGNS}]?$")
_QUOTED_TYPE = re.compile(r'^"([^"]*)"\s*')
_SWYER_B = re.compile(
    r"Charge-Number:\s*(?P<id>[^,]*),\s*Amount-Due:\s*(?P<amount>[^,]*)"
    r"(?:,\s*Fine-Type:\s*(?P<type>[^,]*))?(?:,\s*Title:\s*(?P<title>.*))?$"
)
MAX_LINE = 1024  # longer AV values are not a fee line anyone wrote by hand: cut, never slow


@dataclass(frozen=True, slots=True)
class FineItem:
    """One fee as the ILS listed it: ``fee_id`` ``None`` where the format has none, ``amount``
    ``None`` where the line carries none; ``description`` is display text (NFC, no quotes or
    currency signs of the wire format)."""

    fee_id: str | None
    amount: Decimal | None
    description: str
    fee_type: str = ""


def check_format(name: str) -> str:
    """*name* if it is a known fee format, else Sip2ConfigurationError."""
    if name not in FEE_FORMATS:
        raise Sip2ConfigurationError(f"fee_format must be one of {', '.join(FEE_FORMATS)}, not {name!r}")
    return name


def has_fee_ids(fee_format: str) -> bool:
    """Whether lines of *fee_format* carry a fee id (else the balance is paid as a whole)."""
    return check_format(fee_format) not in WITHOUT_FEE_ID


def _money(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _clean(text: str) -> str:
    """Display text: no double quotes, no currency sign standing alone, single spaces."""
    text = text.replace('"', " ")
    words = [w for w in text.split() if w.strip(_SIGNS)]
    return " ".join(words)


def _generic(text: str) -> FineItem:
    fee_id, _, rest = text.partition(" ")
    rest = rest.strip()
    match = _LEADING_AMOUNT.match(rest)
    if match is None:
        # Not "<id> <amount> ...": an id alone, or text without an amount in front.
        return FineItem(fee_id or None, None, _clean(rest))
    amount = _money(match.group(1))
    rest = rest[match.end() :].strip()
    fee_type = ""
    quoted = _QUOTED_TYPE.match(rest)
    if quoted and rest[quoted.end() :].strip():  # '"FINE" Title': a type; '"Te laat"' alone: the text
        fee_type, rest = quoted.group(1).strip(), rest[quoted.end() :]
    return FineItem(fee_id or None, amount, _clean(rest), fee_type)


def _evergreen(text: str) -> FineItem:
    match = _LEADING_AMOUNT.match(text)
    if match is None:
        return FineItem(None, None, _clean(text))
    return FineItem(None, _money(match.group(1)), _clean(text[match.end() :]))


def _amount_last(text: str) -> FineItem:
    match = _TRAILING_AMOUNT.search(text)
    if match is None:
        return FineItem(None, None, _clean(text))
    return FineItem(None, _money(match.group(1)), _clean(text[: match.start()]))


def _swyer_b(text: str) -> FineItem:
    match = _SWYER_B.match(text)
    if match is None:
        return _generic(text)
    amount = _AMOUNT.match(match.group("amount").strip())
    return FineItem(
        match.group("id").strip() or None,
        _money(amount.group(1)) if amount else None,
        _clean(match.group("title") or ""),
        (match.group("type") or "").strip(),
    )


_PARSERS = {
    "generic": _generic,
    "3m": _generic,
    "swyer_b": _swyer_b,
    "evergreen": _evergreen,
    "koha": _amount_last,
    "wise": _amount_last,
}


def parse_fee_line(raw: str, fee_format: str = "generic") -> FineItem | None:
    """One ``AV`` value in *fee_format*; ``None`` for a blank (padding) entry.  Never raises on
    content: what cannot be read stays in ``description`` with ``amount`` ``None``."""
    parser = _PARSERS[check_format(fee_format)]
    text = unicodedata.normalize("NFC", raw[:MAX_LINE]).strip()
    if not text:
        return None
    return parser(text)


def parse_fee_lines(entries: tuple[str, ...] | list[str], fee_format: str = "generic") -> list[FineItem]:
    """Every non-blank ``AV`` entry, in order."""
    lines = (parse_fee_line(entry, fee_format) for entry in entries)
    return [line for line in lines if line is not None]


def format_fee_line(
    fee_format: str, fee_id: str, amount: Decimal, fee_type: str, description: str, currency: str = "EUR"
) -> str:
    """An ``AV`` value as an ILS of *fee_format* writes it (for the simulator and tests)."""
    money = format(amount.quantize(Decimal("0.01")), "f")
    check_format(fee_format)
    if fee_format == "generic":
        return f'{fee_id} {currency} {money} "{description}"'
    if fee_format == "3m":
        kind = (
            "LOST"
            if fee_type.upper().startswith("LOST")
            else "FINE"
            if "OVERDUE" in fee_type.upper()
            else "FEE"
        )
        return f'{fee_id} ${money} "{kind}" {description}'
    if fee_format == "swyer_b":
        return f"Charge-Number: {fee_id}, Amount-Due: {money}, Fine-Type: {fee_type}, Title: {description}"
    if fee_format == "evergreen":
        return f"{money} {fee_type} {description}"
    return f"{description} {money}"  # koha's default template; wise alike
