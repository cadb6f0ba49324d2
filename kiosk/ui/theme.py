"""Colours, sizes and fonts of the kiosk screens, as plain data (no Kivy import).

Accessibility is a property of this data, so it is checked on the data: every text/background pair of
every theme must reach a WCAG contrast ratio of at least 7:1 (level AAA), and every touch target is at
least :data:`MIN_TOUCH_PX` pixels in both directions. Tests walk the themes and the live widget trees.
Meaning is never carried by colour alone: every state colour comes with an icon and a text (see
:data:`ICONS`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

RGB = tuple[float, float, float]

MIN_TOUCH_PX = 60  # EN 301 549 / EAA kiosks: large targets for shaky hands and gloves
MIN_CONTRAST = 7.0  # WCAG 2.x 1.4.6 (AAA)


def hex_rgb(code: str) -> RGB:
    """Turn ``"#RRGGBB"`` into a Kivy-style (r, g, b) tuple of floats 0..1."""
    code = code.lstrip("#")
    if len(code) != 6:
        raise ValueError(f"colour {code!r}: expected #RRGGBB")
    return (int(code[0:2], 16) / 255, int(code[2:4], 16) / 255, int(code[4:6], 16) / 255)


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels 0..1."""

    def channel(c: float) -> float:
        # The sRGB transfer function, as quoted in WCAG 2.x "relative luminance".
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGB, bg: RGB) -> float:
    """WCAG contrast ratio (1..21) between two colours; order does not matter."""
    la, lb = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Palette:
    """The colours of one theme. Each ``*_bg`` has a matching ``*_text`` drawn on it."""

    name: str
    screen_bg: RGB
    screen_text: RGB
    panel_bg: RGB  # cards and list rows
    panel_text: RGB
    button_bg: RGB  # ordinary buttons
    button_text: RGB
    primary_bg: RGB  # the one main action on a screen
    primary_text: RGB
    success_bg: RGB
    success_text: RGB
    danger_bg: RGB  # refused item, error, out of order
    danger_text: RGB
    warning_bg: RGB  # offline banner, idle warning
    warning_text: RGB
    disabled_bg: RGB
    disabled_text: RGB

    def pairs(self) -> list[tuple[str, RGB, RGB]]:
        """Every (role, text colour, background colour) pair that the screens draw."""
        out = []
        for f in fields(self):
            if f.name.endswith("_bg"):
                role = f.name[: -len("_bg")]
                out.append((role, getattr(self, f"{role}_text"), getattr(self, f.name)))
        return out

    def text_on(self, role: str) -> RGB:
        """The text colour to use on the background of ``role`` (e.g. ``"panel"``)."""
        return getattr(self, f"{role}_text")  # type: ignore[no-any-return]

    def bg(self, role: str) -> RGB:
        """The background colour of ``role``."""
        return getattr(self, f"{role}_bg")  # type: ignore[no-any-return]


STANDARD = Palette(
    name="standard",
    screen_bg=hex_rgb("#0B2545"),  # deep library blue
    screen_text=hex_rgb("#FFFFFF"),
    panel_bg=hex_rgb("#F4F1EA"),  # paper
    panel_text=hex_rgb("#1A1A1A"),
    button_bg=hex_rgb("#FFFFFF"),
    button_text=hex_rgb("#0B2545"),
    primary_bg=hex_rgb("#FFC20E"),  # yellow: visible to most colour-blind patrons
    primary_text=hex_rgb("#000000"),
    success_bg=hex_rgb("#0A5C2F"),
    success_text=hex_rgb("#FFFFFF"),
    danger_bg=hex_rgb("#8E1B1B"),
    danger_text=hex_rgb("#FFFFFF"),
    warning_bg=hex_rgb("#FFE38A"),
    warning_text=hex_rgb("#000000"),
    disabled_bg=hex_rgb("#D9D9D9"),
    disabled_text=hex_rgb("#2B2B2B"),
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    screen_bg=hex_rgb("#000000"),
    screen_text=hex_rgb("#FFFFFF"),
    panel_bg=hex_rgb("#000000"),
    panel_text=hex_rgb("#FFFF00"),
    button_bg=hex_rgb("#FFFFFF"),
    button_text=hex_rgb("#000000"),
    primary_bg=hex_rgb("#FFFF00"),
    primary_text=hex_rgb("#000000"),
    success_bg=hex_rgb("#000000"),
    success_text=hex_rgb("#7CFC00"),
    danger_bg=hex_rgb("#000000"),
    danger_text=hex_rgb("#FFB3B3"),
    warning_bg=hex_rgb("#FFFF00"),
    warning_text=hex_rgb("#000000"),
    disabled_bg=hex_rgb("#000000"),
    disabled_text=hex_rgb("#C0C0C0"),
)

PALETTES = {p.name: p for p in (STANDARD, HIGH_CONTRAST)}

# Icons drawn next to state colours so that no information is given by colour alone. Plain text glyphs
# that Roboto / DejaVu Sans carry, so no icon font is needed.
ICONS = {
    "ok": "\u2714",  # heavy check mark
    "refused": "\u2716",  # heavy multiplication x
    "warning": "\u26a0",  # warning sign
    "info": "\u2139",  # information source
    "offline": "\u26a0",
}


@dataclass(frozen=True)
class Sizes:
    """Font sizes and touch target sizes in pixels, for normal or large text."""

    body: int
    title: int
    huge: int  # terminal prompts: "large and clear"
    small: int
    button_height: int
    key_size: int  # PIN pad keys
    padding: int
    spacing: int


NORMAL_SIZES = Sizes(
    body=26, title=44, huge=60, small=22, button_height=84, key_size=96, padding=24, spacing=16
)
LARGE_SIZES = Sizes(
    body=36, title=58, huge=76, small=30, button_height=104, key_size=112, padding=24, spacing=18
)


@dataclass(frozen=True)
class Theme:
    """A palette plus sizes: what the screens are drawn with."""

    palette: Palette
    sizes: Sizes
    font_name: str = "Roboto"  # bundled with Kivy, has all Dutch/German/Turkish glyphs
    icon_font: str = "DejaVuSans"  # bundled with Kivy, has the check/cross/warning glyphs

    @property
    def large_text(self) -> bool:
        """True when the large-text sizes are in use."""
        return self.sizes is LARGE_SIZES


def make_theme(high_contrast: bool = False, large_text: bool = False) -> Theme:
    """Build the theme selected by config ``[ui] high_contrast`` and ``[ui] large_text``."""
    return Theme(
        palette=HIGH_CONTRAST if high_contrast else STANDARD,
        sizes=LARGE_SIZES if large_text else NORMAL_SIZES,
    )


def all_themes() -> list[Theme]:
    """Every combination of palette and size, for the accessibility tests and the screenshots."""
    return [make_theme(hc, lt) for hc in (False, True) for lt in (False, True)]
