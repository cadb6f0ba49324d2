"""Fault modes of the ILS simulator, switchable at runtime (``sim.faults.latency = 0.05``).

Each fault imitates something real servers and networks do (see the SIP2 notes): Koha's CRLF, an
Aleph-style server without checksums, invenio-sip2's unpadded checksums, Evergreen's NFD UTF-8, a
link that drops mid-transaction, a server that accepts a connection and never answers.

The two "drop" faults matter most for recovery tests:

* ``drop_before_reply`` -- the connection is closed when a request arrives, before it is applied:
  the ILS never saw the transaction;
* ``drop_after_apply`` -- the request is applied (and journalled), then the connection is closed
  without a reply: the SC cannot know that the transaction happened and must query, not resend.

Both apply only to the message codes in ``drop_codes`` (by default the state-changing ones, so the
login still works) and, when ``drop_count`` is set, only that many times.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields

#: Messages that change the ILS's books: checkout, checkin, renew, renew all, fee paid, hold, block,
#: patron enable, item status update.
STATE_CHANGING = frozenset({"11", "09", "29", "65", "37", "15", "01", "25", "19"})

#: What ``garbage`` sends before a reply: telnet negotiation, NUL and high bytes, then a CR.
GARBAGE = b"\xff\xfb\x01\x00\x9c\xe2~#garbage#\r"


@dataclass
class Faults:
    """Runtime fault switches; all off by default.  Safe to change while the server runs.

    * ``latency`` -- seconds to wait before each reply;
    * ``drop_before_reply`` / ``drop_after_apply`` / ``drop_codes`` / ``drop_count`` -- see the module;
    * ``garbage`` -- send a line of junk bytes (:data:`GARBAGE`) before each reply;
    * ``crlf`` -- end replies with CRLF (Koha) instead of CR;
    * ``no_checksums`` -- never add AY/AZ to replies (even when the request had them);
    * ``unpadded_checksums`` -- write AZ without leading zeros (invenio-sip2);
    * ``corrupt_checksums`` -- write a wrong AZ (the SC should ask ``97``);
    * ``nfd_utf8`` -- encode replies as UTF-8 in Unicode NFD (Evergreen), whatever the configured encoding;
    * ``refuse_login`` -- answer every 93 with ``940``;
    * ``never_answer`` -- accept connections and read requests, but never reply;
    * ``reset_on_connect`` -- close every new connection at once (an ILS whose SIP2 service is wedged);
    * ``close_after_replies`` -- close each connection after this many replies (0: never); ``1`` drops
      it right after the login reply, ``2`` after login and status (the next request sees EOF).
    """

    latency: float = 0.0
    drop_before_reply: bool = False
    drop_after_apply: bool = False
    drop_codes: frozenset[str] = STATE_CHANGING
    drop_count: int | None = None
    garbage: bool = False
    crlf: bool = False
    no_checksums: bool = False
    unpadded_checksums: bool = False
    corrupt_checksums: bool = False
    nfd_utf8: bool = False
    refuse_login: bool = False
    never_answer: bool = False
    reset_on_connect: bool = False
    close_after_replies: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def clear(self) -> None:
        """Switch every fault off (back to a well-behaved ILS)."""
        defaults = Faults()
        for f in fields(self):
            if not f.name.startswith("_"):
                setattr(self, f.name, getattr(defaults, f.name))

    def take_drop(self, code: str, when: str) -> bool:
        """Whether to drop the connection for a request *code* at point *when* (``before``/``after``).

        Consumes one of ``drop_count`` when it says yes.
        """
        wanted = self.drop_before_reply if when == "before" else self.drop_after_apply
        if not wanted or code not in self.drop_codes:
            return False
        with self._lock:
            if self.drop_count is None:
                return True
            if self.drop_count <= 0:
                return False
            self.drop_count -= 1
            return True

    def set(self, name: str, value: str = "") -> None:
        """Switch one fault on from text (the command line's ``--fault NAME[=VALUE]``)."""
        known = {f.name: f for f in fields(self) if not f.name.startswith("_")}
        if name not in known:
            raise ValueError(f"unknown fault {name!r}; one of {', '.join(sorted(known))}")
        current = getattr(self, name)
        if name == "drop_codes":
            setattr(self, name, frozenset(code.strip() for code in value.split(",") if code.strip()))
        elif isinstance(current, bool):
            setattr(self, name, value.lower() not in ("0", "false", "no", "off"))
        elif name == "drop_count":
            setattr(self, name, int(value) if value else None)
        elif name == "close_after_replies":
            setattr(self, name, int(value) if value else 0)
        else:
            setattr(self, name, float(value) if value else 0.0)
