"""How the simulated ACS speaks: a dialect switch (fee-line format, padded lists, UTC dates) and a
**strict** mode that behaves like the least forgiving real server.

Dialects (``IlsSimulator(dialect="koha")``, ``python -m sip2.simulator --dialect koha``):

* ``default`` -- our demo: ``<id> EUR <amount> "<text>"`` fine items (``generic``), local dates;
* ``evergreen`` -- Evergreen's ``eg_legacy`` ``AV`` (``<balance> <type> <title> / <author>``, no id);
* ``3m`` -- Evergreen's ``3m`` ``AV`` (``<id> $<amount> "<FINE|LOST|FEE>" <title>``);
* ``koha`` -- Koha's default ``av_field_template`` (``<description> <amount>``, no id);
* ``wise`` -- OCLC Wise: ``AV`` without ids (``<description> <amount>``); fees with ids come from the
  SIP2+ 41/42 dialog.

Strict mode (``strict=True``), taken from real servers' least forgiving habits:

* lists are **padded** to the requested window with empty fields (``BQ999`` gives 999 ``AU|``) --
  seen in the field;
* due dates are written in UTC (``YYYYMMDD   ZHHMMSS``, which the spec allows), transaction dates
  in local time;
* fee lines use the dialect's own format (``default`` becomes ``evergreen``: no fee ids);
* a request with a bad checksum gets ``96`` and, on the third such request, the connection is closed;
  once a connection used error detection at login, a request without ``AY``/``AZ`` is refused with
  ``96`` (edge-sip2 ``errorDetectionEnabled``);
* faults such as :attr:`~sip2.simulator.faults.Faults.close_after_replies` drop connections.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sip2.fees import format_fee_line

#: Dialect name -> the fee-line format (:mod:`sip2.fees`) its ``AV`` fields use.
DIALECT_FEE_FORMATS: dict[str, str] = {
    "default": "generic",
    "evergreen": "evergreen",
    "3m": "3m",
    "koha": "koha",
    "wise": "wise",
}
#: SIP2 fee type (BT) -> the billing type name Evergreen writes (``last_billing_type``).
BILLING_TYPES: dict[str, str] = {
    "01": "Miscellaneous",
    "02": "Administrative",
    "03": "Damaged Item",
    "04": "Overdue Materials",
    "05": "Processing Fee",
    "06": "Rental",
    "07": "Lost Materials",
    "09": "Hold Fee",
}
#: Bad-checksum requests a strict ACS answers with 96 before it closes the connection.
STRICT_PROTOCOL_ERRORS = 3
#: The most empty list fields a padding ACS writes (its own BQ limit).
MAX_PADDING = 999


@dataclass(frozen=True, slots=True)
class SimDialect:
    """The simulated ILS's habits; build one with :meth:`named`."""

    name: str = "default"
    fee_format: str = "generic"
    pad_lists: bool = False
    utc_dates: bool = False
    strict: bool = False

    @classmethod
    def named(cls, name: str = "default", strict: bool = False) -> SimDialect:
        """The dialect *name* (see the module), optionally strict."""
        if name not in DIALECT_FEE_FORMATS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECT_FEE_FORMATS)}, not {name!r}")
        dialect = cls(name=name, fee_format=DIALECT_FEE_FORMATS[name])
        if strict:
            own = "evergreen" if name == "default" else dialect.fee_format
            dialect = replace(dialect, fee_format=own, pad_lists=True, utc_dates=True, strict=True)
        return dialect

    def fine_item(
        self, fee_id: str, amount: Decimal, fee_type: str, description: str, currency: str = "EUR"
    ) -> str:
        """One ``AV`` value in this dialect's format (*fee_type* the SIP2 fee type code)."""
        billing = BILLING_TYPES.get(fee_type, "Miscellaneous")
        return format_fee_line(
            self.fee_format, fee_id, amount, billing, description.replace('"', "'"), currency
        )

    def pad(self, items: tuple[str, ...], start: int, end: int | None) -> tuple[str, ...]:
        """*items* padded with empty entries up to the window ``start..end`` (when padding)."""
        if not self.pad_lists:
            return items
        wanted = min((end or MAX_PADDING) - max(start, 1) + 1, MAX_PADDING)
        return items + ("",) * max(wanted - len(items), 0)
