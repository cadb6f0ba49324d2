"""Helpers for the circulation service's link to the ILS: keepalive, watchdog proxy, abort, close."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.errors import NoConnection as NoConnection  # defined in the kiosk error tree
from sip2.errors import Sip2ConnectionError, Sip2Error

log = logging.getLogger(__name__)


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
