"""SIP2 field codes, fixed-field helpers and timestamps.

Variable fields are two uppercase letters followed by a value and ``|`` (spec: "variable-length
fields ... are preceded by a two-character field identifier and terminated by the | character").
Fixed fields have no identifier; their meaning comes from their position.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, fields

#: Field identifier -> name, from the SIP2 2.00 spec plus common 3M extensions (CR..DA).
FIELD_NAMES: dict[str, str] = {
    "AA": "patron identifier",
    "AB": "item identifier",
    "AC": "terminal password",
    "AD": "patron password",
    "AE": "personal name",
    "AF": "screen message",
    "AG": "print line",
    "AH": "due date",
    "AJ": "title identifier",
    "AL": "blocked card msg",
    "AM": "library name",
    "AN": "terminal location",
    "AO": "institution id",
    "AP": "current location",
    "AQ": "permanent location",
    "AS": "hold items",
    "AT": "overdue items",
    "AU": "charged items",
    "AV": "fine items",
    "AY": "sequence number",
    "AZ": "checksum",
    "BD": "home address",
    "BE": "e-mail address",
    "BF": "home phone number",
    "BG": "owner",
    "BH": "currency type",
    "BI": "cancel",
    "BK": "transaction id",
    "BL": "valid patron",
    "BM": "renewed items",
    "BN": "unrenewed items",
    "BO": "fee acknowledged",
    "BP": "start item",
    "BQ": "end item",
    "BR": "queue position",
    "BS": "pickup location",
    "BT": "fee type",
    "BU": "recall items",
    "BV": "fee amount",
    "BW": "expiration date",
    "BX": "supported messages",
    "BY": "hold type",
    "BZ": "hold items limit",
    "CA": "overdue items limit",
    "CB": "charged items limit",
    "CC": "fee limit",
    "CD": "unavailable hold items",
    "CF": "hold queue length",
    "CG": "fee identifier",
    "CH": "item properties",
    "CI": "security inhibit",
    "CJ": "recall date",
    "CK": "media type",
    "CL": "sort bin",
    "CM": "hold pickup date",
    "CN": "login user id",
    "CO": "login password",
    "CP": "location code",
    "CQ": "valid patron password",
    "CR": "collection code",
    "CS": "call number",
    "CT": "destination location",
    "CV": "alert type",
    "CY": "hold patron id",
    "DA": "hold patron name",
}

#: Fields that must never reach a log: passwords (CO login, AC terminal, AD patron PIN).
SECRET_FIELDS = frozenset({"CO", "AC", "AD"})
#: Fields with personal data that are dropped from logs as well (name, address, e-mail, phone).
PERSONAL_FIELDS = frozenset({"AE", "BD", "BE", "BF", "DA"})
#: Identifiers that are logged only as a short hash.
ID_FIELDS = frozenset({"AA", "AB", "CY"})

#: Position (0-based) in the 98 ``BX`` field -> message name, spec order.
SUPPORTED_MESSAGES: tuple[str, ...] = (
    "patron_status",
    "checkout",
    "checkin",
    "block_patron",
    "sc_status",
    "resend",
    "login",
    "patron_information",
    "end_patron_session",
    "fee_paid",
    "item_information",
    "item_status_update",
    "patron_enable",
    "hold",
    "renew",
    "renew_all",
)

#: 18 item circulation status codes of message 18.
CIRCULATION_STATUS: dict[str, str] = {
    "01": "other",
    "02": "on order",
    "03": "available",
    "04": "charged",
    "05": "charged; not to be recalled until earliest recall date",
    "06": "in process",
    "07": "recalled",
    "08": "waiting on hold shelf",
    "09": "waiting to be re-shelved",
    "10": "in transit between library locations",
    "11": "claimed returned",
    "12": "lost",
    "13": "missing",
}

#: "On loan" -- the one definition the client, its recovery and the kiosk's replay use.  Spec table
#: of 18 circulation status (3M SIP2 2.00, message 18):
#:
#: ====  ==========================================================  =======
#: code  meaning                                                     on loan
#: ====  ==========================================================  =======
#: 01    other                                                       no (unknown state)
#: 02    on order                                                    no
#: 03    available                                                   no
#: 04    charged                                                     yes
#: 05    charged; not to be recalled until earliest recall date      yes
#: 06    in process                                                  no
#: 07    recalled (charged to a patron who is asked to return it)    yes
#: 08    waiting on hold shelf                                       no
#: 09    waiting to be re-shelved                                    no
#: 10    in transit between library locations                        no
#: 11    claimed returned (still on the patron's record)             yes
#: 12    lost                                                        no
#: 13    missing                                                     no
#: ====  ==========================================================  =======
#:
#: 07 and 11 are still charged to the patron: a checkin clears them, so after a lost checkin reply
#: they mean "not applied", exactly like 04/05.
ON_LOAN = frozenset({"04", "05", "07", "11"})


def on_loan(circulation_status: str) -> bool:
    """Whether an 18 circulation status means the item is charged to a patron (:data:`ON_LOAN`)."""
    return circulation_status.strip() in ON_LOAN


#: Positions of the 10-character summary of message 63 (at most one ``Y``).
SUMMARY_POSITIONS: tuple[str, ...] = (
    "hold",
    "overdue",
    "charged",
    "fine",
    "recall",
    "unavailable_holds",
)

TIMESTAMP_LENGTH = 18
_TIMESTAMP_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(.{4})(\d{2})(\d{2})(\d{2})$")


def timestamp(when: dt.datetime | None = None, *, utc: bool = False) -> str:
    """An 18-character SIP2 timestamp ``YYYYMMDDZZZZHHMMSS``.

    Spec: "ZZZZ ... local time zone: four blanks when local time, '   Z' (3 blanks and a Z) for UTC".
    A naive *when* is taken as local time.
    """
    if when is None:
        # Every request stamps "now": format each second once (a SIP2 timestamp has no fractions).
        global _last_now
        second = int(time.time())
        last = _last_now
        if last[0] == second and last[1] == utc:
            return last[2]
        when = dt.datetime.fromtimestamp(second, dt.UTC) if utc else dt.datetime.fromtimestamp(second)
        text = _format_timestamp(when, utc)
        _last_now = (second, utc, text)
        return text
    if utc:
        when = (when if when.tzinfo is not None else when.astimezone()).astimezone(dt.UTC)
    elif when.tzinfo is not None:
        when = when.astimezone()
    return _format_timestamp(when, utc)


_last_now: tuple[int, bool, str] = (-1, False, "")  # (epoch second, utc, text) of the last "now"


def _format_timestamp(when: dt.datetime, utc: bool) -> str:
    # f-string rather than two strftime calls: this runs for every request the kiosk sends.
    return (
        f"{when.year:04d}{when.month:02d}{when.day:02d}{'   Z' if utc else '    '}"
        f"{when.hour:02d}{when.minute:02d}{when.second:02d}"
    )


def parse_timestamp(value: str) -> dt.datetime | None:
    """Leniently parse a SIP2 timestamp or common due-date form into an *aware* datetime.

    The one place the kiosk reads SIP2 dates.  Accepts the spec form (``YYYYMMDDZZZZHHMMSS`` with
    ZZZZ four blanks for local time or ``   Z`` for UTC), NYPL's ``0000`` zone, ``YYYYMMDD``,
    ``YYYY-MM-DD`` (optionally with a time) and ``MM/DD/YYYY``.  Every result carries a zone (local
    time as this machine's zone, ``Z`` as UTC), so two results can always be compared: a naive and
    an aware datetime cannot (issue 11 item 6: a ``Z`` due date crashed the loan mapping).
    ``None`` when the text is not understood.
    """
    text = value.strip() if len(value) != TIMESTAMP_LENGTH else value
    match = _TIMESTAMP_RE.match(text)
    try:
        if match:
            y, m, d, zone, hh, mm, ss = match.groups()
            result = dt.datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss))
            return result.replace(tzinfo=dt.UTC) if zone.strip() == "Z" else result.astimezone()
        text = value.strip()
        if len(text) > 40:  # none of the forms below is longer; strptime need not look
            return None
        for pattern in (
            "%Y%m%d",
            "%Y-%m-%d",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%m/%d/%Y",
            "%m/%d/%Y %H:%M:%S",
            "%d-%m-%Y",
        ):
            try:
                return dt.datetime.strptime(text, pattern).astimezone()
            except ValueError:
                continue
    except (ValueError, OverflowError, OSError):
        return None
    return None


def summary(kind: str | None = None) -> str:
    """The 10-character summary of message 63 asking for one list (``"charged"``, ``"fine"``, ...).

    ``None`` or ``""`` asks for no list (ten blanks).
    """
    if not kind:
        return " " * 10
    if kind not in SUMMARY_POSITIONS:
        raise ValueError(f"summary must be one of {', '.join(SUMMARY_POSITIONS)}, not {kind!r}")
    position = SUMMARY_POSITIONS.index(kind)
    return " " * position + "Y" + " " * (9 - position)


@dataclass(frozen=True, slots=True)
class PatronStatus:
    """The 14 patron status flags of messages 24, 26 and 64 (spec: ``Y`` = condition is true).

    Decoding is tolerant: anything but ``Y``/``y`` is read as false.
    """

    charge_privileges_denied: bool = False
    renewal_privileges_denied: bool = False
    recall_privileges_denied: bool = False
    hold_privileges_denied: bool = False
    card_reported_lost: bool = False
    too_many_items_charged: bool = False
    too_many_items_overdue: bool = False
    too_many_renewals: bool = False
    too_many_claims_of_items_returned: bool = False
    too_many_items_lost: bool = False
    excessive_outstanding_fines: bool = False
    excessive_outstanding_fees: bool = False
    recall_overdue: bool = False
    too_many_items_billed: bool = False

    @classmethod
    def from_field(cls, value: str) -> PatronStatus:
        """Parse the 14-character fixed field (instances are immutable, so common ones are shared)."""
        cached = _STATUS_CACHE.get(value)
        if cached is not None:
            return cached
        status = cls(*[ch in "Yy" for ch in value[:14].ljust(14)])
        if len(_STATUS_CACHE) < 1024:
            _STATUS_CACHE[value] = status
        return status

    def to_field(self) -> str:
        """The 14-character fixed field (``Y`` or blank per flag)."""
        return "".join("Y" if getattr(self, name) else " " for name in _STATUS_NAMES)

    @property
    def blocked(self) -> bool:
        """True when any flag is set (the patron may not borrow without staff)."""
        return any(getattr(self, f.name) for f in fields(self))

    def active(self) -> tuple[str, ...]:
        """Names of the flags that are set."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


_STATUS_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PatronStatus))
_STATUS_CACHE: dict[str, PatronStatus] = {}
