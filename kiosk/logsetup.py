"""Logging set up in one place, with a redaction filter that keeps secrets and patron data out of logs.

Rules (DESIGN.md, "Logging"): PINs, passwords and card data are never logged; patron and item ids appear
only as short salted hashes; no titles or names. Modules log through ``logging.getLogger(__name__)`` and
may pass sensitive values explicitly via ``extra`` helpers below, but the filter also scrubs text that
slipped into a message: SIP2 fields ``AD``/``CO``/``AC`` (PIN, login password, terminal password),
``AA``/``AB`` (patron id, item id), ``AE``/``BD``/``BE``/``BF`` (name, address, e-mail, phone) and
``key=value`` pairs whose key looks like a secret.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

# A per-process salt: hashes correlate lines within one run but cannot be reversed by trying all
# 10^14 pass numbers offline against a stored log, because the salt is never written anywhere.
# Setting KIOSK_LOG_SALT makes hashes stable across restarts (for a site that wants that).
_SALT = os.environ.get("KIOSK_LOG_SALT", "").encode() or secrets.token_bytes(16)

REDACTED = "***"


def short_hash(value: str) -> str:
    """Return a short salted hash of an identifier (pass number, item id) for logs: ``#1a2b3c4d``."""
    digest = hashlib.blake2s(value.encode("utf-8"), key=_SALT[:32], digest_size=4).hexdigest()
    return f"#{digest}"


# SIP2 fields whose value is secret (dropped) or identifying (hashed) or personal (dropped).
_SIP2_SECRET = ("AD", "CO", "AC")
_SIP2_HASHED = ("AA", "AB")
_SIP2_PERSONAL = ("AE", "BD", "BE", "BF", "AJ")
_SIP2_FIELD = re.compile(r"(?<=\|)(?P<code>A[A-Z]|B[A-Z]|C[A-Z])(?P<value>[^|\r\n]*)")
_SIP2_FIRST = re.compile(r"^(?P<head>\d{2}.*?)(?P<code>CN|AO)")

_SECRET_KV = re.compile(
    r"(?i)\b(?P<key>pin|password|passwd|pwd|secret|token|pan|card_?data|terminal_?password)"
    r"(?P<sep>\s*[=:]\s*)(?P<q>['\"]?)(?P<value>[^\s'\",;}]+)"
)
_IDENT_KV = re.compile(
    r"(?i)\b(?P<key>pass_?number|patron(?:_id)?|item(?:_id)?|barcode|uid)"
    r"(?P<sep>\s*[=:]\s*)(?P<q>['\"]?)(?P<value>[0-9A-Za-z\-]{4,})"
)
# A bare 14-digit Dutch pass number or a long digit run that looks like a card number.
_LONG_DIGITS = re.compile(r"(?<![0-9#])\d{10,19}(?![0-9])")


def _scrub_sip2(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code, value = m.group("code"), m.group("value")
        if code in _SIP2_SECRET or code in _SIP2_PERSONAL:
            return f"{code}{REDACTED}" if value else code
        if code in _SIP2_HASHED and value:
            return f"{code}{short_hash(value)}"
        return m.group(0)

    # Put a virtual '|' in front so that a field right after the fixed part is matched too.
    scrubbed = _SIP2_FIELD.sub(repl, "|" + text)[1:]
    return scrubbed


def redact(text: str) -> str:
    """Remove secrets and replace identifiers in free text. Safe to apply more than once."""
    if not text:
        return text
    out = _scrub_sip2(text) if "|" in text else text
    out = _SECRET_KV.sub(lambda m: f"{m.group('key')}{m.group('sep')}{m.group('q')}{REDACTED}", out)
    out = _IDENT_KV.sub(
        lambda m: f"{m.group('key')}{m.group('sep')}{m.group('q')}{short_hash(m.group('value'))}", out
    )
    out = _LONG_DIGITS.sub(lambda m: short_hash(m.group(0)), out)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message and redacts it in place.

    Formatting happens here (not in the handler) so the arguments never reach a handler unredacted.
    Exception text is redacted too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the event
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record (not at set-up time), so
    redirected or replaced stderr (tests, daemons) never leaves a handler on a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


# syslog priorities for journald's ``<N>`` line prefix (sd-daemon(3)).
_PRIORITY = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


def syslog_priority(levelno: int) -> int:
    """The syslog priority of a logging level: CRITICAL 2, ERROR 3, WARNING 4, INFO 6, DEBUG 7."""
    return next((prio for level, prio in _PRIORITY if levelno >= level), 7)


def journal_stream(stream: object) -> bool:
    """Whether ``stream`` is the journald stream systemd connected us to: ``$JOURNAL_STREAM`` is
    ``device:inode`` of that stream (systemd.exec(5)); a redirected stderr does not match."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    try:
        st = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    return bool(expected) and expected == f"{st.st_dev}:{st.st_ino}"


class JournalFormatter(logging.Formatter):
    """``<N>LEVEL logger: message`` on every line: journald takes the priority from the prefix and adds
    its own timestamp, so ``journalctl -p warning`` shows warnings and errors only."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines() or [""])


@dataclass
class _Repeats:
    start: float  # when the current window began
    count: int = 0  # lines suppressed in it
    last: logging.LogRecord | None = None


class RepeatCollapser(logging.Filter):
    """Collapses repeated identical lines (same logger, level and redacted message) into one summary.

    The first occurrence is logged; further ones within ``window`` seconds are only counted. When the same
    line comes again after the window, or any line comes after another's window ended, or the handler
    closes, ``<message> … repeated N times`` is written once (with the original level), so a reconnect
    storm costs a few lines a minute instead of thousands, and nothing is silently lost. Attach it after
    :class:`RedactingFilter` (it compares redacted text). Thread-safe.
    """

    def __init__(
        self,
        emit: Callable[[logging.LogRecord], None],
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._emit = emit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], _Repeats] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        with self._lock:
            now = self._clock()
            due = self._expired(now, keep=key)
            entry = self._seen.get(key)
            show = entry is None or now - entry.start >= self.window
            if show:
                if entry is not None:
                    due.append(entry)
                self._seen[key] = _Repeats(now)
            elif entry is not None:
                entry.count += 1
                entry.last = record
        self._summarise(due)
        return show

    def flush(self) -> None:
        """Write every pending summary now (called when the handler closes)."""
        with self._lock:
            due = list(self._seen.values())
            self._seen.clear()
        self._summarise(due)

    def _expired(self, now: float, keep: tuple[str, int, str]) -> list[_Repeats]:
        keys = [k for k, e in self._seen.items() if k != keep and now - e.start >= self.window]
        return [self._seen.pop(k) for k in keys]

    def _summarise(self, entries: list[_Repeats]) -> None:
        for entry in entries:
            if entry.count and entry.last is not None:
                summary = logging.makeLogRecord(entry.last.__dict__)
                summary.msg = f"{entry.last.getMessage()} … repeated {entry.count} times"
                summary.args = None
                summary.exc_info = None
                summary.exc_text = None
                self._emit(summary)


def make_handler(
    stream: TextIO | None = None, collapse_window: float = 60.0, clock: Callable[[], float] = time.monotonic
) -> logging.Handler:
    """The kiosk's log handler: to ``stream`` (default: the current stderr), redacted, repeated lines
    collapsed; ``<N>`` journald priority prefixes instead of a timestamp when ``$JOURNAL_STREAM``
    names the stream (running under systemd)."""
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    )
    if journal_stream(stream if stream is not None else sys.stderr):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())

    def emit_locked(record: logging.LogRecord) -> None:
        with handler.lock or threading.RLock():
            handler.emit(record)

    collapser = RepeatCollapser(emit_locked, window=collapse_window, clock=clock)
    handler.addFilter(collapser)
    close = handler.close

    def close_and_flush() -> None:
        collapser.flush()
        close()

    handler.close = close_and_flush  # type: ignore[method-assign]
    return handler


_configured = False


def setup_logging(verbose: bool = False, stream: TextIO | None = None) -> None:
    """Configure the root logger once with :func:`make_handler` (journald picks stderr up).

    Calling it again only adjusts the level. ``stream`` is for tests.
    """
    global _configured
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if _configured and stream is None:
        return
    root.addHandler(make_handler(stream))
    _configured = True


def install_redaction(handler: logging.Handler) -> None:
    """Attach the redaction filter to an extra handler (e.g. the in-memory log for maintenance mode)."""
    handler.addFilter(RedactingFilter())
