"""Dates and amounts the way each language writes them (pure functions, no Kivy)."""

from __future__ import annotations

import re
from decimal import Decimal

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_SIP2_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s{4}|Z{3}\s|\s*$)")

DATE_STYLE = {"nl": "{d}-{m}-{y}", "en": "{d}/{m}/{y}", "de": "{d}.{m}.{y}", "tr": "{d}.{m}.{y}"}


def format_due(due: str, language: str) -> str:
    """An ISO (``2026-12-15...``) or SIP2 (``20261215    120000``) date as the language writes it;
    anything else is shown as the ILS sent it."""
    m = _ISO_DATE.match(due) or _SIP2_DATE.match(due)
    if not m:
        return due.strip()
    y, mo, d = m.group(1), m.group(2), m.group(3)
    return DATE_STYLE.get(language, DATE_STYLE["en"]).format(d=d, m=mo, y=y)


def format_amount(amount: Decimal, language: str) -> str:
    """Euros: ``€ 2,50`` (nl), ``€2.50`` (en), ``2,50 €`` (de, tr)."""
    text = f"{amount.quantize(Decimal('0.01')):.2f}"
    if language == "en":
        return f"€{text}"
    text = text.replace(".", ",")
    return f"€ {text}" if language == "nl" else f"{text} €"
