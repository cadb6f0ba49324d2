"""No product module over 400 lines (DESIGN.md convention 10, issue 14): a file is read in one sitting.

Counted as the file stands in the tree, which ``make lint`` keeps ``ruff format``-ted. A module that grows
past the limit is split by responsibility, not given an exception here.
"""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 400
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sip2", "drivers", "kiosk")

#: Modules allowed over the limit, each with the reason; the set only ever shrinks (empty: none).
ALLOWED: frozenset[str] = frozenset()


def line_counts() -> dict[str, int]:
    """Lines of every ``.py`` module under the product packages, by path relative to the repository."""
    counts: dict[str, int] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            with path.open("rb") as handle:
                counts[path.relative_to(ROOT).as_posix()] = sum(1 for _ in handle)
    return counts


def test_the_count_sees_every_package() -> None:
    counts = line_counts()
    for package in PACKAGES:
        assert any(name.startswith(f"{package}/") for name in counts), package
    assert counts["sip2/codec/__init__.py"] > 0


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        name: lines for name, lines in line_counts().items() if lines > MAX_LINES and name not in ALLOWED
    }
    listing = "\n".join(f"  {name}: {lines} lines" for name, lines in sorted(too_long.items()))
    assert not too_long, f"modules over {MAX_LINES} lines (split them by responsibility):\n{listing}"


def test_the_allowed_list_names_real_modules() -> None:
    """An entry for a module that was split or removed is stale: it would hide a new file of that name."""
    counts = line_counts()
    for name in ALLOWED:
        assert name in counts, f"{name} is listed but does not exist"
