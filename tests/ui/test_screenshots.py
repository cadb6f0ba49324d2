"""``kiosk screenshots``: PNG files of the screens, rendered offscreen in the shared window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import build_parser
from kiosk.ui.demo import scenes
from kiosk.ui.screenshots import render_all

pytestmark = pytest.mark.ui


def test_renders_named_scenes_as_pngs(window: Any, tmp_path: Path) -> None:
    from PIL import Image

    files = render_all(tmp_path, ["en", "tr"], only={"01-attract", "14-account"})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == [
        "en/01-attract.png",
        "en/14-account.png",
        "tr/01-attract.png",
        "tr/14-account.png",
    ]
    for path in files:
        with Image.open(path) as image:
            assert image.size == (1280, 800)
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20  # text was drawn, not an empty frame
    with Image.open(tmp_path / "en/01-attract.png") as en, Image.open(tmp_path / "tr/01-attract.png") as tr:
        assert en.tobytes() != tr.tobytes()  # the language changed what is on screen


def test_every_screen_has_a_scene_and_the_command_parses() -> None:
    names = [s.name for s in scenes("nl")]
    assert len(names) == len(set(names)) >= 25
    args = build_parser().parse_args(["screenshots", "--out", "x", "--language", "de"])
    assert args.language == ["de"] and args.out == "x"
