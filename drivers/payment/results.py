"""What the payment driver hands back: result values, the kiosk's decisions, and screen events.

A declined or cancelled payment is a :class:`PaymentResult`, not an exception. So is an unknown one:
:attr:`Outcome.UNKNOWN` means the terminal may or may not have taken the money (T4 ran out, the link
died after the Authorization went out, no ACK after the repeats); the journal marks the payment
UNKNOWN and runs recovery (:meth:`ZvtTerminal.repeat_receipt`). It is never reported as declined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from drivers.payment.status_information import StatusInformation


class Outcome(Enum):
    """How a payment (or a reversal) ended, as far as the kiosk can know."""

    APPROVED_COMMITTED = "approved_committed"  # paid: the 04 0F and all print lines were acknowledged
    APPROVED_REVERSED = "approved_reversed"  # approved, then reversed (kiosk refused / reversal done)
    DECLINED = "declined"
    CANCELLED = "cancelled"  # customer pressed stop, card timeout, or the kiosk's abort request
    UNKNOWN = "unknown"  # the terminal may have charged: journal → UNKNOWN, run recovery
    # Repeat Receipt only: the terminal's last transaction is the *record of a reversal* (06 30), which
    # reads like an approved payment of the same amount but took no money (see is_reversal_record).
    REVERSAL_RECORD = "reversal_record"


@dataclass(frozen=True)
class PaymentResult:
    """The end of an Authorization, Reversal or Repeat Receipt.

    ``receipt_pan`` (``xxxxxxxxxxxx8074``) is for printing only and is left out of ``repr`` and
    :meth:`to_dict`; never store or log it.
    """

    outcome: Outcome
    amount: int | None = None
    receipt_no: int | None = None
    trace: int | None = None
    tid: str | None = None
    date: str | None = None
    time: str | None = None
    card_name: str | None = field(default=None, repr=False)  # card data: not in logs
    result_code: int | None = None
    receipt_lines: tuple[str, ...] = field(default=(), repr=False)  # may show the masked card number
    error: str | None = None
    receipt_pan: str | None = field(default=None, repr=False)

    @property
    def paid(self) -> bool:
        """True only when the money is definitely taken."""
        return self.outcome is Outcome.APPROVED_COMMITTED

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without card data (for the CLI and the journal).

        The terminal's receipt lines are left out (only counted): real terminals print the masked card
        number on them, and the card name is card data too. They belong on the member's paper receipt.
        """
        return {
            "outcome": self.outcome.value,
            "amount": self.amount,
            "receipt_no": self.receipt_no,
            "trace": self.trace,
            "tid": self.tid,
            "date": self.date,
            "time": self.time,
            "result_code": None if self.result_code is None else f"{self.result_code:02X}",
            "receipt_line_count": len(self.receipt_lines),
            "error": self.error,
        }

    @classmethod
    def from_status(
        cls,
        outcome: Outcome,
        si: StatusInformation | None,
        lines: list[str] | tuple[str, ...] = (),
        result_code: int | None = None,
        error: str | None = None,
    ) -> PaymentResult:
        """Build a result from the last Status-Information seen (which may be missing)."""
        if si is None:
            return cls(outcome, result_code=result_code, receipt_lines=tuple(lines), error=error)
        return cls(
            outcome,
            amount=si.amount,
            receipt_no=si.receipt_no,
            trace=si.trace,
            tid=si.tid,
            date=si.date,
            time=si.time,
            card_name=si.card_name,
            result_code=si.result_code if result_code is None else result_code,
            receipt_lines=tuple(lines),
            error=error,
            receipt_pan=si.receipt_pan(),
        )


@dataclass(frozen=True)
class TerminalInfo:
    """The answer to Registration: terminal id, software version (if known) and terminal status."""

    tid: str | None
    sw: str | None
    status: int | None


@dataclass(frozen=True)
class TerminalStatus:
    """The answer to Status Enquiry (05 01). ``ready`` is True for terminal status 00."""

    status: int
    sw: str | None
    key: str

    @property
    def ready(self) -> bool:
        """True if the terminal can take a payment now."""
        return self.status == 0x00

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"status": f"{self.status:02X}", "ready": self.ready, "key": self.key, "sw": self.sw}


@dataclass(frozen=True)
class EndOfDayResult:
    """The answer to End-of-Day (06 50): ok, the total the terminal reports and its receipt lines."""

    ok: bool
    result_code: int | None
    total: int | None
    trace: int | None
    receipt_lines: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "ok": self.ok,
            "result_code": None if self.result_code is None else f"{self.result_code:02X}",
            "total": self.total,
            "trace": self.trace,
            "receipt_lines": list(self.receipt_lines),
            "error": self.error,
        }


# --- the kiosk's answer to an approved Status-Information -----------------------------------------------


@dataclass(frozen=True)
class Commit:
    """Keep the payment: answer ``80 00 00``."""


@dataclass(frozen=True)
class Reverse:
    """Refuse the goods: answer ``84 code``; the terminal reverses, no money is taken."""

    code: int = 0x6C


@dataclass(frozen=True)
class AskAgain:
    """Not decided yet (e.g. SIP2 fee paid still running): answer ``84 9C 00``; vending mode only."""


Decision = Commit | Reverse | AskAgain


# --- events for the screen -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusEvent:
    """An Intermediate Status (04 FF): the code and a message key the UI translates."""

    code: int
    key: str


@dataclass(frozen=True)
class PrintLineEvent:
    """One receipt line from the terminal (06 D1)."""

    text: str
    last: bool


TerminalEvent = StatusEvent | PrintLineEvent
