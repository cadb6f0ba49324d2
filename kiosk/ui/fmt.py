"""Dates and amounts on screen: the same formatters the receipt uses (:mod:`kiosk.i18n.formats`)."""

from __future__ import annotations

from decimal import Decimal

from kiosk.i18n.formats import format_due, format_money

__all__ = ["format_amount", "format_due"]


def format_amount(amount: Decimal, language: str) -> str:
    """Euros as ``language`` writes them (``€ 2,50`` in Dutch)."""
    return format_money(amount, language)
