"""Dates and amounts on screen: the same formatters the receipt uses (:mod:`kiosk.i18n.formats`)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from babel.dates import format_datetime

from kiosk.i18n.formats import format_due, format_money, locale_of

__all__ = ["format_amount", "format_due", "format_weekday_time"]


def format_amount(amount: Decimal, language: str) -> str:
    """Euros as ``language`` writes them (``€ 2,50`` in Dutch)."""
    return format_money(amount, language)


def format_weekday_time(moment: datetime, zone: tzinfo, language: str) -> str:
    """An instant as the weekday and time on the library's clock (``zone``, the schedule's time zone,
    never the machine's): ``maandag 09:00`` in Dutch, ``Monday 09:00`` in English."""
    return format_datetime(moment, "EEEE HH:mm", tzinfo=zone, locale=locale_of(language))
