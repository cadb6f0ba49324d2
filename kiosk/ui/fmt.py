"""Dates and amounts on screen: the same formatters the receipt uses (:mod:`kiosk.i18n.formats`)."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from decimal import Decimal

from babel.dates import format_datetime

from kiosk.i18n.formats import format_day, format_due, format_money, locale_of, parse_day

__all__ = ["format_amount", "format_due", "format_weekday_time", "only_repeats_due"]


def format_amount(amount: Decimal, language: str) -> str:
    """Euros as ``language`` writes them (``€ 2,50`` in Dutch)."""
    return format_money(amount, language)


def format_weekday_time(moment: datetime, zone: tzinfo, language: str) -> str:
    """An instant as the weekday and time on the library's clock (``zone``, the schedule's time zone,
    never the machine's): ``maandag 09:00`` in Dutch, ``Monday 09:00`` in English."""
    return format_datetime(moment, "EEEE HH:mm", tzinfo=zone, locale=locale_of(language))


def only_repeats_due(ils_text: str, due: str) -> bool:
    """True when the ILS's screen message on a loan says nothing but its due date ("Uitgeleend tot
    28-12-2026" next to our "Inleveren uiterlijk 28-12-2026"): the date in one of the usual ways, and
    at most a few words without figures around it."""
    day = parse_day(due)
    if day is None or not ils_text:
        return False
    forms = {day.isoformat(), *(day.strftime(f) for f in ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d"))}
    forms |= {format_day(day, language) for language in ("nl", "en", "de", "tr")}
    rest = ils_text
    for form in sorted(forms, key=len, reverse=True):
        rest = rest.replace(form, " ")
    if rest == ils_text:
        return False
    words = re.findall(r"\w+", rest)
    return len(words) <= 4 and not any(char.isdigit() for word in words for char in word)


#: A toggle row's drawn box (renew, pay), as glyphs of the icon font: checked / not checked.
CHECKED, UNCHECKED = "\u2611", "\u2610"

_MARKUP_TAG = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]")


def plain_text(markup: str) -> str:
    """Kivy markup as plain text: tags dropped, ``escape_markup``'s entities turned back."""
    text = _MARKUP_TAG.sub("", markup)
    return text.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")
