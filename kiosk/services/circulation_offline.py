"""The offline desk: what the kiosk does with loans, returns and lookups while the ILS is unreachable.

Policy ([offline] in config.toml): returns are always accepted and queued; loans only when
``allow_loans``, at most ``max_loans_per_pass`` queued per pass, and only for passes that pass the
offline check (the check digit) when ``offline_pass_validation`` is on; renewing and the account are
unavailable, which the session shows as ``offline.unavailable``.

When the queue cannot be written (disk full, a broken file system) nothing is taken in that the kiosk
could not pass on: the loan or return is refused as ``offline.storage_failed`` (the member keeps the
item and is sent to the desk), :attr:`OfflineDesk.storage_error` says why for maintenance and alerts,
and the next successful write clears it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.logsetup import short_hash
from kiosk.store.queue import CHECKIN, CHECKOUT, TransactionQueue

if TYPE_CHECKING:
    from kiosk.config_schema import OfflineConfig

log = logging.getLogger(__name__)

PassValidator = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class OfflinePolicy:
    """What the kiosk may do while the ILS is unreachable ([offline] in config.toml)."""

    allow_loans: bool = False
    max_loans_per_pass: int = 5
    offline_pass_validation: bool = True

    @classmethod
    def from_config(cls, offline: OfflineConfig) -> OfflinePolicy:
        """From the ``[offline]`` section."""
        return cls(
            bool(offline.allow_loans), int(offline.max_loans_per_pass), bool(offline.offline_pass_validation)
        )


def default_pass_validator(scheme: str = "dutch14", legacy_lengths: tuple[int, ...] = ()) -> PassValidator:
    """The devices package's pass number check (``[passes] validation``) as a yes/no callable."""
    from drivers.passnumber import validate_pass_number

    return lambda number: validate_pass_number(number, scheme, legacy_lengths).valid


class OfflineDesk:
    """Carries out circulation effects without the ILS, queueing what must reach it later."""

    def __init__(self, store: TransactionQueue, policy: OfflinePolicy, validate_pass: PassValidator) -> None:
        """``validate_pass(number)`` is the offline pass check (e.g. :func:`default_pass_validator`)."""
        self.store = store
        self.policy = policy
        self._validate = validate_pass
        self.storage_error = ""  # why the last queue write failed ("" when the last one succeeded)

    def _record(
        self, kind: str, item_id: str, pass_number: str | None = None, *, in_doubt: bool = False
    ) -> bool:
        """Queue a transaction, durably; False (and :attr:`storage_error` set) when it cannot be written."""
        try:
            self.store.enqueue(kind, item_id, pass_number, time.time(), in_doubt=in_doubt)
        except (sqlite3.Error, OSError) as exc:
            self.storage_error = str(exc) or type(exc).__name__  # e.g. "database or disk is full"
            log.error("cannot queue %s %s: %s (refused)", kind, short_hash(item_id), self.storage_error)
            return False
        if self.storage_error:
            log.info("the transaction queue can be written again")
        self.storage_error = ""
        return True

    def in_doubt(self, effect: fx.Effect) -> ev.Event:
        """The link died while this loan/return was in flight: queue it so the replay asks first.

        Even where offline loans are not allowed this is queued: the patron was identified online and
        holds the item, and the ILS may already have registered the loan.
        """
        if not isinstance(effect, fx.CheckOut | fx.CheckIn):
            return self.carry_out(effect, lambda _: None)
        kind = CHECKOUT if isinstance(effect, fx.CheckOut) else CHECKIN
        pass_number = effect.pass_number if isinstance(effect, fx.CheckOut) else None
        if not self._record(kind, effect.item_id, pass_number, in_doubt=True):
            # The ILS may or may not have it, and the kiosk cannot remember to ask: staff must check.
            refused_kind = "loan" if isinstance(effect, fx.CheckOut) else "return"
            return ev.ItemRefused(effect.session_id, effect.item_id, refused_kind, "offline.storage_failed")
        log.warning("%s %s: outcome unknown, queued for checking", kind, short_hash(effect.item_id))
        if isinstance(effect, fx.CheckOut):
            return ev.ItemCheckedOut(effect.session_id, effect.item_id, offline=True)
        return ev.ItemCheckedIn(effect.session_id, effect.item_id, offline=True)

    def behind_queue(self, effect: fx.CheckOut | fx.CheckIn) -> ev.Event:
        """Online, but a queued row for this item has not reached the ILS yet: queue this one behind it
        (the replay keeps queue order per item), whatever the offline policy says, since the member was
        identified online. The answer says "done, will be sent" (``offline=True``)."""
        kind = CHECKOUT if isinstance(effect, fx.CheckOut) else CHECKIN
        pass_number = effect.pass_number if isinstance(effect, fx.CheckOut) else None
        if not self._record(kind, effect.item_id, pass_number):
            refused_kind = "loan" if isinstance(effect, fx.CheckOut) else "return"
            return ev.ItemRefused(effect.session_id, effect.item_id, refused_kind, "offline.storage_failed")
        log.info(
            "%s %s queued behind a waiting transaction for the same item", kind, short_hash(effect.item_id)
        )
        if isinstance(effect, fx.CheckOut):
            return ev.ItemCheckedOut(effect.session_id, effect.item_id, offline=True)
        return ev.ItemCheckedIn(effect.session_id, effect.item_id, offline=True)

    def carry_out(self, effect: fx.Effect, post: Callable[[ev.Event], None]) -> ev.Event:
        """The offline answer to ``effect``; extra answers (one per renewed item) go to ``post``."""
        if isinstance(effect, fx.LookUpPatron):
            if self.policy.offline_pass_validation and not self._validate(effect.pass_number):
                return ev.PatronUnknown(effect.session_id, reason="offline.pass_invalid")
            return ev.PatronFound(
                effect.session_id, offline=True, offline_loans_allowed=self.policy.allow_loans
            )
        if isinstance(effect, fx.CheckIn):
            if not self._record(CHECKIN, effect.item_id):
                return ev.ItemRefused(effect.session_id, effect.item_id, "return", "offline.storage_failed")
            return ev.ItemCheckedIn(effect.session_id, effect.item_id, offline=True)
        if isinstance(effect, fx.CheckOut):
            return self._loan(effect)
        if isinstance(effect, fx.Renew):
            for item_id in effect.item_ids[:-1]:
                post(ev.ServiceUnavailable(effect.session_id, "renewal", "offline.unavailable", item_id))
            return ev.ServiceUnavailable(
                effect.session_id, "renewal", "offline.unavailable", effect.item_ids[-1]
            )
        assert isinstance(effect, fx.LoadAccount)
        return ev.ServiceUnavailable(effect.session_id, "account", "offline.unavailable")

    def _loan(self, effect: fx.CheckOut) -> ev.Event:
        sid, item_id = effect.session_id, effect.item_id
        if not self.policy.allow_loans:
            return ev.ItemRefused(sid, item_id, "loan", "offline.loans_not_allowed")
        if self.policy.offline_pass_validation and not self._validate(effect.pass_number):
            return ev.ItemRefused(sid, item_id, "loan", "offline.pass_invalid")
        if self.store.loans_for_pass(effect.pass_number) >= self.policy.max_loans_per_pass:
            return ev.ItemRefused(sid, item_id, "loan", "offline.loan_limit")
        if not self._record(CHECKOUT, item_id, effect.pass_number):
            return ev.ItemRefused(sid, item_id, "loan", "offline.storage_failed")
        return ev.ItemCheckedOut(sid, item_id, offline=True)
