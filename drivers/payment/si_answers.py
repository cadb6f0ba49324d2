"""How the command layer answers the terminal's Status-Information outside an Authorization: during
Registration (a held issue-of-goods payment asked about again), Repeat Receipt and End-of-Day (only the
command's own ``04 0F``), and when nobody is waiting for one (stale). Without I/O.

The rule everywhere (P015 §2.2.6): ``80 00 00`` to an approved ``04 0F`` makes the terminal store the
payment, ``84 6C`` makes it reverse. So an approved ``04 0F`` is acknowledged only when someone decided
to keep exactly that payment, or when acknowledging it stores nothing new (a resent record, totals).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from drivers.errors import DeviceProtocolError
from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.payment_flow import Run
from drivers.payment.status_information import StatusInformation, parse_status_information

log = logging.getLogger(__name__)

#: ``held(status_information) -> commit?``: asked about an *approved* Status-Information that arrives
#: while a command that takes no payment runs (a held issue-of-goods payment the terminal asks about
#: again). True → ``80 00 00`` (the terminal stores it), False → ``84 6C`` (the terminal reverses it).
HeldCallback = Callable[[StatusInformation], bool]
#: ``on_si(status_information or None if unreadable) -> (our answer, whether it commits a payment)``.
SiAnswer = Callable[[StatusInformation | None], tuple[Apdu, bool]]


class OwnStatusInformation:
    """``on_si`` for Repeat Receipt and End-of-Day: accept only the messages that belong to the command.

    zvt.md §3: Repeat Receipt with service byte 01 resends *the* last Status-Information, End-of-Day
    sends its totals in *one* ``04 0F``; both then send Print Lines and an empty ``06 0F``. So the first
    readable ``04 0F`` is acknowledged (acknowledging a resent record or totals stores nothing new).
    Anything else is refused with ``84 6C``, so that a payment's approved ``04 0F`` that strays in (a
    held payment asked about again) can never be committed by our acknowledgement, and the command
    fails with a :class:`DeviceProtocolError` saying why: a second ``04 0F``, an unreadable one, one
    carrying a card number (BMP 22) during End-of-Day (a payment's, not totals), or a Completion in the form
    that ends Registration or Status Enquiry (terminal status / software version) instead of this
    command's.
    """

    def __init__(self, command: str, totals: bool = False) -> None:
        self.command = command
        self.totals = totals
        self.seen = 0
        self.problem: str | None = None

    def __call__(self, si: StatusInformation | None) -> tuple[Apdu, bool]:
        self.seen += 1
        if si is None:
            return self._refuse("an unreadable Status-Information")
        if self.seen > 1:
            return self._refuse("a second Status-Information")
        if self.totals and si.pan_last4 is not None:  # totals carry no card number; a payment does
            return self._refuse("a payment's Status-Information (card data) instead of the totals")
        return m.ack_apdu(), False

    def _refuse(self, what: str) -> tuple[Apdu, bool]:
        self.problem = self.problem or what
        return m.negative_apdu(m.RESULT_ECR_REFUSES), False

    def raise_if_foreign(self, run: Run) -> None:
        """Raise if anything that does not belong to the command came (see the class docstring)."""
        done = run.completion
        if (
            self.problem is None
            and done is not None
            and (done.sw_version is not None or done.status is not None)
        ):
            self.problem = "a Completion of another command (terminal status or software version)"
        if self.problem is not None:
            raise DeviceProtocolError(f"{self.command}: the terminal sent {self.problem}; result not used")


def refuse_undecided(apdu: Apdu) -> Apdu:
    """The answer to a message nobody is waiting for: refuse a Status-Information, acknowledge the rest."""
    if apdu.command == m.STATUS_INFORMATION:
        return m.negative_apdu(m.RESULT_ECR_REFUSES)
    return m.ack_apdu()


def parse_si(data: bytes) -> StatusInformation | None:
    """A Status-Information's fields, or None if it is unreadable (then it is never committed)."""
    try:
        return parse_status_information(data)
    except DeviceProtocolError as exc:
        log.warning("unreadable Status-Information: %s", exc)
        return None


def held_answer(decide: HeldCallback) -> SiAnswer:
    """``on_si`` for a held payment asked about again (Registration, Repeat Receipt's start, or serving a
    terminal after a restart): ``decide`` commits or refuses an approved one; an unreadable one is
    refused, a declined one acknowledged (that commits nothing)."""

    def answer(si: StatusInformation | None) -> tuple[Apdu, bool]:
        if si is None:
            return m.negative_apdu(m.RESULT_ECR_REFUSES), False
        if not si.approved:
            return m.ack_apdu(), False
        try:
            commit = decide(si)
        except Exception:  # a broken decision must never commit money
            log.exception("held-payment decision failed; refusing the payment")
            commit = False
        if commit:
            log.info("terminal asked again about the held payment: committing it")
            return m.ack_apdu(), True
        log.warning("terminal offered an approved payment nobody decided on: refusing it")
        return m.negative_apdu(m.RESULT_ECR_REFUSES), False

    return answer


def refuse_payment_si(si: StatusInformation | None) -> tuple[Apdu, bool]:
    """``on_si`` for commands that take no payment (Registration, Status Enquiry): a Status-Information
    arriving then belongs to a payment held from before; never commit it by acknowledging."""
    return m.negative_apdu(m.RESULT_ECR_REFUSES), False
