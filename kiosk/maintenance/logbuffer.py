"""The last log lines in memory, already redacted, for the maintenance screen."""

from __future__ import annotations

import logging
import threading
from collections import deque

from kiosk.logsetup import install_redaction


class RingBufferHandler(logging.Handler):
    """Keeps the last ``capacity`` formatted log lines. Redaction runs before formatting (the filter
    is installed on the handler), so personal data never reaches the buffer."""

    def __init__(self, capacity: int = 200, level: int = logging.INFO) -> None:
        super().__init__(level)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._guard = threading.Lock()
        self.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
        )
        install_redaction(self)

    def emit(self, record: logging.LogRecord) -> None:
        """Store one formatted record."""
        try:
            line = self.format(record)
        except Exception:  # a broken record must not break logging elsewhere
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def lines(self, last: int | None = None) -> list[str]:
        """The buffered lines, oldest first (only the ``last`` N when given)."""
        with self._guard:
            items = list(self._lines)
        return items[-last:] if last else items


def attach_log_buffer(capacity: int = 200, logger: logging.Logger | None = None) -> RingBufferHandler:
    """Create a ring buffer and attach it to ``logger`` (default: the root logger)."""
    handler = RingBufferHandler(capacity)
    (logger or logging.getLogger()).addHandler(handler)
    return handler
