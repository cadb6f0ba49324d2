"""Effects: what the session asks the outside world to do, as plain immutable data.

The core never performs I/O. The application hands each effect to the service that owns it
(:mod:`kiosk.services.circulation` for the SIP2 ones, payments, receipts, the UI for sounds) and posts the
service's answer back as a :class:`kiosk.core.events.ResultEvent` carrying the same ``session_id``.
What the screen shows (which screen, the language, that a session ended) is not an effect: it is in the
session view (:class:`kiosk.core.view.SessionView`), the one channel from the core to the UI.

Pass numbers and PINs are excluded from ``repr`` so logging an effect leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kiosk.core.view import LineKind


class Effect:
    """Base class of all effects."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class LookUpPatron(Effect):
    """Identify the patron (SIP2 63, or the offline pass check). ``pin`` is None when none was asked."""

    session_id: int
    pass_number: str = field(repr=False)
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class CheckOut(Effect):
    """Lend an item to the session's patron (SIP2 11, or queue it offline if policy allows)."""

    session_id: int
    pass_number: str = field(repr=False)
    item_id: str
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class CheckIn(Effect):
    """Return an item (SIP2 09, or queue it offline: returns are always accepted)."""

    session_id: int
    item_id: str


@dataclass(frozen=True, slots=True)
class Renew(Effect):
    """Renew loans (SIP2 29 per item). Unavailable offline."""

    session_id: int
    pass_number: str = field(repr=False)
    item_ids: tuple[str, ...]
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class LoadAccount(Effect):
    """Fetch loans, holds and fees (SIP2 63 with a summary). Unavailable offline."""

    session_id: int
    pass_number: str = field(repr=False)
    pin: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class StartPayment(Effect):
    """Pay these fees on the terminal, then record them in the ILS (payments service)."""

    session_id: int
    pass_number: str = field(repr=False)
    fee_ids: tuple[str, ...]
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line of a receipt. Titles are fine on paper the patron takes home; names never are."""

    kind: LineKind
    item_id: str = ""
    title: str = ""
    due: str = ""
    amount: Decimal | None = None
    offline: bool = False
    terminal_lines: tuple[str, ...] = ()  # a payment's card receipt lines from the terminal
    current: bool = False  # one of the member's current loans ([receipt] list_loans), not a transaction


@dataclass(frozen=True, slots=True)
class PrintReceipt(Effect):
    """Print a receipt of this session's successful transactions."""

    lines: tuple[ReceiptLine, ...]
    language: str


@dataclass(frozen=True, slots=True)
class PlaySound(Effect):
    """Play a feedback sound: ``"success"``, ``"error"`` or ``"attention"`` (idle warning)."""

    sound: str
