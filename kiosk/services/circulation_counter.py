"""The online counter: carries out the session's circulation effects against the ILS over SIP2.

It runs on the circulation service's worker thread and talks to the ILS only through ``call(what, fn)``
(the service's watched exchange: it times the request, and on failure switches the kiosk offline and
re-raises), so this module holds the mapping from effects to SIP2 requests and nothing of the link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.view import HoldLine
from kiosk.services import circulation_map as cmap
from kiosk.services.circulation_link import NoConnection
from sip2.errors import Sip2Error, Sip2OutcomeUnknown

log = logging.getLogger(__name__)

MAX_ACCOUNT_LOANS = 50
#: The message key shown when the ILS answered with something the kiosk cannot map to a result.
UNUSABLE_REPLY = "error.ils_unavailable"
#: What the session calls each request in a ServiceUnavailable (see kiosk.core.events).
_REQUEST_KIND = {fx.LookUpPatron: "lookup", fx.CheckOut: "loan", fx.CheckIn: "return",
                 fx.Renew: "renewal", fx.LoadAccount: "account"}

#: A renewal was sent but its reply was lost and the ILS could not confirm it: "check your account".
RENEW_UNCONFIRMED = "renew.unconfirmed"

Call = Callable[[str, Callable[[Any], Any]], Any]


class OnlineCounter:
    """Patron lookups, loans, returns, renewals and the account, answered by the ILS."""

    def __init__(
        self, call: Call, post: Callable[[ev.Event], None], before_item: Callable[[str], None]
    ) -> None:
        """``call(what, fn)`` runs ``fn(client)`` watched; ``post`` delivers extra answers;
        ``before_item(item_id)`` runs before a loan or return (the service replays a queued one first)."""
        self._call = call
        self._post = post
        self._before_item = before_item

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
            pin = effect.pin if effect.pin is not None else ""
            reply = self._call("patron", lambda c: c.patron_information(effect.pass_number, pin=pin))
            return cmap.patron_found(effect.session_id, reply, effect.pin)
        if isinstance(effect, fx.CheckOut | fx.CheckIn):
            self._before_item(effect.item_id)  # a queued transaction for this item goes first
        if isinstance(effect, fx.CheckOut):
            reply = self._call(
                "checkout", lambda c: c.checkout(effect.pass_number, effect.item_id, pin=effect.pin)
            )
            return cmap.checked_out(effect.session_id, effect.item_id, reply)
        if isinstance(effect, fx.CheckIn):
            reply = self._call("checkin", lambda c: c.checkin(effect.item_id))
            return cmap.checked_in(effect.session_id, effect.item_id, reply)
        if isinstance(effect, fx.Renew):
            return self._renew(effect)
        assert isinstance(effect, fx.LoadAccount)
        return self._account(effect)

    def _renew(self, effect: fx.Renew) -> ev.Event:
        # The core sent one Renew for several items and expects one answer per item: all but the last
        # are posted here, the last is returned.
        results: list[ev.Event] = []
        for item_id in effect.item_ids:

            def renew(client: Any, item: str = item_id) -> Any:
                return client.renew(effect.pass_number, item, pin=effect.pin)

            try:
                reply = self._call("renew", renew)
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
        fee_formats: list[str] = []

        def info(kind: str) -> Any:
            def ask(client: Any) -> Any:
                fee_formats.append(fee_format_of(client))
                # The window the screen shows (BP1 BQ50), never "everything" (BQ999): servers pad.
                return client.patron_information(
                    effect.pass_number, pin=effect.pin, summary=kind, start=1, end=MAX_ACCOUNT_LOANS
                )

            return self._call("account", ask)

        charged, holds, fines = info("charged"), info("hold"), info("fine")
        waiting = info("unavailable_holds")

        def item(client: Any, wanted: str) -> Any:
            return client.item_information(wanted)

        loans = []
        for item_id in tuple(getattr(charged, "charged_items", ()) or ())[:MAX_ACCOUNT_LOANS]:
            loans.append(cmap.loan_line(item_id, self._call("item", partial(item, wanted=item_id))))
        # Holds: ready on the hold shelf (AS) and not yet in (CD), each with its title (and, ready ones,
        # where and until when) from an 18: a member recognises a title, not a barcode.
        hold_lines: list[HoldLine | str] = []
        ready, not_in = getattr(holds, "hold_items", ()), getattr(waiting, "unavailable_hold_items", ())
        for available, ids in ((True, ready), (False, not_in)):
            for item_id in tuple(ids or ())[:MAX_ACCOUNT_LOANS]:
                info_reply = self._call("item", partial(item, wanted=item_id))
                hold_lines.append(cmap.hold_line(item_id, info_reply, available))
        fee_format = fee_formats[-1] if fee_formats else "generic"
        return ev.AccountLoaded(
            effect.session_id,
            cmap.account(
                loans, hold_lines, list(getattr(fines, "fine_items", ())),
                fee_format, getattr(fines, "fee_amount", None),
            ),
        )


def fee_format_of(client: Any) -> str:
    """The site's fee-line format (``[sip2] fee_format``), from the client's dialect."""
    dialect = getattr(getattr(client, "settings", None), "dialect", None)
    return str(getattr(dialect, "fee_format", "generic") or "generic")


def unusable(effect: fx.Effect, exc: Exception, item_id: str = "") -> ev.Event:
    """The answer to an effect whose ILS reply could not be mapped: a clear error, never a hang."""
    log.error("ILS reply to %s could not be used: %s", type(effect).__name__, type(exc).__name__)
    if not item_id and isinstance(effect, fx.CheckOut | fx.CheckIn):
        item_id = effect.item_id
    kind = _REQUEST_KIND.get(type(effect), "lookup")
    return ev.ServiceUnavailable(getattr(effect, "session_id", 0), kind, UNUSABLE_REPLY, item_id)
