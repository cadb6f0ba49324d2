"""Helpers for the circulation service's link to the ILS: the watched client the online desk uses,
the replay's watchdog proxy, keepalive, abort, close."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.errors import NoConnection as NoConnection  # defined in the kiosk error tree
from sip2.client import Sip2Client
from sip2.errors import Sip2ConnectionError, Sip2Error, Sip2LoginRefused
from sip2.messages import (
    CheckinResponse,
    CheckoutResponse,
    ItemInformationResponse,
    PatronInformationResponse,
    RenewResponse,
)
from sip2.reconnect import ReconnectBackoff

log = logging.getLogger(__name__)
_service_log = logging.getLogger("kiosk.services.circulation")


class WatchedClient:
    """The :class:`~kiosk.services.circulation_online.CirculationClient` the online desk talks to: each
    SIP2 call goes to the service's current client through ``call`` (watchdog, timing, offline switch).
    """

    def __init__(
        self,
        call: Callable[[str, Callable[[Sip2Client], Any]], Any],
        current: Callable[[], Sip2Client | None],
    ) -> None:
        """``call(what, fn)`` runs ``fn(client)`` watched; ``current()`` is the client now in use."""
        self._call = call
        self._current = current

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (``[sip2] fee_format``), from the current client's dialect."""
        client = self._current()
        return client.fee_format if client is not None else "generic"

    def patron_information(
        self, patron_id: str, pin: str | None = None, summary: str = "", start: int = 1, end: int = 10
    ) -> PatronInformationResponse:
        """SIP2 63, watched."""
        what = "account" if summary else "patron"
        reply: PatronInformationResponse = self._call(
            what, lambda c: c.patron_information(patron_id, pin=pin, summary=summary, start=start, end=end)
        )
        return reply

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """SIP2 17, watched."""
        reply: ItemInformationResponse = self._call("item", lambda c: c.item_information(item_id))
        return reply

    def checkout(self, patron_id: str, item_id: str, pin: str | None = None) -> CheckoutResponse:
        """SIP2 11, watched."""
        reply: CheckoutResponse = self._call("checkout", lambda c: c.checkout(patron_id, item_id, pin=pin))
        return reply

    def checkin(self, item_id: str) -> CheckinResponse:
        """SIP2 09, watched."""
        reply: CheckinResponse = self._call("checkin", lambda c: c.checkin(item_id))
        return reply

    def renew(self, patron_id: str, item_id: str, pin: str | None = None) -> RenewResponse:
        """SIP2 29, watched."""
        reply: RenewResponse = self._call("renew", lambda c: c.renew(patron_id, item_id, pin=pin))
        return reply


class Watched:
    """A client proxy that arms the service's watchdog around every call (used by the replay)."""

    def __init__(self, client: Any, busy: Callable[[bool], None]) -> None:
        """``busy(True)`` before each call and ``busy(False)`` after it."""
        self._client = client
        self._busy = busy

    def __getattr__(self, name: str) -> Any:
        """The client's method ``name``, armed; made once per name (the replay calls it per row)."""
        method = getattr(self._client, name)
        busy = self._busy

        def watched(*args: Any, **kwargs: Any) -> Any:
            busy(True)
            try:
                return method(*args, **kwargs)
            except Sip2Error:  # also OSErrors (timeouts, connection errors): passed on unchanged
                raise
            except OSError as exc:  # the watchdog shut the socket down under us
                raise Sip2ConnectionError(f"connection closed: {type(exc).__name__}") from exc
            finally:
                busy(False)

        if callable(method):
            self.__dict__[name] = watched  # found by plain lookup from now on: no __getattr__
        return watched


def probe(client: Any) -> Any:
    """A keepalive exchange: SIP2 99 SC status."""
    return client.sc_status()


def abort(client: Any) -> None:
    """Break a request hanging in another thread: shut the socket down (``close()`` would wait for
    the client's lock, which the hanging request holds)."""
    if client is None:
        return
    client.abort()


def quietly_close(client: Any) -> None:
    """Close a client that is being discarded; errors from a broken connection are irrelevant."""
    try:
        client.close()
    except Exception:  # closing a broken connection may fail; it is being discarded anyway
        log.debug("closing the SIP2 client failed", exc_info=True)


def connect_client(
    factory: Callable[[], Any], backoff: ReconnectBackoff, level: int, failure: str
) -> Any | None:
    """A fresh, logged-in client from ``factory()``, or None (logged at ``level`` as ``failure``) when the
    ILS refuses.

    Every fresh client shares ``backoff``, so the client's own bookkeeping (a failed setup, a refused
    login, a link lost soon after it was made) decides the next attempt. A refused login is a
    configuration alert (``ils_login_refused`` in the service's health), logged as a warning when it
    starts, and retried slowly."""
    log = _service_log  # logged as the service, as before
    client = factory()
    if hasattr(client, "backoff"):
        client.backoff = backoff
    was_refused = backoff.login_refused
    try:
        client.connect()
    except Sip2Error as exc:
        wait = backoff.remaining()
        if isinstance(exc, Sip2LoginRefused) and not was_refused:
            log.warning("ILS login refused: check [sip2] user and password; retrying every %.0f s", wait)
        else:
            log.log(level, "%s: %s (next attempt in %.1f s)", failure, type(exc).__name__, wait)
        quietly_close(client)
        return None
    return client
