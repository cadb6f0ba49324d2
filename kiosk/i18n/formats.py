"""Money and dates the way each language writes them: one definition for the screen and the receipt.

Babel (the CLDR data) knows how Dutch, English, German and Turkish write an amount in euros and a date,
so the kiosk does not keep its own table: ``€ 1.234,50`` (nl), ``€1,234.50`` (en), ``1.234,50 €`` (de),
``€1.234,50`` (tr); ``27-12-2026`` (nl), ``27/12/2026`` (en), ``27.12.2026`` (de, tr). English is
British English: a Dutch library's English speakers read day/month.

A due date is the *last day* to bring an item back ("Inleveren uiterlijk 27-12-2026"): SIP2's due
timestamp is often the end of that day (``20261227    235959``) or midnight after it; the date part is
the day to print, never the day before.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

LOCALES = {"nl": "nl_NL", "en": "en_GB", "de": "de_DE", "tr": "tr_TR"}
# The CLDR date length per language that writes a full four-digit year as digits.
DATE_LENGTH = {"nl": "short", "en": "short", "de": "medium", "tr": "short"}
CURRENCY = "EUR"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_SIP2_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s{4}|Z{3}\s|\s*$)")


@cache
def locale_of(language: str) -> Locale:
    """The CLDR locale for a kiosk language (unknown languages write like English)."""
    return Locale.parse(LOCALES.get(language, LOCALES["en"]))


def format_money(amount: Decimal, language: str) -> str:
    """An amount in euros as ``language`` writes it (non-breaking spaces become plain ones)."""
    text = format_currency(amount, CURRENCY, locale=locale_of(language))
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def format_day(day: date, language: str) -> str:
    """A date as ``language`` writes it, with a four-digit year."""
    length = DATE_LENGTH.get(language, "short")
    return format_date(day, length, locale=locale_of(language))


def parse_day(text: str) -> date | None:
    """The date in an ISO (``2026-12-27…``) or SIP2 (``20261227    235959``) timestamp, or None."""
    m = _ISO_DATE.match(text) or _SIP2_DATE.match(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def format_due(due: str, language: str) -> str:
    """A due date from the ILS as ``language`` writes it; text that is no date is shown as it came."""
    day = parse_day(due)
    return format_day(day, language) if day is not None else due.strip()
