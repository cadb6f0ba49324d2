"""Fixtures for the device driver tests: a real pcscd with the vpcd virtual reader, event collectors."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest

from drivers.cardreader.events import ReaderEvent
from drivers.cardreader.pcscd_runner import PcscdRunner, PcscdUnavailable, find_pcscd, running_pcscd_pids


class EventLog:
    """Collects reader events from the reader thread; tests wait for the next one with a generous cap."""

    def __init__(self) -> None:
        self.queue: queue.Queue[ReaderEvent] = queue.Queue()
        self.seen: list[ReaderEvent] = []

    def __call__(self, event: ReaderEvent) -> None:
        self.queue.put(event)

    def next(self, timeout: float = 10.0) -> ReaderEvent:
        """The next event (fails the test if none comes within ``timeout`` — a hang guard)."""
        try:
            event = self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reader event within {timeout} s; seen so far: {self.seen}") from None
        self.seen.append(event)
        return event

    def next_of(self, kind: type, timeout: float = 10.0) -> ReaderEvent:
        """Skip events until one of ``kind`` arrives."""
        while True:
            event = self.next(timeout)
            if isinstance(event, kind):
                return event

    def quiet_for(self, seconds: float) -> list[ReaderEvent]:
        """Every event that arrives within ``seconds`` (used to show that nothing more happens)."""
        extra: list[ReaderEvent] = []
        try:
            while True:
                extra.append(self.queue.get(timeout=seconds))
        except queue.Empty:
            return extra


@pytest.fixture
def events() -> EventLog:
    """A fresh event collector."""
    return EventLog()


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscdRunner]:
    """A private pcscd with the vpcd reader for the whole session (skips if not installed)."""
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        pytest.skip("pyscard is not installed (pip install pyscard==2.3.1)")
    try:
        find_pcscd()
    except PcscdUnavailable as exc:
        pytest.skip(str(exc))
    others = running_pcscd_pids()
    if others:
        pytest.fail(
            f"another pcscd is running (pid {others}); the PC/SC tests need their own daemon on the fixed "
            "socket /run/pcscd/pcscd.comm — stop it, or run the tests inside `unshare --mount`"
        )
    runner = PcscdRunner(tmp_path_factory.mktemp("pcscd"))
    runner.start()
    yield runner
    runner.stop()
