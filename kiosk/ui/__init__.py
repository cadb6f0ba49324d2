"""The Kivy touch UI: thin screens that render the core's view state.

Importing this package does not import Kivy (the theme and the accessibility checks are plain data);
:mod:`kiosk.ui.app` does.
"""

from __future__ import annotations

import os
import sys

# Kivy's image loaders the kiosk needs: its own texture formats and SDL2 (PNG/JPEG: the default theme
# atlas, screenshots). Kivy's default list adds Pillow, imported at start-up for no image we show.
IMAGE_PROVIDERS = "tex,dds,sdl2"
# No multisample anti-aliasing: with Kivy's default of 2 samples the GL driver keeps a second, doubled
# framebuffer (31 MB at 1280×800 under Mesa llvmpipe). The only curved edges we draw are the buttons'
# rounded corners, which anti-alias themselves (SmoothRoundedRectangle in kit.kv); text is textures.
MULTISAMPLES = "0"


def kivy_settings() -> None:
    """Apply the kiosk's Kivy settings; call before the window exists (before importing
    :mod:`kiosk.ui.app`, :mod:`kiosk.ui.root` or ``kivy.core.window``).

    They go in the environment (``KIVY_IMAGE``, ``KCFG_GRAPHICS_MULTISAMPLES``: Kivy reads them when it
    is first imported, and a technician may override them there); when Kivy is already imported, the
    parts it has not used yet are set directly.
    """
    os.environ.setdefault("KIVY_IMAGE", IMAGE_PROVIDERS)
    os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", MULTISAMPLES)
    kivy = sys.modules.get("kivy")
    if kivy is None:
        return
    if "kivy.core.image" not in sys.modules:
        kivy.kivy_options["image"] = os.environ["KIVY_IMAGE"].split(",")
    if "kivy.core.window" not in sys.modules:
        from kivy.config import Config

        Config.set("graphics", "multisamples", os.environ["KCFG_GRAPHICS_MULTISAMPLES"])
