"""The UI on the real assembled kiosk: the lead's runtime, the circulation service speaking SIP2 over
TCP to the embedded ILS simulator on loopback, the receipt service on a fake printer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.core import events as ev
from kiosk.core.view import LineStatus, Screen
from sip2.simulator import demo
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui

CONFIG = """
[site]
languages = ["nl", "en"]
[sip2]
url = "sim://"
[devices]
pass_readers = []
printer = "fake://"
[payment]
enabled = false
[receipt]
mode = "ask"
[store]
# Explicit, so they resolve next to this config (defaults would land in the working directory).
path = "var/kiosk.db"
key_file = "var/queue.key"
"""


class Assembled:
    """The assembled kiosk's runtime, with the helpers the UI tests use (settle waits for services)."""

    def __init__(self, kiosk: Any) -> None:
        self.kiosk = kiosk
        runtime = kiosk.runtime
        self.send, self.subscribe = runtime.send, runtime.subscribe
        self.subscribe_effects = runtime.subscribe_effects

    @property
    def view(self) -> Any:
        return self.kiosk.runtime.view

    def settle(self) -> None:
        self.kiosk.runtime.settle(quiet=self.kiosk.idle)

    def close(self) -> None:
        self.kiosk.stop()


def test_borrow_by_touch_on_the_assembled_kiosk(kiosk_factory: Callable[..., Kiosk], tmp_path: Path) -> None:
    from kiosk.assembly import build_kiosk
    from kiosk.config import load_config

    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    assembled = build_kiosk(load_config(tmp_path / "config.toml"), readers=False)
    kiosk = kiosk_factory(runtime=Assembled(assembled))
    kiosk.send(ev.PassPresented(demo.NORMAL))
    if kiosk.root.current == "pin":  # whether a PIN is asked is the ILS's and the policy's business
        pad = kiosk.screen("pin").ids.pad
        for key in [*demo.NORMAL_PIN, "ok"]:
            kiosk.tap(next(b for b in pad.children if b.key == key))
    assert kiosk.root.current == "menu", kiosk.texts()
    assert kiosk.screen("menu").ids.greeting.text.startswith("Hallo")
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE_3))
    line = kiosk.runtime.view.items[-1]
    assert line.status is LineStatus.DONE and line.due
    assert "Max Havelaar" in kiosk.texts() and "Inleveren uiterlijk" in kiosk.texts()
    kiosk.tap(kiosk.button("borrow", "done"))
    assert kiosk.root.current == "receipt"
    kiosk.tap(kiosk.button("receipt", "print_receipt"))
    assert kiosk.runtime.view.screen is Screen.GOODBYE
    assert "Max Havelaar" not in kiosk.texts()
