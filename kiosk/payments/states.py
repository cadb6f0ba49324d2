"""The states of a payment in the journal, and which changes between them are allowed.

Two orders lead to ``DONE`` (see ``docs/payments-recovery.md``):

* issue of goods (vending mode, preferred): the terminal holds the approved payment while the ILS
  records the fee, so ``SI_RECEIVED → SIP2_SENT → SIP2_ACCEPTED → COMMITTED → DONE``;
* outbox (terminals without vending mode): ``SI_RECEIVED → COMMITTED → SIP2_SENT → SIP2_ACCEPTED →
  DONE``, and a refusal by the ILS leads to ``SIP2_REJECTED → REVERSAL_NEEDED → REVERSED``.

``UNKNOWN`` means the terminal may or may not have taken the money; only recovery (Registration +
Repeat Receipt) moves it on. ``NEEDS_STAFF`` is the one state a machine cannot settle (the ILS recorded
a fee for which no money was taken, or a reversal was impossible); it always raises an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """One journal state (stored as its name)."""

    NEW = "NEW"
    AUTH_SENT = "AUTH_SENT"
    SI_RECEIVED = "SI_RECEIVED"
    COMMITTED = "COMMITTED"
    SIP2_SENT = "SIP2_SENT"
    SIP2_ACCEPTED = "SIP2_ACCEPTED"
    SIP2_REJECTED = "SIP2_REJECTED"
    DONE = "DONE"
    REVERSAL_NEEDED = "REVERSAL_NEEDED"
    REVERSED = "REVERSED"
    UNKNOWN = "UNKNOWN"
    CANCELLED = "CANCELLED"
    DECLINED = "DECLINED"
    NEEDS_STAFF = "NEEDS_STAFF"


S = State

#: Final states: nothing more will happen to the payment (staff may still look at NEEDS_STAFF).
FINAL = frozenset({S.DONE, S.REVERSED, S.CANCELLED, S.DECLINED, S.NEEDS_STAFF})

#: While a payment is in one of these, no new Authorization may be sent (zvt.md §6 rule 1): the
#: terminal may still be charging, or holding an approved payment.
BLOCKING = frozenset(
    {
        S.NEW,
        S.AUTH_SENT,
        S.SI_RECEIVED,
        S.UNKNOWN,
        S.SIP2_SENT,
        S.SIP2_ACCEPTED,
        S.SIP2_REJECTED,
        S.COMMITTED,
        S.REVERSAL_NEEDED,
    }
)

_ANY_END = {S.REVERSED, S.NEEDS_STAFF}

#: Allowed changes. A state may be written again (e.g. SIP2_SENT once per fee line).
TRANSITIONS: dict[State, frozenset[State]] = {
    S.NEW: frozenset({S.AUTH_SENT, S.CANCELLED}),
    S.AUTH_SENT: frozenset({S.SI_RECEIVED, S.DECLINED, S.CANCELLED, S.UNKNOWN, S.COMMITTED} | _ANY_END),
    S.SI_RECEIVED: frozenset(
        {S.SIP2_SENT, S.SIP2_REJECTED, S.COMMITTED, S.UNKNOWN, S.DECLINED, S.CANCELLED} | _ANY_END
    ),
    S.SIP2_SENT: frozenset({S.SIP2_ACCEPTED, S.SIP2_REJECTED, S.COMMITTED, S.UNKNOWN} | _ANY_END),
    S.SIP2_ACCEPTED: frozenset({S.COMMITTED, S.DONE, S.UNKNOWN} | _ANY_END),
    S.SIP2_REJECTED: frozenset({S.REVERSAL_NEEDED, S.COMMITTED, S.UNKNOWN} | _ANY_END),
    S.COMMITTED: frozenset(
        {S.SIP2_SENT, S.SIP2_ACCEPTED, S.DONE, S.UNKNOWN, S.SIP2_REJECTED, S.REVERSAL_NEEDED} | _ANY_END
    ),
    S.UNKNOWN: frozenset(
        {
            S.COMMITTED,
            S.DONE,
            S.CANCELLED,
            S.DECLINED,
            S.SIP2_SENT,
            S.SIP2_ACCEPTED,
            S.SIP2_REJECTED,
            S.REVERSAL_NEEDED,
        }
        | _ANY_END
    ),
    S.REVERSAL_NEEDED: frozenset({S.REVERSED, S.NEEDS_STAFF}),
    S.NEEDS_STAFF: frozenset({S.DONE, S.REVERSED}),  # a technician settled it by hand
    S.DONE: frozenset(),
    S.REVERSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.DECLINED: frozenset(),
}


def allowed(old: State, new: State) -> bool:
    """Whether the journal may move a payment from ``old`` to ``new``."""
    return (new == old and old not in FINAL) or new in TRANSITIONS[old]


class Line(StrEnum):
    """The ILS side of one fee of a payment (one SIP2 37 each: CG carries a single fee id)."""

    OPEN = "open"  # no Fee Paid sent yet
    SENT = "sent"  # a Fee Paid left (or may have left): its outcome is not known yet
    ACCEPTED = "accepted"  # 38 with payment accepted = Y, or the fee was found paid afterwards
    REFUSED = "refused"  # 38 with N: the ILS did not apply it
    NOT_APPLIED = "not_applied"  # the 37 never reached the ILS, or the fee was found still open
    IN_DOUBT = "in_doubt"  # the ILS answered, but not whether our 37 was applied (the fee changed otherwise)


#: ``money``: what the kiosk knows about the terminal side ("committed" / "not_taken" / NULL = not known).
MONEY_COMMITTED, MONEY_NOT_TAKEN = "committed", "not_taken"
VENDING, OUTBOX = "vending", "outbox"


@dataclass(frozen=True)
class PaymentLine:
    """One fee of a payment and its SIP2 state. ``bk`` is the stable transaction id sent in 37 BK."""

    seq: int
    fee_id: str
    amount_cents: int
    bk: str
    state: Line
    sends: int


@dataclass(frozen=True)
class PaymentRecord:
    """A journal row as read back (the pass number only on demand: :meth:`PaymentJournal.pass_of`)."""

    payment_id: str
    state: State
    mode: str
    amount_cents: int
    currency: str
    prior_receipt: int | None
    receipt_no: int | None
    trace: int | None
    tid: str | None
    term_date: str | None
    money: str | None
    reason: str
    created: float
    updated: float
    fees: tuple[PaymentLine, ...]

    @property
    def fee_ids(self) -> tuple[str, ...]:
        """The fee ids this payment pays, in order."""
        return tuple(f.fee_id for f in self.fees)

    @property
    def final(self) -> bool:
        """Nothing more will happen to this payment."""
        return self.state in FINAL
