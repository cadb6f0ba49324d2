"""The Debian package's hashed runtime lock agrees with pyproject.toml and constraints.txt and holds no
dev tool (deploy/requirements-runtime.txt; regenerate with `make lock`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, rest = line.split("==", 1)
            pins[_norm(name)] = rest.split()[0]
    return pins


def test_lock_is_hashed_and_matches_pyproject_and_constraints() -> None:
    lock_text = (ROOT / "deploy" / "requirements-runtime.txt").read_text()
    entries = [line for line in lock_text.splitlines() if line and not line.startswith("#")]
    assert entries and all(re.search(r" --hash=sha256:[0-9a-f]{64}$", line) for line in entries)
    lock = _pins(lock_text)
    constraints = _pins((ROOT / "constraints.txt").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins("\n".join(project["dependencies"]))
    assert runtime.items() <= lock.items(), "a runtime dependency is missing from the lock: run make lock"
    stale = {n: v for n, v in lock.items() if n in constraints and constraints[n] != v}
    assert not stale, f"lock and constraints.txt disagree on {stale}: run make lock"
    for dev_tool in ("pytest", "mypy", "ruff", "hypothesis", "pysip2", "pytest-timeout"):
        assert dev_tool not in lock
