"""The session's full state (including what the view must not show) and its settings.

:class:`SessionState` is immutable; the machine returns a new one per event. It holds the pass number
and PIN in memory only for the session's lifetime; :meth:`SessionState.view` produces the
:class:`~kiosk.core.view.SessionView` for the UI without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from kiosk.core.barcodes import ANY_ITEM, ItemRule
from kiosk.core.pad_model import PadState
from kiosk.core.service import ServiceMode
from kiosk.core.service_hours import ModePolicy, ServiceHours
from kiosk.core.view import (
    AT_REST,
    AccountView,
    ItemLine,
    LineKind,
    LineStatus,
    Message,
    PatronView,
    Screen,
    SessionView,
)

# An outstanding request: (kind, item id or ""). Kinds: lookup, loan, return, renewal, account, payment.
Request = tuple[str, str]
LOOKUP: Request = ("lookup", "")
ACCOUNT: Request = ("account", "")
PAYMENT: Request = ("payment", "")

PIN_MODES = ("always", "never", "patron")
RECEIPT_MODES = ("ask", "always", "never")

# SIP2 2.00 language codes (field "language", 3 digits) for the languages a Dutch kiosk is likely to
# offer; anything else keeps the current language.
SIP2_LANGUAGES = {
    "001": "en",
    "002": "fr",
    "003": "de",
    "004": "it",
    "005": "nl",
    "006": "sv",
    "007": "fi",
    "008": "es",
    "009": "da",
    "010": "pt",
    "011": "fr",
    "012": "no",
    "013": "he",
    "014": "ja",
    "015": "ru",
    "016": "ar",
    "017": "pl",
    "018": "el",
    "019": "zh",
    "020": "ko",
    "021": "es",
    "022": "ta",
    "023": "ms",
    "024": "en",
    "025": "is",
    "026": "nl",
    "027": "zh",
}


def language_for_sip2(code: str) -> str | None:
    """Map a SIP2 language code to ISO 639-1, or None for ``000`` (unknown) and unmapped codes."""
    return SIP2_LANGUAGES.get(code.strip())


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Site settings the session needs: from [session], [site], [receipt] and [payment]."""

    pin: str = "patron"  # "always" | "never" | "patron"
    pin_tries: int = 3
    idle_timeout: float = 60.0
    idle_warning: float = 20.0
    receipt: str = "ask"  # "ask" | "always" | "never"
    languages: tuple[str, ...] = ("nl", "en")
    default_language: str = "nl"
    payment_enabled: bool = True
    pin_lockout_minutes: float = 15.0  # wrong PINs per pass are remembered this long (memory only)
    receipt_prompt_seconds: float = 15.0  # the receipt question ends the session after this long
    hold_returns: str = "bin"  # a returned item reserved for someone else goes: bin | trolley | shelf
    rfid_offline_security: str = "release"  # "release" | "refuse": RFID loans while the ILS is offline
    rfid_returns_from_idle: bool = False  # items put on the pad at the attract screen are returned
    hours: ServiceHours | None = None  # [schedule] and [modes.*]; None: staffed around the clock
    pass_validation: str = "dutch14"  # [passes] validation: "off" lets the screen tell a pass from an item
    item_rule: ItemRule = ANY_ITEM  # [items]: what an item barcode looks like
    list_loans: bool = False  # [receipt] list_loans: the receipt lists all current loans with due dates
    goodbye_seconds: float = 4.0  # the goodbye after a session, before the attract screen (a tap skips it)

    def __post_init__(self) -> None:
        if self.pin not in PIN_MODES:
            raise ValueError(f"session pin must be one of {PIN_MODES}, not {self.pin!r}")
        if self.receipt not in RECEIPT_MODES:
            raise ValueError(f"receipt mode must be one of {RECEIPT_MODES}, not {self.receipt!r}")
        if self.pin_tries < 1:
            raise ValueError("session pin_tries must be at least 1")
        if not 0 <= self.idle_warning < self.idle_timeout:
            raise ValueError("session idle_warning must be >= 0 and below idle_timeout")
        if self.goodbye_seconds < 0:
            raise ValueError("goodbye_seconds must be >= 0")
        if self.default_language not in self.languages:
            raise ValueError("site default_language must be one of site languages")

    @classmethod
    def from_config(cls, config: Any) -> SessionSettings:
        """Build from a loaded ``KioskConfig`` (sections site, session, receipt, payment)."""
        return cls(
            pin=config.session.pin,
            pin_tries=int(config.session.pin_tries),
            idle_timeout=float(config.session.idle_timeout),
            idle_warning=float(config.session.idle_warning),
            receipt=config.receipt.mode,
            languages=tuple(config.site.languages),
            default_language=config.site.default_language,
            payment_enabled=bool(config.payment.enabled),
            pin_lockout_minutes=float(config.session.pin_lockout_minutes),
            receipt_prompt_seconds=float(config.receipt.prompt_seconds),
            hold_returns=str(config.site.hold_returns),
            rfid_offline_security=str(getattr(getattr(config, "rfid", None), "offline_security", "release")),
            rfid_returns_from_idle=bool(getattr(getattr(config, "rfid", None), "returns_from_idle", False)),
            hours=getattr(config, "hours", None),
            pass_validation=str(getattr(getattr(config, "passes", None), "validation", "dutch14")),
            item_rule=ItemRule.from_config(config.items) if hasattr(config, "items") else ANY_ITEM,
            list_loans=bool(getattr(config.receipt, "list_loans", False)),
        )


@dataclass(frozen=True, slots=True)
class SessionState:
    """Everything the machine knows. Build the first one with :meth:`initial`."""

    screen: Screen
    language: str
    session_id: int = 1
    language_chosen: bool = False  # the member picked the language in this session: it beats the ILS's
    clock: float | None = None  # the latest Tick
    last_activity: float | None = None
    warned: bool = False
    ils_online: bool = True
    pass_number: str | None = field(default=None, repr=False)
    pin: str | None = field(default=None, repr=False)
    pin_tries_left: int = 0
    patron: PatronView | None = None
    items: tuple[ItemLine, ...] = ()
    account: AccountView | None = None
    message: Message | None = None
    pending: tuple[Request, ...] = ()  # requests sent and not answered yet
    switch_pass: str | None = field(default=None, repr=False)
    payments: tuple[tuple[tuple[str, ...], Decimal], ...] = ()
    mode: ServiceMode = field(default_factory=ServiceMode)  # survives the end of a session
    paid: tuple[Any, ...] = ()  # PaidFees of this session, for the receipt (descriptions, card lines)
    # Wrong PINs per pass (keyed hashes, memory only); outlives the session (kiosk.core.pin_lockout).
    pin_failures: tuple[Any, ...] = field(default=(), repr=False)
    pad: PadState = field(default_factory=PadState)  # the RFID pad's items in this session (kiosk.core.pad)
    terminal_prompt: str | None = None  # the terminal's latest instruction in the payment under way
    ended: int = 0  # sessions ended since the kiosk started (survives the session; the UI resets on it)
    goodbye_pass: bool = False  # on the goodbye: the member had identified (remind them of the pass)

    @classmethod
    def initial(cls, settings: SessionSettings) -> SessionState:
        """The attract screen before anything happened."""
        return cls(
            screen=Screen.ATTRACT,
            language=settings.default_language,
            pin_tries_left=settings.pin_tries,
        )

    def asking(self, *requests: Request) -> tuple[Request, ...]:
        """The outstanding requests plus these."""
        return (*self.pending, *requests)

    def answered(self, request: Request) -> tuple[Request, ...]:
        """The outstanding requests minus one occurrence of ``request``."""
        pending = list(self.pending)
        if request in pending:
            pending.remove(request)
        return tuple(pending)

    def with_(self, **changes: Any) -> SessionState:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def line(self, kind: LineKind, item_id: str) -> ItemLine | None:
        """The latest line for this item and kind, or None."""
        for existing in reversed(self.items):
            if existing.kind is kind and existing.item_id == item_id:
                return existing
        return None

    def with_line(self, new: ItemLine) -> SessionState:
        """Replace the latest line of the same kind and item, or append it."""
        items = list(self.items)
        for i in range(len(items) - 1, -1, -1):
            if items[i].kind is new.kind and items[i].item_id == new.item_id:
                items[i] = new
                return replace(self, items=tuple(items))
        return replace(self, items=(*items, new))

    def seconds_left(self, settings: SessionSettings) -> float | None:
        """Seconds until the idle timeout, or None when no session is running."""
        if self.screen in AT_REST or self.clock is None or self.last_activity is None:
            return None
        return max(0.0, settings.idle_timeout - (self.clock - self.last_activity))

    def view(self, settings: SessionSettings) -> SessionView:
        """The immutable snapshot the UI renders (no pass number, no PIN). Texts that name the desk are
        replaced by the staffing mode's instruction here, so the UI and speech say the right thing."""
        policy = self.mode.policy
        items = self.items
        if policy.desk_texts:
            items = tuple(
                replace(
                    line,
                    message=_instead(line.message, policy),
                    notes=tuple(_instead(n, policy) or n for n in line.notes),
                )
                for line in self.items
            )
        return SessionView(
            screen=self.screen,
            language=self.language,
            ils_online=self.ils_online,
            patron=self.patron,
            items=items,
            account=self.account,
            message=_instead(self.message, policy),
            busy=bool(self.pending),
            pin_tries_left=self.pin_tries_left,
            idle_warning=self.warned,
            seconds_left=self.seconds_left(settings) if self.warned else None,
            confirm_switch=self.switch_pass is not None,
            payments=self.payments,
            service=self.mode,
            terminal_prompt=self.terminal_prompt if PAYMENT in self.pending else None,
            ended=self.ended,
            goodbye_pass=self.goodbye_pass,
        )

    def problems(self, settings: SessionSettings) -> list[str]:
        """Consistency rules every state must satisfy; returns what is violated (empty = consistent)."""
        out: list[str] = []
        patron_screens = {Screen.MENU, Screen.BORROW, Screen.RENEW, Screen.ACCOUNT, Screen.PAY}
        if self.screen in AT_REST:
            if self.pass_number or self.pin or self.patron or self.items or self.account:
                out.append(f"{self.screen.value} screen still holds patron data")
            if self.warned or self.switch_pass or self.payments or self.pending:
                out.append(f"{self.screen.value} screen has session leftovers")
        if self.screen in patron_screens and (self.patron is None or not self.pass_number):
            out.append(f"{self.screen.value} without an identified patron")
        if self.screen in (Screen.PIN, Screen.IDENTIFYING) and not self.pass_number:
            out.append(f"{self.screen.value} without a pass")
        if self.mode.closed and self.screen not in AT_REST and not self.pending:
            out.append(f"a session on {self.screen.value} while closed with nothing outstanding")
        if not self.mode.serving and self.screen is not Screen.ATTRACT:
            out.append(f"a session on {self.screen.value} while {self.mode.availability.value}")
        if not 0 <= self.pin_tries_left <= settings.pin_tries:
            out.append("pin tries out of range")
        if self.language not in settings.languages:
            out.append("language not offered by the site")
        for line in self.items:
            if line.status is LineStatus.PENDING and (line.kind.value, line.item_id) not in self.pending:
                out.append(f"pending {line.kind.value} line without an outstanding request")
        return out


def _instead(message: Message | None, policy: ModePolicy) -> Message | None:
    """``message`` with its key replaced by the mode's instruction when it names the desk."""
    if message is None or policy.text_key(message.key) == message.key:
        return message
    return replace(message, key=policy.text_key(message.key))
