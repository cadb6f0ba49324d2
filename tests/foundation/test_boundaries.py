"""Import boundaries (DESIGN.md): kiosk → drivers, kiosk → sip2; sip2 imports nothing of the project;
drivers never import kiosk. Checked on the source with ast, so a lazy import inside a function counts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"sip2": {"kiosk", "drivers"}, "drivers": {"kiosk"}}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_import_boundary(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no sources found in {package}/"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[package]) for path in files
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"{package}/ must not import {sorted(FORBIDDEN[package])}: {offenders}"


def test_checker_detects_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from kiosk.config import load_config\n")
    assert "kiosk" in imported_top_levels(bad)


# The core decides and does no I/O: no UI toolkit, no protocol, no devices, no sockets, files or threads.
CORE_FORBIDDEN = {"kivy", "sip2", "drivers", "socket", "sqlite3", "threading"}
# Pure number rules the core shares with the drivers (one definition of a pass number and the library
# check digit): no I/O, no device. Named, so nothing else of drivers/ creeps in.
CORE_ALLOWED_MODULES = {"drivers.passnumber"}
# Who may import kiosk.ui: the launcher (the run command opens the app through kiosk/ui/launch.py) and
# the screenshot command, which renders the same screens offscreen.
UI_IMPORTERS = {"kiosk/cli/run_cmd.py", "kiosk/cli/screenshots_cmd.py"}


def imported_modules(path: Path) -> set[str]:
    """Full dotted names of every absolute import in ``path`` (lazy ones inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_no_io_ui_protocol_or_devices() -> None:
    offenders = {}
    for path in sorted((ROOT / "kiosk" / "core").rglob("*.py")):
        imported = imported_modules(path) - CORE_ALLOWED_MODULES
        bad = sorted(m for m in imported if m.split(".")[0] in CORE_FORBIDDEN)
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders, f"kiosk/core must not import {sorted(CORE_FORBIDDEN)}: {offenders}"


def test_only_the_launcher_imports_the_ui() -> None:
    offenders = []
    for path in sorted((ROOT / "kiosk").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[:2] == ("kiosk", "ui") or str(rel) in UI_IMPORTERS:
            continue
        if any(m == "kiosk.ui" or m.startswith("kiosk.ui.") for m in imported_modules(path)):
            offenders.append(str(rel))
    assert not offenders, f"kiosk.ui is imported only by {sorted(UI_IMPORTERS)}, not by {offenders}"


def test_boundary_checks_see_lazy_and_dotted_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import threading\n    from kiosk.ui.app import KioskApp\n")
    assert {"threading", "kiosk.ui.app"} <= imported_modules(bad)
