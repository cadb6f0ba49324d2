"""What the simulated ZVT terminal does: its settings, and the scenario each payment plays.

Each payment plays a scenario; queue them with :meth:`ScenarioQueue.push` (the simulator's
:meth:`~drivers.payment.simulator.TerminalSimulator.push`) or set a default:

``approve`` · ``decline`` · ``cancel`` (customer presses stop) · ``card_timeout`` (no card within
``card_wait``) · ``no_ack`` (the 06 01 is never acknowledged) · ``corrupt_crc`` (the first 04 0F has a
broken CRC) · ``slow_ack`` (every ACK comes late, within T2) · ``power_loss`` (silent after the commit)
· ``receipt`` (the receipt arrives as Print Lines, if the ECR's config byte asks for them).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from drivers.payment import messages as m
from drivers.payment.codec import Apdu
from drivers.payment.sim_books import SimTransaction
from drivers.payment.status_information import StatusInformation, build_status_information

SCENARIOS = (
    "approve",
    "decline",
    "cancel",
    "card_timeout",
    "no_ack",
    "corrupt_crc",
    "slow_ack",
    "power_loss",
    "receipt",
)


@dataclass(frozen=True)
class SimSettings:
    """How the simulated terminal behaves. Delays are in seconds; ``step_delay`` is the pause before
    each message the terminal sends on its own (card read, PIN, host), as a real terminal would have."""

    tid: str = "52523535"
    password: str = "000000"
    sw_version: str = "kiosk-sim 1.0"
    step_delay: float = 0.0
    card_wait: float = 2.0
    commit_timeout: float = 30.0  # at most this long for the kiosk's answer to an approved 04 0F
    ask_again_delay: float = 0.0  # P015 says 2 s; 0 keeps tests fast
    slow_ack: float = 0.0  # ACK delay in the slow_ack scenario; 0 → half of T2
    power_off: float = 0.5
    card_name: str = "Maestro"
    masked_pan: str = "676389EEEEEE1230"  # the only PAN it ever sends, already masked (V28)
    #: Raw BMPs a newer terminal puts into its Status-Information right after the result code (e.g.
    #: ``AA 261206``, the date with its year; or a BMP the kiosk does not know).
    extra_bmps: bytes = b""
    #: Behave like the strictest terminals on the serial link: while waiting for an ACK, any other byte
    #: is a failed try (the frame is repeated; after all repeats the message counts as not acknowledged).
    strict_ack: bool = False
    #: Raw bytes appended to the Abort (06 1E) that follows an auto-reversal (tests: odd TLV in it).
    abort_extra: bytes = b""
    receipt_lines: tuple[str, ...] = (
        "OPENBARE BIBLIOTHEEK",
        "Betaling / Payment",
        "Maestro xxxxxxxxxxxx1230",
    )

    def status_information(self, tx: SimTransaction, result: int = 0x00) -> Apdu:
        """The ``04 0F`` this terminal sends about ``tx`` (the masked PAN only with an approval)."""
        si = StatusInformation(
            result_code=result,
            amount=tx.amount,
            currency=m.EUR,
            trace=tx.trace,
            receipt_no=tx.receipt_no,
            turnover=tx.trace,
            tid=self.tid,
            date=tx.date,
            time=tx.time,
            card_name=tx.card_name,
            card_type=0x05,
            payment_type=0x70,
            text="STORNO" if tx.kind == "reversal" else None,  # how its receipt marks a reversal
        )
        apdu = build_status_information(si, None if result else self.masked_pan)
        if self.extra_bmps:
            apdu = Apdu(apdu.cls, apdu.instr, apdu.data[:2] + self.extra_bmps + apdu.data[2:])
        return apdu


def check_scenario(scenario: str) -> str:
    """``scenario`` if the simulator knows it; a :class:`ValueError` naming the known ones otherwise."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {', '.join(SCENARIOS)}")
    return scenario


class ScenarioQueue:
    """The scenarios queued for the next payments, and the default when none is queued. Thread-safe:
    tests push from their own thread while the simulator takes from its own."""

    def __init__(self, default: str = "approve") -> None:
        self.default = check_scenario(default)
        self._queue: deque[str] = deque()
        self._lock = threading.Lock()

    def push(self, *scenarios: str) -> None:
        """Queue scenarios for the next payments, in order (all or none: each is checked first)."""
        for s in scenarios:
            check_scenario(s)
        with self._lock:
            self._queue.extend(scenarios)

    def peek(self) -> str:
        """The scenario the next payment will play."""
        with self._lock:
            return self._queue[0] if self._queue else self.default

    def take(self) -> str:
        """The scenario of the payment that starts now."""
        with self._lock:
            return self._queue.popleft() if self._queue else self.default
