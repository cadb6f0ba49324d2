"""The online desk: carries out the session's circulation effects against the ILS over SIP2.

It runs on the circulation service's worker thread and talks to the ILS only through a
:class:`CirculationClient` -- the SIP2 calls it needs, each returning its typed reply.  The service
hands it a watched client (:class:`~kiosk.services.circulation_watch.WatchedClient`: it times each
request, and on failure switches the kiosk offline and re-raises); tests hand it a plain
:class:`sip2.client.Sip2Client`.  Before a loan or return it lets the offline queue send what still
waits for that item (a :class:`WaitingQueue`: the service's
:class:`~kiosk.services.circulation_replay.QueueReplayer`).  So this module holds the mapping from
effects to SIP2 requests and nothing of the link.  Its offline twin is
:class:`~kiosk.services.circulation_offline.OfflineDesk`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.view import HoldLine
from kiosk.errors import NoConnection
from kiosk.services import circulation_map as cmap
from kiosk.services.circulation_jobs import HANDLED
from sip2.errors import Sip2Error, Sip2OutcomeUnknown
from sip2.messages import (
    CheckinResponse,
    CheckoutResponse,
    ItemInformationResponse,
    PatronInformationResponse,
    RenewResponse,
)

log = logging.getLogger(__name__)

MAX_ACCOUNT_LOANS = 50
#: The message key shown when the ILS answered with something the kiosk cannot map to a result.
UNUSABLE_REPLY = "error.ils_unavailable"
#: What the session calls each request in a ServiceUnavailable (see kiosk.core.events).
_REQUEST_KIND = {
    fx.LookUpPatron: "lookup",
    fx.CheckOut: "loan",
    fx.CheckIn: "return",
    fx.Renew: "renewal",
    fx.LoadAccount: "account",
}

#: A renewal was sent but its reply was lost and the ILS could not confirm it: "check your account".
RENEW_UNCONFIRMED = "renew.unconfirmed"


class CirculationClient(Protocol):
    """What the online desk needs from the ILS: five SIP2 calls with typed replies, and the site's
    fee-line format.  :class:`sip2.client.Sip2Client` is one."""

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (``[sip2] fee_format``)."""
        ...

    def patron_information(
        self, patron_id: str, pin: str | None = None, summary: str = "", start: int = 1, end: int = 10
    ) -> PatronInformationResponse:
        """SIP2 63."""
        ...

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """SIP2 17."""
        ...

    def checkout(self, patron_id: str, item_id: str, pin: str | None = None) -> CheckoutResponse:
        """SIP2 11."""
        ...

    def checkin(self, item_id: str) -> CheckinResponse:
        """SIP2 09."""
        ...

    def renew(self, patron_id: str, item_id: str, pin: str | None = None) -> RenewResponse:
        """SIP2 29."""
        ...


class WaitingQueue(Protocol):
    """What the online desk needs from the offline queue: what still waits for an item goes first."""

    def send_waiting_for(self, item_id: str) -> None:
        """Send the queued transactions for ``item_id`` to the ILS (if any) before a new one."""
        ...


class NothingWaiting:
    """A :class:`WaitingQueue` that never holds anything (a desk without an offline queue)."""

    def send_waiting_for(self, item_id: str) -> None:
        """Nothing to send."""


class OnlineDesk:
    """Patron lookups, loans, returns, renewals and the account, answered by the ILS."""

    def __init__(
        self,
        client: CirculationClient,
        post: Callable[[ev.Event], None],
        waiting: WaitingQueue | None = None,
    ) -> None:
        """``client`` asks the ILS; ``post`` delivers extra answers; ``waiting`` sends a queued
        transaction for an item before a loan or return of it (default: :class:`NothingWaiting`)."""
        self._client = client
        self._post = post
        self._waiting: WaitingQueue = waiting if waiting is not None else NothingWaiting()

    def carry_out(self, effect: fx.Effect) -> ev.Event:
        """The ILS's answer to ``effect``; extra answers (one per renewed item) go to ``post``.

        Raises Sip2Error / NoConnection when the link fails (the service then works offline). A reply
        the kiosk cannot map (a bug, or a form no ILS should send) ends the request with a clear
        :class:`~kiosk.core.events.ServiceUnavailable` instead of leaving the session waiting."""
        try:
            return self._carry_out(effect)
        except (Sip2Error, NoConnection):
            raise
        except Exception as exc:
            return unusable(effect, exc)

    def _carry_out(self, effect: fx.Effect) -> ev.Event:
        if isinstance(effect, fx.LookUpPatron):
            # An empty AD (rather than none) makes the ILS say whether this patron has a PIN (CQ N),
            # which the "patron" PIN policy needs; Koha and SIPServer check AD whenever it is sent.
            # The hold items (summary "hold": AS) tell the core which items wait for this member on the
            # hold shelf, for a mode that does not let the kiosk hand them out (hold_pickup = false).
            pin = effect.pin if effect.pin is not None else ""
            patron = self._client.patron_information(
                effect.pass_number, pin=pin, summary="hold", end=MAX_ACCOUNT_LOANS
            )
            return cmap.patron_found(effect.session_id, patron, effect.pin)
        if isinstance(effect, fx.CheckOut | fx.CheckIn):
            self._waiting.send_waiting_for(effect.item_id)  # a queued transaction for it goes first
        if isinstance(effect, fx.CheckOut):
            loan = self._client.checkout(effect.pass_number, effect.item_id, pin=effect.pin)
            return cmap.checked_out(effect.session_id, effect.item_id, loan)
        if isinstance(effect, fx.CheckIn):
            returned = self._client.checkin(effect.item_id)
            return cmap.checked_in(effect.session_id, effect.item_id, returned)
        if isinstance(effect, fx.Renew):
            return self._renew(effect)
        assert isinstance(effect, fx.LoadAccount)
        return self._account(effect)

    def _renew(self, effect: fx.Renew) -> ev.Event:
        # The core sent one Renew for several items and expects one answer per item: all but the last
        # are posted here, the last is returned.
        results: list[ev.Event] = []
        for item_id in effect.item_ids:
            try:
                reply = self._client.renew(effect.pass_number, item_id, pin=effect.pin)
                results.append(cmap.renewed(effect.session_id, item_id, reply))
            except Sip2OutcomeUnknown:
                # Sent, reply lost, and the ILS could not tell (sip2.recovery): never "refused".
                results.append(
                    ev.ServiceUnavailable(effect.session_id, "renewal", RENEW_UNCONFIRMED, item_id)
                )
            except (Sip2Error, NoConnection):
                results.append(
                    ev.ServiceUnavailable(effect.session_id, "renewal", "offline.unavailable", item_id)
                )
            except Exception as exc:
                results.append(unusable(effect, exc, item_id))
        for event in results[:-1]:
            self._post(event)
        return results[-1]

    def _account(self, effect: fx.LoadAccount) -> ev.Event:
        def info(kind: str) -> PatronInformationResponse:
            # The window the screen shows (BP1 BQ50), never "everything" (BQ999): servers pad.
            return self._client.patron_information(
                effect.pass_number, pin=effect.pin, summary=kind, start=1, end=MAX_ACCOUNT_LOANS
            )

        charged, holds, fines = info("charged"), info("hold"), info("fine")
        waiting = info("unavailable_holds")
        loans = [
            cmap.loan_line(item_id, self._client.item_information(item_id))
            for item_id in charged.charged_items[:MAX_ACCOUNT_LOANS]
        ]
        # Holds: ready on the hold shelf (AS) and not yet in (CD), each with its title (and, ready ones,
        # where and until when) from an 18: a member recognises a title, not a barcode.
        hold_lines: list[HoldLine | str] = []
        for available, ids in ((True, holds.hold_items), (False, waiting.unavailable_hold_items)):
            for item_id in tuple(ids)[:MAX_ACCOUNT_LOANS]:
                hold_lines.append(cmap.hold_line(item_id, self._client.item_information(item_id), available))
        return ev.AccountLoaded(
            effect.session_id,
            cmap.account(
                loans,
                hold_lines,
                list(fines.fine_items),
                self._client.fee_format or "generic",
                fines.fee_amount,
            ),
        )


def unusable(effect: fx.Effect, exc: Exception, item_id: str = "") -> ev.Event:
    """The answer to an effect whose ILS reply could not be mapped: a clear error, never a hang."""
    log.error("ILS reply to %s could not be used: %s", type(effect).__name__, type(exc).__name__)
    if not item_id and isinstance(effect, fx.CheckOut | fx.CheckIn):
        item_id = effect.item_id
    kind = _REQUEST_KIND.get(type(effect), "lookup")
    session_id = effect.session_id if isinstance(effect, HANDLED) else 0
    return ev.ServiceUnavailable(session_id, kind, UNUSABLE_REPLY, item_id)
