"""Journald priorities and collapsed repeats in the kiosk's log handler (kiosk/logsetup.py)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

from kiosk.logsetup import make_handler, syslog_priority


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _logger(handler: logging.Handler, name: str = "kiosk.test.storm") -> logging.Logger:
    log = logging.getLogger(name)
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log


def test_a_reconnect_storm_is_collapsed_with_a_count() -> None:
    out, clock = io.StringIO(), FakeClock()
    handler = make_handler(out, collapse_window=60.0, clock=clock)
    log = _logger(handler)
    for _ in range(121):  # 121 identical warnings within a minute
        log.warning("ILS unreachable: ConnectionRefusedError")
        clock.now += 0.25
    log.info("something else")
    assert out.getvalue().count("ILS unreachable") == 1
    clock.now += 60  # the window ended: the next line (of any kind) brings the summary
    log.info("later")
    lines = out.getvalue().splitlines()
    assert sum("ILS unreachable" in line for line in lines) == 2
    assert "ILS unreachable: ConnectionRefusedError … repeated 120 times" in lines[-2]
    assert "WARNING" in lines[-2]
    assert lines[-1].endswith("later")


def test_interleaved_lines_collapse_each_and_close_flushes_the_count() -> None:
    out, clock = io.StringIO(), FakeClock()
    handler = make_handler(out, clock=clock)
    log = _logger(handler, "kiosk.test.interleaved")
    for _ in range(50):
        log.warning("login refused")
        log.warning("connection closed by peer")
    assert len(out.getvalue().splitlines()) == 2
    handler.close()
    text = out.getvalue()
    assert "login refused … repeated 49 times" in text
    assert "connection closed by peer … repeated 49 times" in text


def test_different_levels_or_loggers_are_not_merged_and_summaries_stay_redacted() -> None:
    out, clock = io.StringIO(), FakeClock()
    handler = make_handler(out, clock=clock)
    log = _logger(handler, "kiosk.test.levels")
    log.warning("pin=1234 refused")
    log.warning("pin=1234 refused")
    log.error("pin=1234 refused")
    assert len(out.getvalue().splitlines()) == 2
    handler.close()
    assert "1234" not in out.getvalue()
    assert "repeated 1 times" in out.getvalue()


def test_priority_prefixes_when_journal_stream_names_our_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(tmp_path / "journal", "w+") as stream:
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        handler = make_handler(stream)
        log = _logger(handler, "kiosk.test.journal")
        log.error("printer gone\nsecond line")
        log.warning("paper low")
        log.info("ILS online")
        log.debug("detail")
        stream.flush()
        stream.seek(0)
        lines = stream.read().splitlines()
    assert lines == [
        "<3>ERROR kiosk.test.journal: printer gone",
        "<3>second line",
        "<4>WARNING kiosk.test.journal: paper low",
        "<6>INFO kiosk.test.journal: ILS online",
        "<7>DEBUG kiosk.test.journal: detail",
    ]


def test_no_prefixes_when_journal_stream_is_someone_elses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "1:2")  # stderr was redirected away from the journal
    with open(tmp_path / "log", "w+") as stream:
        log = _logger(make_handler(stream), "kiosk.test.nojournal")
        log.warning("paper low")
        stream.flush()
        stream.seek(0)
        text = stream.read()
    assert not text.startswith("<") and "WARNING kiosk.test.nojournal: paper low" in text


def test_syslog_priorities() -> None:
    assert [syslog_priority(x) for x in (50, 40, 30, 20, 10)] == [2, 3, 4, 6, 7]
