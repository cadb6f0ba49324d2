"""Events a pass reader delivers to its consumer, and a local hash for log lines.

The consumer (the kiosk) gets these on a background thread and must marshal them to its own thread.
No event's ``repr`` shows a full pass number, so an event printed or logged by accident leaks at most
the last 4 digits. Drivers cannot import ``kiosk.logsetup``; :func:`short_hash` is the local stand-in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from drivers.passnumber import PassCheck, mask_pass_number

# A per-process random key: hashes correlate log lines within one run but cannot be reversed by
# hashing all 10^14 pass numbers, because the key is never written anywhere.
_KEY = secrets.token_bytes(16)


def short_hash(value: str | bytes) -> str:
    """A short keyed hash for log lines: ``#1a2b3c4d`` (never log a pass number or UID itself)."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return "#" + hashlib.blake2s(data, key=_KEY, digest_size=4).hexdigest()


@dataclass(frozen=True, repr=False)
class PassRead:
    """The reader read a library pass that was put on it. ``rule`` says how the number was found (``hex``,
    ``ndef``…). The kiosk turns it into its own :class:`kiosk.core.events.PassPresented`."""

    pass_number: str
    source: str
    rule: str
    check: PassCheck

    def __repr__(self) -> str:
        return (
            f"PassRead(pass_number={mask_pass_number(self.pass_number)!r}, source={self.source!r}, "
            f"rule={self.rule!r}, valid={self.check.valid})"
        )


@dataclass(frozen=True)
class PassRemoved:
    """The card that was on ``source`` has been taken off (also sent for a card that was not a pass)."""

    source: str


@dataclass(frozen=True)
class ForeignCardRead:
    """The reader saw a card that is not (readable as) a library pass: a bank card, a phone, an unknown
    card type, an invalid number; ``reason`` is for the screen/log."""

    reason: str
    source: str


@dataclass(frozen=True)
class ReaderAttached:
    """A reader matching the URL appeared (at start, after being plugged in, after a pcscd restart)."""

    source: str


@dataclass(frozen=True)
class ReaderDetached:
    """A reader went away (unplugged, or the PC/SC service stopped); ``reason`` says which."""

    source: str
    reason: str


ReaderEvent = PassRead | PassRemoved | ForeignCardRead | ReaderAttached | ReaderDetached
EventCallback = Callable[[ReaderEvent], None]


def describe(event: ReaderEvent) -> dict[str, object]:
    """A JSON-ready description with the pass number masked to its last 4 digits (technician output)."""
    if isinstance(event, PassRead):
        return {
            "event": "pass_presented",
            "source": event.source,
            "pass_number": mask_pass_number(event.pass_number),
            "valid": event.check.valid,
            "scheme": event.check.scheme,
            "reason": event.check.reason or None,
            "rule": event.rule,
        }
    if isinstance(event, PassRemoved):
        return {"event": "pass_removed", "source": event.source}
    if isinstance(event, ForeignCardRead):
        return {"event": "card_not_a_pass", "source": event.source, "reason": event.reason}
    if isinstance(event, ReaderAttached):
        return {"event": "reader_attached", "source": event.source}
    return {"event": "reader_detached", "source": event.source, "reason": event.reason}
