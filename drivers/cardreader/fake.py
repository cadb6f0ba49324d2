"""A fake pass reader that tests and the demo drive by hand: ``reader.present("2…")``.

Events are delivered from a background thread, exactly like the PC/SC reader, so a consumer that
forgets to marshal them to its own thread fails in the demo too, not only on real hardware.
"""

from __future__ import annotations

import queue
import threading

from drivers.cardreader.events import (
    EventCallback,
    ForeignCardRead,
    PassRead,
    PassRemoved,
    ReaderAttached,
    ReaderEvent,
)
from drivers.cardreader.mapping import Mapped, PassMapping
from drivers.passnumber import validate_pass_number

FAKE_SOURCE = "fake"


class FakePassReader:
    """A reader with one slot; :meth:`present` puts a pass on it, :meth:`remove` takes it off."""

    def __init__(self, mapping: PassMapping, on_event: EventCallback, source: str = FAKE_SOURCE) -> None:
        self.mapping = mapping
        self.source = source
        self._on_event = on_event
        self._queue: queue.Queue[ReaderEvent | None] = queue.Queue()
        self._card_on = False
        self._thread = threading.Thread(target=self._deliver, name="fake-pass-reader", daemon=True)
        self._thread.start()
        self._queue.put(ReaderAttached(source))

    @property
    def readers(self) -> list[str]:
        """The fake reader's one name."""
        return [self.source]

    def present(self, pass_number: str) -> None:
        """Put a pass carrying ``pass_number`` on the reader (as if read from the card's data)."""
        self._take_off()
        check = validate_pass_number(pass_number, self.mapping.validation, self.mapping.legacy_lengths)
        self._card_on = True
        if not check.valid and self.mapping.reject_invalid:
            self._queue.put(ForeignCardRead(f"not a valid library pass number ({check.reason})", self.source))
        else:
            self._queue.put(PassRead(check.number, self.source, "fake", check))

    def present_card(self, uid: bytes | None, ndef_text: str | None = None) -> None:
        """Put a chip card on the reader and map it by the configured rules (UID, NDEF, table)."""
        self._take_off()
        self._card_on = True
        result = self.mapping.map_card(uid, lambda: ndef_text)
        if isinstance(result, Mapped):
            self._queue.put(PassRead(result.number, self.source, result.rule, result.check))
        else:
            self._queue.put(ForeignCardRead(result.reason, self.source))

    def present_non_pass(self, reason: str = "unknown card type") -> None:
        """Put a card on the reader that is not a library pass."""
        self._take_off()
        self._card_on = True
        self._queue.put(ForeignCardRead(reason, self.source))

    def remove(self) -> None:
        """Take the card off the reader (no event if there was none)."""
        self._take_off()

    def _take_off(self) -> None:
        if self._card_on:
            self._card_on = False
            self._queue.put(PassRemoved(self.source))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every event so far has been delivered (tests)."""
        done = threading.Event()
        self._queue.put(_Marker(done))  # type: ignore[arg-type]
        done.wait(timeout)

    def _deliver(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            if isinstance(event, _Marker):
                event.done.set()
                continue
            try:
                self._on_event(event)
            except Exception:  # as in the PC/SC reader: a consumer bug must not stop delivery
                import logging

                logging.getLogger(__name__).exception("pass reader event callback failed")

    def close(self) -> None:
        """Stop the delivery thread (pending events are still delivered first)."""
        self._queue.put(None)
        if threading.current_thread() is not self._thread:  # close() may be called from a callback
            self._thread.join(timeout=5.0)

    def __enter__(self) -> FakePassReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Marker:
    def __init__(self, done: threading.Event) -> None:
        self.done = done
