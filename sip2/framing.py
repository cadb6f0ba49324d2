"""Framing a SIP2 byte stream into messages (one ``recv()`` is not one message).

Re-exported as :class:`sip2.codec.FrameBuffer`.
"""

from __future__ import annotations

import re

from sip2.errors import Sip2ProtocolError

_TERMINATOR = re.compile(rb"[\r\n]")


class FrameBuffer:
    """Collects bytes from a stream and yields complete frames (terminator removed).

    A frame ends at CR, CRLF or a bare LF (edge-sip2 once sent an error reply without CR); empty
    lines are skipped.  More than *max_frame* bytes without a terminator raise Sip2ProtocolError
    (and the buffer is cleared) instead of growing without bound.
    """

    def __init__(self, max_frame: int = 65536) -> None:
        self._buffer = b""
        self._max_frame = max_frame

    def feed(self, data: bytes) -> list[bytes]:
        """Add *data*; return every frame it completed, in order."""
        if not self._buffer and data.endswith(b"\r") and data.count(b"\r") == 1 and b"\n" not in data:
            # The common case on a request/reply link: one recv() is exactly one CR-terminated reply.
            return [bytes(data[:-1])] if len(data) > 1 else []
        buffer = self._buffer + data
        if b"\r" not in data and b"\n" not in data:
            self._buffer = buffer
            self._check_size()
            return []
        *complete, self._buffer = _TERMINATOR.split(buffer)
        self._check_size()
        return [frame for frame in complete if frame]

    def _check_size(self) -> None:
        if len(self._buffer) > self._max_frame:
            self._buffer = b""
            raise Sip2ProtocolError(f"no message terminator within {self._max_frame} bytes")

    @property
    def pending(self) -> bytes:
        """Bytes received after the last complete frame."""
        return self._buffer

    def clear(self) -> None:
        """Drop buffered bytes (after a reconnect)."""
        self._buffer = b""
