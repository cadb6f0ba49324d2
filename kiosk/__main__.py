"""``python -m kiosk`` does what the ``kiosk`` console script does."""

from kiosk.cli import main

raise SystemExit(main())
