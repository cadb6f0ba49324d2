"""The RFID pad as the core sees it: what lies on the pad (events), what the core asks of the tags
(effects) and what it remembers about them in one session (:class:`PadState`). Data only, no I/O.

* :class:`ItemsOnPad` — the pad's whole contents *now* (the watcher sends it whenever it changes; an item
  missing from it was taken off). Each :class:`PadItem` is one item: all parts of a set together.
* :class:`PadSecurity` — an effect for the security service: *intend* (before the SIP2 request goes out,
  so a crash right after the ILS answer is found after a restart), *release*/*secure* (the ILS said yes),
  *forget* (the ILS said no: the tag is left as it is).
* :class:`CancelLoan` — undo a loan whose tags could not be released (``unsecured_loan = "cancel"``): a
  return, carried out by the circulation service like any other (online, or queued when offline).
* :class:`PadSecurityResult` — the security service's answer. It is not a
  :class:`~kiosk.core.events.ResultEvent` (those answer a pending SIP2 request); the handler checks the
  session id itself.

Tag UIDs and item ids are not personal data; nothing here names a patron.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.effects import CheckIn, Effect
from kiosk.core.events import Event, UserEvent

# PadItem.status values
OK = "ok"  # an item of this library with all its parts on the pad
INCOMPLETE = "incomplete"  # a set with parts missing (after the configured wait)
FOREIGN = "foreign"  # another library's item
BLANK = "blank"  # a tag without data
UNKNOWN = "unknown"  # data no configured model understands
UNREADABLE = "unreadable"  # the tag answers the inventory but its memory cannot be read
PATRON_CARD = "patron-card"  # a library pass lying on the pad
NOT_AN_ITEM = "not-an-item"  # equipment, discarded items
STATUSES = (OK, INCOMPLETE, FOREIGN, BLANK, UNKNOWN, UNREADABLE, PATRON_CARD, NOT_AN_ITEM)

# PadSecurity.action values
INTEND_RELEASE, INTEND_SECURE = "intend-release", "intend-secure"
RELEASE, SECURE, FORGET = "release", "secure", "forget"


@dataclass(frozen=True, slots=True)
class PadItem:
    """One item on the pad. ``item_id`` is the ILS barcode (for a tag that is not an item of this library:
    its UID, shown so staff can find it); ``uids`` every tag of the item; ``parts``/``present`` the set."""

    item_id: str
    uids: tuple[str, ...]
    status: str = OK
    parts: int = 1
    present: int = 1
    owner: str = ""  # the owner ISIL of a foreign item

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"pad item status {self.status!r}; expected one of {', '.join(STATUSES)}")


@dataclass(frozen=True, slots=True)
class ItemsOnPad(UserEvent):
    """Everything on the pad now (an empty tuple: the pad is empty)."""

    items: tuple[PadItem, ...]


@dataclass(frozen=True, slots=True)
class PadSecurityResult(Event):
    """The security service switched (or could not switch) an item's tags.

    ``reason``: ``""`` when ``ok``; else ``"failed"`` (write or read-back failed after the retries),
    ``"gone"`` (the tag left the pad) or ``"password"`` (the tags are password-protected: configuration).
    """

    session_id: int
    item_id: str
    action: str  # RELEASE | SECURE
    ok: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PadSecurity(Effect):
    """Ask the security service to record, switch or forget an item's tag security (see the module doc)."""

    session_id: int
    item_id: str
    uids: tuple[str, ...]
    action: str


@dataclass(frozen=True, slots=True)
class PadState:
    """What the session knows about the pad: the items it sent to the ILS from the pad (with their tags),
    and the item ids on the pad at the last :class:`ItemsOnPad` (to see what was taken off)."""

    tags: tuple[tuple[str, tuple[str, ...]], ...] = ()
    on_pad: tuple[str, ...] = field(default=())

    def uids(self, item_id: str) -> tuple[str, ...] | None:
        """The tags of an item sent from the pad in this session, or None (a scanned barcode)."""
        for known, uids in self.tags:
            if known == item_id:
                return uids
        return None

    def with_tags(self, item_id: str, uids: tuple[str, ...]) -> PadState:
        """Remember an item's tags."""
        rest = tuple((k, u) for k, u in self.tags if k != item_id)
        return PadState((*rest, (item_id, uids)), self.on_pad)


@dataclass(frozen=True, slots=True)
class CancelLoan(CheckIn):
    """Undo a loan the ILS made but whose tag security could not be switched off (the mode's
    ``unsecured_loan = "cancel"``). It *is* a return for the circulation service (SIP2 09, or queued
    offline), but not a member's return: the mode's ``returns`` switch does not stop it, and its answer
    marks the loan line "not lent" instead of adding a return line."""
