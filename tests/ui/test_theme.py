"""Accessibility of the themes as data: contrast and touch target sizes."""

from __future__ import annotations

import pytest

from kiosk.ui.theme import (
    ICONS,
    MIN_CONTRAST,
    MIN_TOUCH_PX,
    PALETTES,
    all_themes,
    contrast_ratio,
    hex_rgb,
    make_theme,
)


def test_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert contrast_ratio((1, 1, 1), (1, 1, 1)) == pytest.approx(1.0)
    # #777777 on white is the textbook "just below 4.5:1" grey.
    assert contrast_ratio(hex_rgb("#777777"), (1, 1, 1)) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_text_background_pair_reaches_7_to_1(name: str) -> None:
    palette = PALETTES[name]
    pairs = palette.pairs()
    assert len(pairs) >= 8
    for role, fg, bg in pairs:
        assert contrast_ratio(fg, bg) >= MIN_CONTRAST, f"{name}/{role}: {contrast_ratio(fg, bg):.2f}"


def test_state_colours_differ_and_have_icons() -> None:
    p = PALETTES["standard"]
    assert p.success_bg != p.danger_bg
    assert {"ok", "refused", "warning"} <= set(ICONS)


@pytest.mark.parametrize("theme", all_themes(), ids=lambda t: f"{t.palette.name}-{t.large_text}")
def test_touch_sizes_and_text_sizes(theme: object) -> None:
    sizes = theme.sizes  # type: ignore[attr-defined]
    assert sizes.button_height >= MIN_TOUCH_PX and sizes.key_size >= MIN_TOUCH_PX
    assert sizes.small >= 20


def test_large_text_is_larger() -> None:
    normal, large = make_theme().sizes, make_theme(large_text=True).sizes
    assert large.body > normal.body and large.title > normal.title and large.small > normal.small
    assert make_theme(high_contrast=True).palette.name == "high_contrast"


def test_bad_colour_is_refused() -> None:
    with pytest.raises(ValueError):
        hex_rgb("#12345")
