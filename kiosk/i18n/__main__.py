"""``python -m kiosk.i18n``: compile every ``kiosk.po`` to ``kiosk.mo`` (pure Python)."""

from __future__ import annotations

import sys

from kiosk.i18n import catalog_paths
from kiosk.i18n.catalog import compile_po_file


def main() -> int:
    """Compile all catalogs and print what was written."""
    for po in catalog_paths().values():
        if po.exists():
            print(compile_po_file(po), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
