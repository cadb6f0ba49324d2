"""Bytes <-> SIP2 messages: encoding (strict), decoding (tolerant), the AZ checksum and framing.

Encoding is strict: fixed fields must have their exact width, values may not contain ``|``, CR, LF
or NUL and may not exceed 255 encoded bytes (pysip2 and others reject longer ones); a violation
raises :class:`~sip2.errors.Sip2ValueError` and nothing is produced.

Decoding is tolerant, because real servers are: variable fields in any order, repeated fields,
empty and missing required fields, unknown/vendor fields (kept in ``extra_fields``), checksums with
1-4 hex digits in either case, CR/CRLF/LF terminators.  Malformed input raises only
:class:`~sip2.errors.Sip2ProtocolError` (or a subclass).

Checksum (spec): "the binary sum of the characters including the checksum field identifier
characters (AZ) ... the negative (two's complement) of the sum ... four hexadecimal digits".  It is
computed over the *encoded* bytes, as edge-sip2 and Koha do.

The package's parts: :mod:`~sip2.codec.layout` (a message class's field plan, shared by both ways),
:mod:`~sip2.codec.trailer` (the AY/AZ trailer and the checksum), :mod:`~sip2.codec.encoder` and
:mod:`~sip2.codec.decoder`. Import from here: ``from sip2.codec import encode, decode_frame``.
"""

from __future__ import annotations

from sip2.codec.decoder import ITEM_LIST_FIELDS, MAX_INT_DIGITS, Frame, decode, decode_frame
from sip2.codec.encoder import MAX_VALUE_BYTES, encode, encode_body
from sip2.codec.layout import DEFAULT_DIALECT
from sip2.codec.trailer import checksum, verify_checksum
from sip2.framing import FrameBuffer

__all__ = [
    "DEFAULT_DIALECT",
    "ITEM_LIST_FIELDS",
    "MAX_INT_DIGITS",
    "MAX_VALUE_BYTES",
    "Frame",
    "FrameBuffer",
    "checksum",
    "decode",
    "decode_frame",
    "encode",
    "encode_body",
    "verify_checksum",
]
