"""Try-out defect: with large text the start screen's welcome grew up under the "Hulp" header (the
words column was shorter than its words), in every language the kiosk offers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.core import events as ev
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("large", [True, False])
def test_the_welcome_sits_below_the_header_in_every_language(
    kiosk_factory: Callable[..., Kiosk], large: bool
) -> None:
    from kiosk.ui.settings import UiSettings

    kiosk = kiosk_factory(
        settings=UiSettings(
            library_name="Bibliotheek Wierden (demo)",
            languages=("nl", "en", "de", "tr"),
            tick_interval=0,
            touch_guard=0,
            large_text=large,
            opening_hours=("09:00-17:30",) * 7,
        )
    )
    screen = kiosk.screen("attract")
    for lang in ("nl", "en", "de", "tr"):
        kiosk.send(ev.LanguageChosen(lang))
        kiosk.frames(5)
        header_bottom = kiosk.root.header.to_window(*kiosk.root.header.pos)[1]
        ids = screen.ids
        for word in (ids.welcome, ids.prompt, ids.return_button):
            bottom = word.to_window(word.x, word.y)[1]
            top = bottom + word.height
            assert top <= header_bottom + 1, f"{lang}: {word.text!r} reaches under the header"
            languages_top = (
                ids.language_label.to_window(*ids.language_label.pos)[1] + ids.language_label.height
            )
            assert bottom >= languages_top - 1, f"{lang}: {word.text!r} overlaps the language choice"
        assert ids.welcome.texture_size[1] + 8 <= ids.welcome.height + 1  # the whole title is drawn
