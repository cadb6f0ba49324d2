"""The keyboard-wedge burst detector: property tests over generated keystroke timings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner import BurstDetector, HidWedgeScanner, Keys, Scan, Scanned, open_scanner

MAX_GAP = 0.05
barcode_text = st.text(alphabet="0123456789ABCDEFX-", min_size=4, max_size=30)
scanner_gap = st.floats(min_value=0.0, max_value=MAX_GAP * 0.9)
human_gap = st.floats(min_value=MAX_GAP * 1.1, max_value=2.0)
typed_char = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789 \r\t")


def run(detector: BurstDetector, keys: list[tuple[str, float]]) -> list[Scan | Keys]:
    out: list[Scan | Keys] = []
    for char, t in keys:
        out += detector.feed(char, t)
    out += detector.poll(float("inf"))
    return out


@st.composite
def scanner_bursts(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, float]]]:
    """Several scans, each a fast burst ending in a terminator, separated by pauses."""
    texts = draw(st.lists(barcode_text, min_size=1, max_size=5))
    keys: list[tuple[str, float]] = []
    t = draw(st.floats(0, 1000))
    for text in texts:
        for char in [*text, draw(st.sampled_from("\r\n\t"))]:
            t += draw(scanner_gap)
            keys.append((char, t))
        t += draw(human_gap)
    return texts, keys


@settings(deadline=None)  # a loaded 2-core CI machine must not turn into failures
@given(scanner_bursts())
def test_scanner_bursts_become_scans_and_nothing_else(
    case: tuple[list[str], list[tuple[str, float]]],
) -> None:
    texts, keys = case
    out = run(BurstDetector(max_gap=MAX_GAP, min_length=4), keys)
    assert out == [
        Scan(text, term) for text, (term, _) in zip(texts, [k for k in keys if k[0] in "\r\n\t"], strict=True)
    ]


@settings(deadline=None)  # a loaded 2-core CI machine must not turn into failures
@given(st.lists(st.tuples(typed_char, human_gap), min_size=1, max_size=40), st.floats(0, 1000))
def test_human_typing_is_never_a_scan_and_arrives_complete(
    chars: list[tuple[str, float]], start: float
) -> None:
    keys, t = [], start
    for char, gap in chars:
        t += gap
        keys.append((char, t))
    out = run(BurstDetector(max_gap=MAX_GAP, min_length=4), keys)
    assert all(isinstance(o, Keys) for o in out)
    assert "".join(o.text for o in out) == "".join(c for c, _ in chars)


@settings(deadline=None)  # a loaded 2-core CI machine must not turn into failures
@given(
    st.lists(st.tuples(typed_char, st.one_of(scanner_gap, human_gap)), min_size=0, max_size=80),
    st.integers(1, 8),
    st.booleans(),
)
def test_nothing_is_lost_or_reordered(
    chars: list[tuple[str, float]], min_length: int, need_term: bool
) -> None:
    keys, t = [], 0.0
    for char, gap in chars:
        t += gap
        keys.append((char, t))
    out = run(BurstDetector(max_gap=MAX_GAP, min_length=min_length, require_terminator=need_term), keys)
    rebuilt = "".join(o.text + o.terminator if isinstance(o, Scan) else o.text for o in out)
    assert rebuilt == "".join(c for c, _ in chars)
    for o in out:
        if isinstance(o, Scan):
            assert len(o.text) >= min_length


def test_a_fast_run_without_terminator_is_typing_unless_configured() -> None:
    keys = [(c, i * 0.01) for i, c in enumerate("20105000000011")]
    assert run(BurstDetector(), keys) == [Keys("20105000000011")]
    assert run(BurstDetector(require_terminator=False), keys) == [Scan("20105000000011")]


def test_slow_terminator_and_short_bursts_are_typing() -> None:
    detector = BurstDetector(max_gap=0.05, min_length=4)
    assert detector.feed("1", 0.0) == [] and detector.feed("2", 0.01) == []
    assert detector.held == "12" and detector.deadline == pytest.approx(0.06)
    assert detector.poll(0.05) == []  # still within the gap
    assert detector.feed("\r", 0.02) == [Keys("12\r")]  # too short for a barcode: Enter typed after "12"
    for i, c in enumerate("1234"):
        detector.feed(c, 1.0 + i * 0.01)
    assert detector.feed("\r", 2.0) == [Keys("1234"), Keys("\r")]  # Enter came a second later
    assert detector.deadline is None


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="one character"):
        BurstDetector().feed("ab", 0.0)
    with pytest.raises(ValueError, match="max_gap"):
        BurstDetector(max_gap=0)


def test_hid_scanner_routes_scans_and_returns_typed_text() -> None:
    scans: list[Scanned] = []
    scanner = open_scanner("hid://?gap=0.03", on_scan=scans.append)
    assert isinstance(scanner, HidWedgeScanner)
    typed = ""
    for i, c in enumerate("20105000000011\r"):
        typed += scanner.feed(c, 10 + i * 0.005)
    typed += scanner.feed("h", 11.0) + scanner.feed("i", 11.5) + scanner.poll(12.0)
    for i, c in enumerate("3023400051786\r"):
        typed += scanner.feed(c, 20 + i * 0.005)
    assert typed == "hi"
    assert [(s.text, s.is_pass, s.source) for s in scans] == [
        ("20105000000011", True, "hid"),
        ("3023400051786", False, "hid"),  # an item barcode passes through untouched
    ]
    assert "20105000000011" not in repr(scans[0])
