"""What the simulated terminal sends, as the ECR's registration config byte asks (P015 Table 1, zvt.md §3).

A real terminal sends Intermediate Status (``04 FF``) and Print Lines (``06 D1``) only when the ECR asked
for them in its Registration (``06 00``); a simulator that sends them anyway hides kiosk bugs that a
strict terminal would show. ``None`` (no Registration yet): the terminal's own settings, everything.
"""

from __future__ import annotations

ECR_PAYMENT_RECEIPT = 0x02  # the ECR prints payment receipts
ECR_ADMIN_RECEIPT = 0x04  # the ECR prints administration receipts (End-of-Day) itself
INTERMEDIATE = 0x08  # Intermediate Status (04 FF) wanted
PRINT_LINES = 0x80  # receipts come as Print Lines


def asked(config: int | None, bit: int) -> bool:
    """Whether ``config`` asks for ``bit`` (everything before any Registration)."""
    return config is None or bool(config & bit)


def intermediate_wanted(config: int | None) -> bool:
    """Intermediate Status messages (04 FF): config bit 08."""
    return asked(config, INTERMEDIATE)


def payment_lines_wanted(config: int | None) -> bool:
    """Payment receipts as Print Lines: only if the ECR prints them (02) and wants Print Lines (80)."""
    return asked(config, ECR_PAYMENT_RECEIPT) and asked(config, PRINT_LINES)


def admin_lines_wanted(config: int | None) -> bool:
    """End-of-Day Print Lines: only with Print Lines (80), and not when the ECR prints administration
    receipts itself (04) from the totals in the Status-Information (issue 12's reading of Table 1)."""
    return config is None or (bool(config & PRINT_LINES) and not config & ECR_ADMIN_RECEIPT)
