"""Per-site SIP2 dialect: everything that differs between ILS installations, in one settings object.

Real servers disagree on framing, text encoding, error detection and timestamps (see the SIP2 notes:
Koha answers with CRLF, Evergreen sends UTF-8 as NFD, Aleph loops on ``97`` when it gets checksums
it does not expect).  Instead of ``if vendor == ...`` scattered through the code, every such
difference is a field of :class:`Dialect`, which the codec, the connection and the client consult.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from sip2.errors import Sip2ConfigurationError
from sip2.fees import check_format as check_fee_format

Terminator = Literal["cr", "crlf"]
ErrorDetection = Literal["on", "off", "auto"]
TimestampZone = Literal["local", "utc"]

#: Encodings a site may choose; cp850 is what pysip2, edge-sip2, fsip2 and Palace default to.
ENCODINGS: dict[str, str] = {"cp850": "cp850", "utf-8": "utf-8", "latin-1": "latin-1", "ascii": "ascii"}
_TERMINATORS: dict[str, bytes] = {"cr": b"\r", "crlf": b"\r\n"}


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one site speaks SIP2.

    * ``terminator`` -- what we *send* after each message: ``"cr"`` (spec, default) or ``"crlf"``.
      On input CR, CRLF and a bare LF are always accepted.
    * ``encoding`` -- ``"cp850"`` (default), ``"utf-8"``, ``"latin-1"`` or ``"ascii"``.  Characters
      the encoding cannot carry are transliterated (accents stripped) and, failing that, sent as ``?``.
    * ``error_detection`` -- ``"on"``: send AY/AZ and require a valid AZ on replies; ``"off"``: never
      send them (Aleph ``error_correction = N``); ``"auto"``: send them, verify them when present,
      accept replies without them.
    * ``timestamps`` -- fill in 18-character timestamps in ``"local"`` time (four blanks) or
      ``"utc"`` (``   Z``).
    * ``wise_sip2plus`` -- the ILS is OCLC Wise with the SIP2+ extensions (41/42 dialog) enabled.
    * ``normalize_nfc`` -- normalise decoded text to Unicode NFC (Evergreen sends NFD).
    * ``fee_format`` -- how this ILS writes the 64 ``AV`` fine items (:mod:`sip2.fees`:
      ``generic``, ``3m``, ``swyer_b``, ``evergreen``, ``koha``, ``wise``).
    """

    terminator: Terminator = "cr"
    encoding: str = "cp850"
    error_detection: ErrorDetection = "on"
    timestamps: TimestampZone = "local"
    wise_sip2plus: bool = False
    normalize_nfc: bool = True
    fee_format: str = "generic"

    def __post_init__(self) -> None:
        if self.terminator not in _TERMINATORS:
            raise Sip2ConfigurationError(f"terminator must be 'cr' or 'crlf', not {self.terminator!r}")
        if self.encoding not in ENCODINGS:
            raise Sip2ConfigurationError(
                f"encoding must be one of {', '.join(ENCODINGS)}, not {self.encoding!r}"
            )
        if self.error_detection not in ("on", "off", "auto"):
            raise Sip2ConfigurationError(
                f"error_detection must be 'on', 'off' or 'auto', not {self.error_detection!r}"
            )
        check_fee_format(self.fee_format)
        if self.timestamps not in ("local", "utc"):
            raise Sip2ConfigurationError(f"timestamps must be 'local' or 'utc', not {self.timestamps!r}")

    @property
    def terminator_bytes(self) -> bytes:
        """The bytes appended to every outgoing message."""
        return _TERMINATORS[self.terminator]

    @property
    def sends_checksums(self) -> bool:
        """Whether outgoing messages carry AY/AZ."""
        return self.error_detection != "off"

    @property
    def requires_checksums(self) -> bool:
        """Whether an incoming message without AZ is a protocol error (only with ``"on"``)."""
        return self.error_detection == "on"

    def encode_text(self, text: str) -> bytes:
        """Encode *text* for the wire, transliterating what the encoding cannot carry."""
        if text.isascii():  # every allowed encoding is ASCII in 0-127; the ascii codec is the fastest
            return text.encode("ascii")
        codec = ENCODINGS[self.encoding]
        try:
            return text.encode(codec)
        except UnicodeEncodeError:
            return "".join(_transliterate_char(ch, codec) for ch in text).encode(codec)

    def decode_text(self, data: bytes) -> str:
        """Decode wire bytes: undecodable bytes become U+FFFD, the result is NFC-normalised."""
        if data.isascii():  # the common case: no charmap lookups, nothing to normalise
            return data.decode("ascii")
        text = data.decode(ENCODINGS[self.encoding], errors="replace")
        if self.normalize_nfc and not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return text


#: Replacements for characters NFKD cannot reduce to ASCII (Dutch/German/Nordic names, money).
_SPECIAL = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Đ": "D",
    "đ": "d",
    "Ł": "L",
    "ł": "l",
    "€": "EUR",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
}


def _transliterate_char(ch: str, codec: str) -> str:
    """One character the codec cannot encode -> its closest encodable form (``é`` -> ``e``) or ``?``."""
    try:
        ch.encode(codec)
        return ch
    except UnicodeEncodeError:
        pass
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    try:
        stripped.encode(codec)
        return stripped or "?"
    except UnicodeEncodeError:
        return "?"
