"""Kivy test support: one offscreen Window per process, shared by every UI test; a fresh
:class:`KioskRoot` on a fresh simulated runtime per test; touch helpers that wait on conditions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.ui import kivy_settings

kivy_settings()  # the kiosk's Kivy settings, before the window exists

from kivy.config import Config  # noqa: E402

Config.set("graphics", "maxfps", "0")  # frames as fast as possible: no sleeping between test frames
Config.set("graphics", "width", "1280")  # the offscreen GL surface keeps the size it was created with
Config.set("graphics", "height", "800")

from kivy.base import EventLoop  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

from kiosk.core import SessionSettings  # noqa: E402
from tests.foundation.waiting import wait_until  # noqa: E402
from tests.ui.sim_runtime import SimRuntime  # noqa: E402


@pytest.fixture(scope="session")
def window() -> Any:
    """The one Kivy window of the test process, 1280×800."""
    EventLoop.ensure_window()
    from kivy.core.window import Window

    Window.size = (1280, 800)
    EventLoop.idle()
    return Window


class Kiosk:
    """A KioskRoot on a SimRuntime in the shared window, with helpers to drive it by touch."""

    def __init__(self, window: Any, runtime: SimRuntime, **root_kwargs: Any) -> None:
        from kiosk.ui.root import KioskRoot
        from kiosk.ui.settings import UiSettings

        self.window = window
        self.runtime = runtime
        self.now = 1000.0
        settings = root_kwargs.pop("settings", None) or UiSettings(
            library_name="Bibliotheek Wierden",
            languages=("nl", "en", "de", "tr"),
            tick_interval=0,
            touch_guard=0,
        )
        self.root = KioskRoot(runtime, settings, clock=lambda: self.now, **root_kwargs)
        window.add_widget(self.root)
        self.frames(2)

    def frames(self, n: int = 3) -> None:
        """Let Kivy run a few frames (scheduled renders, layout)."""
        for _ in range(n):
            EventLoop.idle()

    def until(self, condition: Any, what: str) -> None:
        """Run frames until ``condition()`` holds: for results that come from a worker thread (maintenance
        actions), however loaded the machine is (:func:`wait_until` with a Kivy frame as its pump)."""
        wait_until(condition, what=what, interval=0.002, pump=EventLoop.idle)  # the pause lets the worker run

    def settle(self) -> None:
        """Wait for the runtime, then for the UI to render what it produced."""
        self.runtime.settle()
        self.frames(3)

    def tap(self, widget: Any) -> None:
        """Touch ``widget`` in its centre, as a finger would, and wait for the consequences."""
        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        assert not widget.disabled, f"{getattr(widget, 'text', widget)!r} is disabled"
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.runtime.settle()
        self.frames(2)

    def tap_at(self, x: float, y: float) -> None:
        """Touch the window at (x, y)."""
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(1)

    def send(self, event: Any) -> None:
        """A device event (pass reader, scanner) arrives at the runtime."""
        self.runtime.send(event)
        self.settle()

    def tick(self, seconds: float) -> None:
        """Advance the kiosk clock and post a Tick, as the UI's interval timer does."""
        from kiosk.core import events as ev

        self.now += seconds
        self.send(ev.Tick(self.now))

    def screen(self, name: str) -> Any:
        """A screen by name."""
        return self.root.screens[name]

    def button(self, screen: str, key: str) -> Any:
        """A button of a screen by its kv id."""
        return self.screen(screen).ids[key]

    def find(self, predicate: Callable[[Any], bool], root: Any = None) -> Any:
        """The first widget on screen matching ``predicate``."""
        for w in (root or self.root).walk():
            if predicate(w) and w.get_root_window() is not None:
                return w
        raise LookupError("no such widget on screen")

    def texts(self) -> str:
        """All texts currently on screen (for assertions on content)."""
        out = []
        for w in self.root.walk(restrict=True):
            text = getattr(w, "text", "")
            if text and w.get_root_window() is not None and w.opacity > 0:
                out.append(text)
        return "\n".join(out)

    def texts_of(self, widget: Any) -> str:
        """All texts inside one widget."""
        return "\n".join(getattr(w, "text", "") for w in widget.walk(restrict=True) if getattr(w, "text", ""))

    def close(self) -> None:
        """Remove the root from the window and stop the runtime."""
        self.window.remove_widget(self.root)
        self.runtime.close()


@pytest.fixture
def kiosk_factory(window: Any) -> Iterator[Callable[..., Kiosk]]:
    """Build kiosks; each is torn down after the test."""
    made: list[Kiosk] = []

    def make(session: SessionSettings | None = None, runtime: SimRuntime | None = None, **kw: Any) -> Kiosk:
        rt = runtime or SimRuntime(
            session or SessionSettings(languages=("nl", "en", "de", "tr"), idle_timeout=60, idle_warning=15)
        )
        k = Kiosk(window, rt, **kw)
        made.append(k)
        return k

    yield make
    for k in made:
        k.close()


@pytest.fixture
def kiosk(kiosk_factory: Callable[..., Kiosk]) -> Kiosk:
    """A kiosk on the demo library, all four languages, PIN when the patron has one."""
    return kiosk_factory()
