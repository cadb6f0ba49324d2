"""The simulated ILS as one object: :class:`Library` = state + circulation + accounts.

Use :meth:`Library.demo` for the documented demo data (``docs/demo-data.md``), or build an empty one
and fill ``patrons``/``items``/``rules`` yourself.  The TCP server (:mod:`sip2.simulator.server`) only
translates SIP2 messages into calls on this object, so tests can also drive it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sip2.simulator.accounts import Accounts, PatronView

__all__ = ["Library", "PatronView"]


class Library(Accounts):
    """A small public library's ILS: patrons, items, loan rules, loans, fees, payments, holds.

    Thread-safe: every operation takes ``lock``.  Every applied transaction is journalled in ``applied``
    (see :attr:`counter` and :meth:`times_applied`) and announced to ``listeners``.
    """

    @classmethod
    def demo(
        cls, *, clock: Callable[[], datetime] | None = None, fee_limit: Decimal = Decimal("10.00")
    ) -> Library:
        """A library filled with the demo data of ``docs/demo-data.md``, dated relative to *clock*'s today."""
        from sip2.simulator.demo import fill_demo

        library = cls(clock=clock, fee_limit=fee_limit)
        fill_demo(library)
        return library
