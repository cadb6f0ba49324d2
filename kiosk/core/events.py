"""Events: everything that can happen to a patron session, as plain immutable data.

Three families:

* :class:`UserEvent` — the patron did something (presented a pass, scanned an item, touched a button).
  Every user event counts as activity for the idle timer.
* :class:`ResultEvent` — a service finished an effect. Each carries the ``session_id`` of the effect it
  answers, so a late answer for a previous patron is dropped instead of being shown to the next one.
* System events — :class:`Tick` (time arrives as an event; the core has no clock) and the ILS going
  offline/online.

``repr`` of pass numbers and PINs is suppressed so an event that ends up in a log line leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from kiosk.core.service import Availability, Staffing
from kiosk.core.view import AccountView


class Event:
    """Base class of all session events."""

    __slots__ = ()


class UserEvent(Event):
    """Something the patron did."""

    __slots__ = ()


class ResultEvent(Event):
    """A service's answer to an effect; ``session_id`` ties it to the session that asked."""

    __slots__ = ()
    session_id: int


# --- system ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tick(Event):
    """The time now, in monotonic seconds; the UI posts one every ~0.5 s."""

    now: float


@dataclass(frozen=True, slots=True)
class IlsOffline(Event):
    """The health monitor lost the ILS; the kiosk now works offline."""


@dataclass(frozen=True, slots=True)
class IlsOnline(Event):
    """The ILS answers again."""


@dataclass(frozen=True, slots=True)
class ServiceModeChanged(Event):
    """A technician (maintenance panel, ``TechnicianBackend``) or the kiosk itself changed the
    availability: out of order, maintenance, or back in service. Leaving service ends a running
    session (its data is cleared) and from then on no event leads to a circulation or payment effect."""

    availability: Availability


@dataclass(frozen=True, slots=True)
class MaintenanceEnded(Event):
    """The technician left maintenance mode: back to the availability from before it (in service, or
    out of order when it was, or when the technician switched it so meanwhile)."""


@dataclass(frozen=True, slots=True)
class WallClock(Event):
    """The wall-clock time now (aware); the runtime posts one every few seconds. The core evaluates the
    service hours against it: staffed / unstaffed / closed, the closing countdown, the last minute."""

    now: datetime


@dataclass(frozen=True, slots=True)
class StaffingOverride(Event):
    """A technician put the kiosk in ``staffing`` from ``start`` until ``until`` (maintenance panel,
    ``kiosk maintenance mode``); it expires by itself and survives a restart."""

    staffing: Staffing
    start: datetime
    until: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StaffingOverrideCleared(Event):
    """The technician's override was withdrawn at ``now``: back to the schedule."""

    now: datetime


# --- user ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PassPresented(UserEvent):
    """A library pass was read (card reader or barcode)."""

    pass_number: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class CardNotAPass(UserEvent):
    """A card was presented that is not a library pass (a bank card, a phone, an unreadable chip)."""


@dataclass(frozen=True, slots=True)
class BarcodeRefused(UserEvent):
    """A scanned barcode is neither a pass nor an item by the library's rules (:mod:`kiosk.core.barcodes`).

    ``reason`` is a message key: ``error.pass_number_wrong`` (a mistyped pass) or ``error.barcode_unknown``.
    The barcode itself is not carried: it may be a pass number.
    """

    reason: str = "error.barcode_unknown"


@dataclass(frozen=True, slots=True)
class TerminalPrompt(Event):
    """The payment terminal's latest instruction to the member (``insert_card``, ``enter_pin``, … or a
    ``terminal.`` catalog key), on its way to the pay screen through the view."""

    key: str | None = None


@dataclass(frozen=True, slots=True)
class BarcodeScanned(UserEvent):
    """A barcode was scanned (or a number typed and ended by Enter). The scanner only says "scanned":
    the core decides whether it is a pass, an item or refused (:mod:`kiosk.core.scanned`).

    ``is_pass`` is the pass rule's verdict on the number (``[passes] validation``, checked by the driver).
    ``typed``: keys typed by a person at the kiosk (a USB keypad or keyboard, ended by Enter), not a
    scanner's burst — on the PIN screen that is the member typing the PIN.
    """

    text: str = field(repr=False)
    is_pass: bool = False
    typed: bool = False


@dataclass(frozen=True, slots=True)
class PinEntered(UserEvent):
    """The patron typed a PIN and confirmed it."""

    pin: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ItemPresented(UserEvent):
    """An item barcode or RFID tag was read."""

    item_id: str


@dataclass(frozen=True, slots=True)
class StartBorrow(UserEvent):
    """Menu: borrow items."""


@dataclass(frozen=True, slots=True)
class StartReturn(UserEvent):
    """Menu (or attract screen): return items."""


@dataclass(frozen=True, slots=True)
class StartRenew(UserEvent):
    """Menu: renew loans."""


@dataclass(frozen=True, slots=True)
class ShowAccount(UserEvent):
    """Menu: show loans, holds and fees."""


@dataclass(frozen=True, slots=True)
class StartPay(UserEvent):
    """Menu or account: pay fees."""


@dataclass(frozen=True, slots=True)
class RenewItems(UserEvent):
    """Renew the selected loans."""

    item_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PayFees(UserEvent):
    """Pay the selected fees (the amount is summed from the account the ILS reported)."""

    fee_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PayRental(UserEvent):
    """Pay an item's rental fee here and borrow it (the amount is the one the ILS asked for)."""

    item_id: str


@dataclass(frozen=True, slots=True)
class Back(UserEvent):
    """Back / cancel."""


@dataclass(frozen=True, slots=True)
class Finish(UserEvent):
    """ "Done": end the session (receipt choice first, when configured)."""


@dataclass(frozen=True, slots=True)
class ReceiptChoice(UserEvent):
    """On the receipt screen: print a receipt or not."""

    print_receipt: bool


@dataclass(frozen=True, slots=True)
class MoreTime(UserEvent):
    """ "More time" on the idle warning."""


@dataclass(frozen=True, slots=True)
class Acknowledge(UserEvent):
    """ "OK" on a notice screen."""


@dataclass(frozen=True, slots=True)
class ConfirmSwitch(UserEvent):
    """Another pass was presented mid-session: yes, end this session and start with the new pass."""


@dataclass(frozen=True, slots=True)
class CancelSwitch(UserEvent):
    """Another pass was presented mid-session: no, stay in this session."""


@dataclass(frozen=True, slots=True)
class LanguageChosen(UserEvent):
    """The patron picked a UI language (ISO 639-1 code)."""

    language: str


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PatronFound(ResultEvent):
    """The ILS (or the offline pass check) answered the patron lookup.

    ``pin_valid``: True/False when a PIN was checked, None when no PIN was sent and none is needed.
    ``pin_required``: the patron has a PIN and none was sent (SIP2 ``CQ`` = N for an empty ``AD``).
    ``flags``: names of the SIP2 patron status flags that are set (``"charge_privileges_denied"``,
    ``"renewal_privileges_denied"``, ``"card_reported_lost"``, ...) plus ``"expired"``.
    ``language``: the patron's SIP2 language code (3 digits, ``"005"`` = Dutch).
    """

    session_id: int
    valid: bool = True
    display_name: str = ""
    pin_valid: bool | None = None
    pin_required: bool = False
    flags: frozenset[str] = frozenset()
    screen_message: str = ""
    language: str = "000"
    offline: bool = False
    offline_loans_allowed: bool = False
    holds_ready: int = 0  # holds waiting for the patron on the hold shelf (64 hold items count)
    hold_items: tuple[str, ...] = field(default=(), repr=False)  # their item ids (64 AS), if listed


@dataclass(frozen=True, slots=True)
class PatronUnknown(ResultEvent):
    """No such patron, or the pass failed the offline check."""

    session_id: int
    screen_message: str = ""
    reason: str = "error.patron_unknown"


@dataclass(frozen=True, slots=True)
class ItemCheckedOut(ResultEvent):
    """A loan succeeded (or was queued offline)."""

    session_id: int
    item_id: str
    title: str = ""
    due: str = ""
    magnetic_media: bool = False
    offline: bool = False
    screen_message: str = ""
    renewed: bool = False  # the ILS took it as a renewal (SIP2 12 renewal ok = Y)


@dataclass(frozen=True, slots=True)
class ItemCheckedIn(ResultEvent):
    """A return succeeded (or was queued offline).

    ``hold_for_other``: the item is on hold for another patron; ``sort_bin`` is where it goes (SIP2 CL).
    """

    session_id: int
    item_id: str
    title: str = ""
    sort_bin: str = ""
    hold_for_other: bool = False
    magnetic_media: bool = False
    offline: bool = False
    screen_message: str = ""
    fine: Decimal | None = None  # a late fine this return charged (10 BV, when the ILS sends it)


@dataclass(frozen=True, slots=True)
class ItemRenewed(ResultEvent):
    """A renewal succeeded."""

    session_id: int
    item_id: str
    title: str = ""
    due: str = ""
    screen_message: str = ""


@dataclass(frozen=True, slots=True)
class ItemRefused(ResultEvent):
    """The ILS (or the offline policy) refused a loan, return or renewal; ``reason`` is a message key."""

    session_id: int
    item_id: str
    kind: str = "loan"  # "loan" | "return" | "renewal"
    reason: str = "item.refused"
    screen_message: str = ""
    fee_amount: Decimal | None = None  # a loan refused for a rental fee not yet acknowledged (12 BV)
    title: str = ""  # the item's title when the ILS's answer names it (AJ): shown and on the receipt


@dataclass(frozen=True, slots=True)
class AccountLoaded(ResultEvent):
    """The patron's loans, holds and fees."""

    session_id: int
    account: AccountView


@dataclass(frozen=True, slots=True)
class PaymentCompleted(ResultEvent):
    """The terminal approved and the ILS recorded the payment."""

    session_id: int
    fee_ids: tuple[str, ...]
    amount: Decimal
    # The terminal's card receipt for the member's paper (may show a masked card number: not in repr).
    terminal_lines: tuple[str, ...] = field(default=(), repr=False, compare=False)
    rented: tuple[tuple[str, str], ...] = ()  # rentals this payment lent: (item id, due date text)


@dataclass(frozen=True, slots=True)
class PaymentFailed(ResultEvent):
    """The payment was declined or aborted; ``reason`` is a message key."""

    session_id: int
    reason: str = "payment.declined"
    screen_message: str = ""


@dataclass(frozen=True, slots=True)
class ServiceUnavailable(ResultEvent):
    """The request could not be carried out (ILS offline for renew/pay/account, or a failure)."""

    session_id: int
    request: str  # which request failed: lookup, loan, return, renewal, account, payment
    reason: str = "offline.unavailable"
    item_id: str = ""
