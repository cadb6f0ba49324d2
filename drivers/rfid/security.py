"""Switching an item's gate security, and proving it by reading it back (rfid note §2, §7.3).

One definition of what "secured" (in the library: the gate alarms) and "released" (on loan: the gate stays
silent) mean on a tag, by the library's security mode:

* ``afi``: the AFI is ``afi_in_library`` (default 0x07) or ``afi_on_loan`` (default 0xC2) — the ISO
  28560-1 / EDItEUR practice ("C2 … items out for loan … 07 … items in stock");
* ``eas``: the NXP EAS bit is set (secured) or clear (released);
* ``afi+eas``: both.

Writes are addressed to one UID and never lock anything. Every write is checked by reading it back: the
AFI with Get System Information, the EAS bit with EAS Alarm — but only after the tag has proved it is
present, because a tag with EAS clear and an absent tag both stay silent. (Securing in ``eas`` mode needs
no such proof: a tag that answers EAS Alarm is there and set — one command less on the air.) A failed
write or read-back is retried ``retries`` times ``retry_pause`` apart (go-feig uses 5 × 50 ms); then
:class:`SecurityNotVerified`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.errors import DeviceConfigurationError
from drivers.rfid.errors import TagAirError, TagError, TagLocked, TagNotFound, TagWriteFailed
from drivers.rfid.reader import Reader, normalise_uid

SECURITY_MODES = ("afi", "eas", "afi+eas")
AFI_ON_LOAN = 0xC2
AFI_IN_LIBRARY = 0x07


class SecurityNotVerified(TagError):
    """The security state could not be written, or the read-back does not show it."""


@dataclass(frozen=True)
class SecurityPolicy:
    """The library's gate convention (configuration, never guessed)."""

    mode: str = "afi"
    afi_on_loan: int = AFI_ON_LOAN
    afi_in_library: int = AFI_IN_LIBRARY
    retries: int = 4
    retry_pause: float = 0.05

    def __post_init__(self) -> None:
        if self.mode not in SECURITY_MODES:
            expected = ", ".join(SECURITY_MODES)
            raise DeviceConfigurationError(f"security mode {self.mode!r}; expected one of {expected}")
        for name in ("afi_on_loan", "afi_in_library"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise DeviceConfigurationError(f"{name} must be a byte (0x00-0xFF)")
        if self.afi_on_loan == self.afi_in_library and "afi" in self.mode:
            raise DeviceConfigurationError("afi_on_loan and afi_in_library must differ")

    @property
    def uses_afi(self) -> bool:
        """Whether the AFI carries security."""
        return self.mode in ("afi", "afi+eas")

    @property
    def uses_eas(self) -> bool:
        """Whether the EAS bit carries security."""
        return self.mode in ("eas", "afi+eas")


@dataclass(frozen=True)
class SecurityState:
    """What a tag says about its security right now (``None`` = not read in this mode)."""

    uid: str
    afi: int | None
    eas: bool | None
    secured: bool  # every part of the mode says "in the library"
    released: bool  # every part of the mode says "on loan"


def read_state(reader: Reader, uid: str, policy: SecurityPolicy) -> SecurityState:
    """Read AFI and/or EAS back. Raises TagNotFound if the tag is not there (Get System Info fails)."""
    uid = normalise_uid(uid)
    info = reader.system_info(uid)  # proves presence before the EAS check, and gives the AFI
    afi = info.afi if policy.uses_afi else None
    eas = reader.eas_alarm(uid) if policy.uses_eas else None
    secured = (not policy.uses_afi or afi == policy.afi_in_library) and (not policy.uses_eas or eas is True)
    released = (not policy.uses_afi or afi == policy.afi_on_loan) and (not policy.uses_eas or eas is False)
    return SecurityState(uid, afi, eas, secured, released)


def secure(
    reader: Reader, uid: str, policy: SecurityPolicy, pause: Callable[[float], None] = time.sleep
) -> SecurityState:
    """Put the item's security on (it was returned) and prove it."""
    return _switch(reader, uid, policy, on=True, pause=pause)


def release(
    reader: Reader, uid: str, policy: SecurityPolicy, pause: Callable[[float], None] = time.sleep
) -> SecurityState:
    """Take the item's security off (it was lent) and prove it."""
    return _switch(reader, uid, policy, on=False, pause=pause)


def _switch(
    reader: Reader, uid: str, policy: SecurityPolicy, on: bool, pause: Callable[[float], None]
) -> SecurityState:
    uid = normalise_uid(uid)
    afi = policy.afi_in_library if on else policy.afi_on_loan
    last: Exception | None = None
    for attempt in range(policy.retries + 1):
        if attempt:
            pause(policy.retry_pause)
        try:
            if policy.uses_afi:
                reader.write_afi(uid, afi)
            if policy.uses_eas:
                reader.set_eas(uid, on)
            if on and policy.mode == "eas" and reader.eas_alarm(uid):
                return SecurityState(uid, None, True, secured=True, released=False)  # it answered: proof
            state = read_state(reader, uid, policy)
        except TagLocked:
            raise  # a password or lock does not go away by trying again
        except (TagWriteFailed, TagAirError, TagNotFound) as exc:
            last = exc
            continue
        if state.secured if on else state.released:
            return state
        last = SecurityNotVerified(f"tag {uid} reads back AFI {state.afi} EAS {state.eas}", uid)
    what = "secure" if on else "release"
    raise SecurityNotVerified(f"could not {what} tag {uid} after {policy.retries + 1} attempts: {last}", uid)
