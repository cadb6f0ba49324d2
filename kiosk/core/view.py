"""What the UI renders: an immutable snapshot of the patron session.

The view carries message *keys* (``"error.blocked"``) and the ILS's own screen message text verbatim,
never translated strings: translation is the UI's job. It never carries the pass number or the PIN:
those stay inside :class:`kiosk.core.state.SessionState` and leave it only inside effects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from kiosk.core.service import ServiceMode


class Screen(enum.Enum):
    """The session's screens, in the order a patron meets them."""

    ATTRACT = "attract"  # attract screen: present a pass, or scan an item to return it
    PIN = "pin"  # the site or the patron requires a PIN
    IDENTIFYING = "identifying"  # waiting for the ILS to answer the patron lookup
    NOTICE = "notice"  # the session was refused (blocked pass, PIN tries used up); acknowledge to leave
    MENU = "menu"
    BORROW = "borrow"
    RETURN = "return"  # also reachable from ATTRACT without a pass
    RENEW = "renew"
    ACCOUNT = "account"
    PAY = "pay"
    RECEIPT = "receipt"  # receipt choice
    GOODBYE = "goodbye"  # thank you, in the member's language: the attract screen after a session


#: The screens without a session: the attract screen and the goodbye (which is the attract screen saying
#: thank you: a member's action there is taken as on the attract screen).
AT_REST = frozenset({Screen.ATTRACT, Screen.GOODBYE})


class LineStatus(enum.Enum):
    """The state of one item the patron presented."""

    PENDING = "pending"
    DONE = "done"
    REFUSED = "refused"


class LineKind(enum.Enum):
    """Which transaction an item line (and a receipt line) belongs to."""

    LOAN = "loan"
    RETURN = "return"
    RENEWAL = "renewal"
    PAYMENT = "payment"


@dataclass(frozen=True, slots=True)
class Message:
    """A message for the patron: a translation key, parameters, and the ILS's own text (shown verbatim)."""

    key: str
    ils_text: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        """Return the value of parameter ``name`` (e.g. ``"sort_bin"``), or None."""
        return dict(self.params).get(name)


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One item presented in this session and what happened to it.

    ``notes`` are extra message keys for this item, e.g. ``"item.magnetic_media"`` (keep away from the
    desensitiser) or ``"return.hold_shelf"`` (put it on the hold shelf / in the bin named by the ILS).
    """

    kind: LineKind
    item_id: str
    status: LineStatus = LineStatus.PENDING
    title: str = ""
    due: str = ""
    message: Message | None = None
    notes: tuple[Message, ...] = ()
    offline: bool = False
    renewal: bool = False  # a loan the ILS took as a renewal (the item was already on the patron's card)
    fine: Decimal | None = None  # a return that charged a late fine (for the screen and the receipt)
    rental: Decimal | None = None  # a loan refused for a rental fee the member may pay here


@dataclass(frozen=True, slots=True)
class PaidFees:
    """One payment made in this session, for the receipt: what was paid (the fees' own descriptions,
    never their ids) and the terminal's card receipt lines (printed verbatim, as the law expects)."""

    fee_ids: tuple[str, ...]
    amount: Decimal
    descriptions: tuple[str, ...] = ()
    terminal_lines: tuple[str, ...] = field(default=(), repr=False)  # may show a masked card number


@dataclass(frozen=True, slots=True)
class LoanLine:
    """A loan on the patron's account (from the ILS, memory only)."""

    item_id: str
    title: str = ""
    due: str = ""
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class HoldLine:
    """A hold (reservation) on the patron's account. A hold ready on the hold shelf (``available``)
    says where (``pickup_location``) and until when (``pickup_until``, ISO date) when the ILS gives them."""

    title: str
    available: bool = False
    item_id: str = ""
    pickup_location: str = ""
    pickup_until: str = ""


@dataclass(frozen=True, slots=True)
class FeeLine:
    """An open fee on the patron's account. ``fee_id`` is what the ILS needs to pay it."""

    fee_id: str
    amount: Decimal
    description: str = ""


@dataclass(frozen=True, slots=True)
class AccountView:
    """Loans, holds and fees as the ILS reported them."""

    loans: tuple[LoanLine, ...] = ()
    holds: tuple[HoldLine, ...] = ()
    fees: tuple[FeeLine, ...] = ()

    @property
    def fee_total(self) -> Decimal:
        """The sum of all open fees."""
        return sum((f.amount for f in self.fees), Decimal("0"))


@dataclass(frozen=True, slots=True)
class PatronView:
    """The identified patron as shown on screen (memory only, cleared when the session ends)."""

    display_name: str = ""
    can_borrow: bool = True
    can_renew: bool = True
    flags: frozenset[str] = frozenset()
    screen_message: str = ""
    offline: bool = False  # accepted by the offline pass check, not by the ILS
    holds_ready: int = 0  # holds waiting on the hold shelf (a notice on the menu)
    hold_items: tuple[str, ...] = field(default=(), repr=False)  # their item ids, when the ILS listed them


@dataclass(frozen=True, slots=True)
class SessionView:
    """Everything the UI needs to draw the current screen; immutable, safe to hand to another thread."""

    screen: Screen
    language: str
    ils_online: bool = True
    patron: PatronView | None = None
    items: tuple[ItemLine, ...] = ()
    account: AccountView | None = None
    message: Message | None = None
    busy: bool = False  # a request to the ILS or the terminal is outstanding
    pin_tries_left: int = 0
    idle_warning: bool = False
    seconds_left: float | None = None
    confirm_switch: bool = False  # another pass was presented: ask whether to end this session
    payments: tuple[tuple[tuple[str, ...], Decimal], ...] = field(default=())
    service: ServiceMode = field(default_factory=ServiceMode)  # in service / out of order / maintenance
    terminal_prompt: str | None = None  # the terminal's instruction during a payment (a catalog key)
    # Sessions ended so far: when it changes, the session before is over and the UI forgets every widget
    # it filled for it (privacy), whatever screen comes next.
    ended: int = 0
    # On the goodbye: the member had identified with a pass, so the goodbye reminds them to take it (a
    # return without a pass gets a goodbye that does not mention one).
    goodbye_pass: bool = False

    def lines(self, kind: LineKind) -> tuple[ItemLine, ...]:
        """The item lines of one kind (the borrowing screen shows loans, the return screen returns)."""
        return tuple(line for line in self.items if line.kind is kind)

    @property
    def in_session(self) -> bool:
        """Whether a session is running (any screen but the attract screen and the goodbye)."""
        return self.screen not in AT_REST

    @property
    def shown(self) -> str:
        """The name of the screen the member sees (the UI has a screen of each name): the session's
        screen, or ``"out_of_order"`` while the kiosk is out of order, and while the library is closed
        once the session and its goodbye are over (that screen then says when it opens again)."""
        if self.service.out_of_order or (self.service.closed and self.screen is Screen.ATTRACT):
            return "out_of_order"
        return self.screen.value


# --- what the menu may offer -----------------------------------------------------------------------
FEE_FLAGS = frozenset({"excessive_outstanding_fines", "excessive_outstanding_fees"})
MENU_ACTIONS = ("borrow", "return", "renew", "account", "pay", "finish")


@dataclass(frozen=True, slots=True)
class MenuAction:
    """One menu action: whether it can work now, and if not why (a message key) and what helps instead
    (``points_to``: another action, e.g. ``"pay"`` when fees block borrowing)."""

    name: str
    enabled: bool = True
    reason: Message | None = None
    points_to: str = ""
    shown: bool = True


def menu_actions(patron: PatronView | None, ils_online: bool, payment_enabled: bool) -> dict[str, MenuAction]:
    """What the menu offers this patron now: the one definition the session's handlers and the menu
    screen share, so a button is never offered as if it could work when the session would refuse it."""
    online = ils_online and not (patron is not None and patron.offline)
    offline = Message("offline.unavailable")
    can_pay = payment_enabled and online
    out = {name: MenuAction(name) for name in MENU_ACTIONS}
    if patron is not None and not patron.can_borrow:
        flags = patron.flags
        if patron.offline:
            out["borrow"] = MenuAction("borrow", False, Message("offline.returns_only"))
        elif "expired" in flags:
            out["borrow"] = MenuAction("borrow", False, Message("error.expired", patron.screen_message))
        elif flags & FEE_FLAGS and can_pay:
            out["borrow"] = MenuAction(
                "borrow", False, Message("error.blocked_fees", patron.screen_message), points_to="pay"
            )
        else:
            out["borrow"] = MenuAction("borrow", False, Message("error.blocked", patron.screen_message))
    if not online:
        out["renew"] = MenuAction("renew", False, offline)
        out["account"] = MenuAction("account", False, offline)
    elif patron is not None and not patron.can_renew:
        out["renew"] = MenuAction("renew", False, Message("error.renew_blocked", patron.screen_message))
    if not payment_enabled:
        out["pay"] = MenuAction("pay", False, shown=False)
    elif not online:
        out["pay"] = MenuAction("pay", False, offline)
    return out
