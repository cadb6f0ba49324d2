"""One way to wait in tests/: :func:`tests.foundation.waiting.wait_until` (issue 14, item 10).

Seven hand-made "wait until" loops had grown in tests/, each with its own bound, interval and failure
(some returned False, one counted frames instead of seconds). This check keeps them from coming back: a
test module may not poll with the clock in a loop (``time.sleep`` / ``time.monotonic`` / ``time.time`` /
``time.perf_counter``), nor define a ``wait_for`` / ``wait_until`` / ``until`` / ``eventually`` (or
``_wait…``) function with a loop of its own. A thin method that hands its condition to ``wait_until``
with a pump (``Kiosk.until`` in tests/ui, the core harness's ``wait_for``) has no loop and is fine.
Checked on the source with ast, like the import boundaries.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
HELPER = "foundation/waiting.py"
CLOCK = {"sleep", "monotonic", "monotonic_ns", "time", "time_ns", "perf_counter", "perf_counter_ns"}
WAITER_NAME = re.compile(r"^_*(wait|wait_for|wait_until|until|eventually)(_|$)")
LOOPS = (ast.While, ast.For, ast.AsyncFor)

# Loops that read the clock but are no "wait until": each one is named here with the reason.
NOT_WAITS = {
    "payment/test_link.py::Peer.read_events": "reads the line for a bounded time and returns what came: "
    "silence is a valid answer there, not a failure",
    "payments_flow/test_held_registration.py::AsksAgainDuringRegistration._pause": "a simulated terminal's "
    "listening window (overrides TerminalSimulator._pause), run on the simulator's thread",
    "payments_flow/test_recovery_edges.py::AsksAgainAfterTheRestart._pause": "a simulated terminal's "
    "listening window (overrides TerminalSimulator._pause), run on the simulator's thread",
}


def _clock_names(tree: ast.Module) -> set[str]:
    """Names bound by ``from time import sleep, monotonic`` (and aliases): they count as the clock too."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in CLOCK)
    return names


def _reads_the_clock(loop: ast.AST, bare: set[str]) -> bool:
    for node in ast.walk(loop):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "time" and func.attr in CLOCK:
                return True
        elif isinstance(func, ast.Name) and func.id in bare:
            return True
    return False


def hand_made_waits(source: str) -> list[str]:
    """``qualname: why`` for every hand-made wait in ``source`` (a module's text)."""
    tree = ast.parse(source)
    bare = _clock_names(tree)
    found: list[str] = []

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = (*scope, child.name)
                is_waiter = not isinstance(child, ast.ClassDef) and WAITER_NAME.match(child.name)
                if is_waiter and any(isinstance(n, LOOPS) for n in ast.walk(child)):
                    found.append(f"{'.'.join(inner)}: a wait helper with its own loop")
                visit(child, inner)
            elif isinstance(child, LOOPS) and _reads_the_clock(child, bare):
                found.append(
                    f"{'.'.join(scope) or '<module>'}: a loop polling the clock (line {child.lineno})"
                )
            else:
                visit(child, scope)

    visit(tree, ())
    return found


def test_no_test_module_waits_by_hand() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 100, "the tests were not found"
    offenders: list[str] = []
    for path in files:
        rel = path.relative_to(TESTS).as_posix()
        if rel == HELPER:
            continue
        for finding in hand_made_waits(path.read_text(encoding="utf-8")):
            if f"{rel}::{finding.split(':')[0]}" not in NOT_WAITS:
                offenders.append(f"tests/{rel}::{finding}")
    assert not offenders, (
        "wait with tests.foundation.waiting.wait_until (a pump for frames/events):\n" + "\n".join(offenders)
    )


def test_the_exceptions_still_exist() -> None:
    """Each named exception still points at a loop that reads the clock; a stale entry goes."""
    for key in NOT_WAITS:
        rel, qualname = key.split("::")
        findings = hand_made_waits((TESTS / rel).read_text(encoding="utf-8"))
        assert any(f.split(":")[0] == qualname for f in findings), f"stale entry in NOT_WAITS: {key}"


def test_the_helper_itself_is_the_one_loop() -> None:
    findings = hand_made_waits((TESTS / HELPER).read_text(encoding="utf-8"))
    assert {f.split(":")[0] for f in findings} == {"wait_until"}


# The copies this replaced, as they were (abridged): each must be caught.
OLD_COPIES = {
    "a deadline loop that returns False": """
import time
def wait_until(condition, limit=30.0):
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
""",
    "a frame-counting method": """
class Kiosk:
    def until(self, condition, what, limit=2000):
        for _ in range(limit):
            if condition():
                return
            EventLoop.idle()
        raise AssertionError(what)
""",
    "an inline poll in a test": """
from time import monotonic as now, sleep
def test_purge(store):
    end = now() + 60
    while store.get(1) is not None and now() < end:
        sleep(0.02)
""",
    "a private helper with a lazy import": """
def _wait(condition, limit=10.0):
    import time
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False
""",
}


def test_the_check_catches_every_old_copy() -> None:
    for name, source in OLD_COPIES.items():
        assert hand_made_waits(source), f"not caught: {name}"


def test_the_check_leaves_delegating_waits_and_plain_loops_alone() -> None:
    source = """
import time
from tests.foundation.waiting import wait_until
class Kiosk:
    def until(self, condition, what):
        wait_until(condition, what=what, interval=0.002, pump=EventLoop.idle)
def test_lines(kiosk):
    for line in kiosk.lines:
        assert line.status == "done"
    started = time.monotonic()
"""
    assert hand_made_waits(source) == []
