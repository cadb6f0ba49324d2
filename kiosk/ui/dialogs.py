"""The root's banner and dialogs: the offline banner, the idle warning, "another pass?" and the help
pictures. What they show comes from the core's view; the help dialog is the UI's own (a touch on "Hulp")."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.core import events as ev
from kiosk.core.view import SessionView
from kiosk.i18n import Translator
from kiosk.ui.kit import KioskButton, KioskLabel, Row, Surface
from kiosk.ui.look import look
from kiosk.ui.settings import UiSettings


class Backdrop(Widget):
    """Dims the screen behind a dialog and swallows touches meant for what is behind it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas:
            Color(0, 0, 0, 0.6)
            self._rect = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_: Any) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def on_touch_down(self, touch: Any) -> bool:
        """Touches outside the dialog do nothing."""
        return True


def outline(box: Widget, role: str) -> None:
    """Draw a border in the text colour of ``role`` around a dialog: on the dimmed screen a dialog in the
    page's own colour (high contrast: black on black) had no visible edge."""
    with box.canvas.after:
        Color(*look.colors[role + "_text"])
        line = Line(width=3)

    def place(*_: Any) -> None:
        line.rectangle = (box.x + 2, box.y + 2, box.width - 4, box.height - 4)

    place()
    box.bind(pos=place, size=place)
    box.outline = line


class DialogHost:
    """Mixed into :class:`~kiosk.ui.root.KioskRoot`: the banner and the dialogs over its screens."""

    # Provided by KioskRoot (and Kivy's FloatLayout).
    t: Translator
    view: SessionView
    settings: UiSettings
    maintenance: str | None
    help_open: bool
    help_button: Any
    header: Any
    banner: Row
    _dialog: Widget | None
    _backdrop: Backdrop
    send: Callable[[ev.Event], None]
    add_widget: Callable[..., None]
    remove_widget: Callable[..., None]

    def open_help(self) -> None:
        """Show the help pictures over the current screen (the session goes on; a touch is activity)."""
        if self.view.in_session:
            self.send(ev.MoreTime())
        self.help_open = True
        self._show_dialog(self.view)

    def close_help(self) -> None:
        """Back to the screen the member was on."""
        self.help_open = False
        self._show_dialog(self.view)

    def _make_help(self) -> Widget:
        from kivy.uix.gridlayout import GridLayout
        from kivy.uix.image import Image

        t, s = self.t, self.settings
        box = Surface(
            role="panel",
            orientation="vertical",
            size_hint=(0.92, 0.9),
            pos_hint={"center_x": 0.5, "center_y": 0.5},
            padding=look.sizes["padding"],
            spacing=look.sizes["spacing"],
        )
        box.add_widget(KioskLabel(text=t("help.title"), role="panel", size_name="title"))
        grid = GridLayout(cols=4, spacing=look.sizes["spacing"])
        for name in ("pass_reader", "scanner", "pad", "terminal"):
            cell = BoxLayout(orientation="vertical", spacing=4)
            cell.add_widget(Image(source=s.picture(name), fit_mode="contain"))
            cell.add_widget(
                KioskLabel(text=t(f"help.{name}"), role="panel", size_name="small", halign="center")
            )
            grid.add_widget(cell)
        box.add_widget(grid)
        staff = BoxLayout(size_hint_y=None, height=look.sizes["button_height"] * 1.4, spacing=16)
        # The staffing mode's policy decides (as for every desk referral): unstaffed, no desk to point at.
        key = self.view.service.policy.text_key("help.staff")
        if key == "help.staff":
            width = look.sizes["button_height"] * 1.8
            staff.add_widget(Image(source=s.picture("staff"), size_hint_x=None, width=width))
        staff.add_widget(
            KioskLabel(text=(s.help_contact or t(key)) if key == "help.staff" else t(key), role="panel")
        )
        box.add_widget(staff)
        bar = BoxLayout(size_hint_y=None, height=look.sizes["button_height"])
        bar.add_widget(Widget())
        bar.add_widget(KioskButton(text=t("help.close"), role="primary", action=self.close_help))
        box.add_widget(bar)
        box.dialog_kind = "help.title"
        outline(box, "panel")
        return box

    def _show_banner(self, view: SessionView) -> None:
        """The reserved banner slot: the offline notice and/or the closing countdown (issue 17), in the
        member's language (``self.t`` follows the view)."""
        lines: list[tuple[str, str]] = []
        if self.maintenance is None:
            if not view.ils_online:
                lines.append((self.t("banner.offline"), "small"))
            minutes = view.service.closing_in_minutes
            if minutes is not None and not view.service.closed:
                text = (
                    self.t("closing.one_minute")
                    if minutes <= 1
                    else self.t("closing.countdown", minutes=str(minutes))
                )
                lines.append((text, "small"))
        if lines:
            self.banner.set_lines("offline" if not view.ils_online else "", lines)
        else:
            self.banner.clear_widgets()
        self.banner.opacity = 1 if lines else 0

    @property
    def banner_shown(self) -> bool:
        """Whether the banner (offline, closing countdown) is showing (its place is always there)."""
        return bool(self.banner.opacity)

    def _show_dialog(self, view: SessionView) -> None:
        dialog: Widget | None = None
        self.help_button.text = self.t("help.button")
        self.header.height = max(look.sizes["button_height"], self.help_button.height)  # large text too
        self.help_button.opacity = 0 if self.maintenance is not None else 1
        self.help_button.disabled = self.maintenance is not None
        if self.maintenance is None and not self.view.service.out_of_order:
            if view.confirm_switch:
                dialog = self._make_dialog(
                    "warning",
                    "switch.title",
                    "session.switch_pass",
                    [
                        ("switch.no", "button", ev.CancelSwitch()),
                        ("switch.yes", "primary", ev.ConfirmSwitch()),
                    ],
                )
            elif view.idle_warning and view.in_session:
                seconds = math.ceil(view.seconds_left or 0)
                dialog = self._make_dialog(
                    "warning",
                    "idle.title",
                    "idle.body",
                    [("idle.more_time", "primary", ev.MoreTime())],
                    seconds=seconds,
                )
            elif self.help_open:
                dialog = self._make_help()
        if self._dialog is not None:
            self.remove_widget(self._dialog)
            self._dialog = None
        if self._backdrop.parent is not None:
            self.remove_widget(self._backdrop)
        if dialog is not None:
            self.add_widget(self._backdrop)
            self.add_widget(dialog)
            self._dialog = dialog

    def _make_dialog(
        self, role: str, title: str, body: str, buttons: list[tuple[str, str, ev.Event]], **fields: Any
    ) -> Widget:
        box = Surface(
            role=role,
            orientation="vertical",
            size_hint=(0.75, None),
            pos_hint={"center_x": 0.5, "center_y": 0.5},
            padding=look.sizes["padding"],
            spacing=look.sizes["spacing"],
        )
        box.add_widget(KioskLabel(text=self.t(title), role=role, size_name="title"))
        count = fields.get("seconds")
        plural = body == "idle.body" and count is not None
        text = self.t.n(body, int(count or 0), **fields) if plural else self.t(body)
        box.add_widget(KioskLabel(text=text, role=role))
        bar = BoxLayout(size_hint_y=None, height=look.sizes["button_height"], spacing=look.sizes["spacing"])
        for key, button_role, event in buttons:
            bar.add_widget(
                KioskButton(text=self.t(key), role=button_role, action=(lambda e=event: self.send(e)))
            )
        box.add_widget(bar)
        box.bind(minimum_height=box.setter("height"))
        box.dialog_kind = title
        outline(box, role)
        return box

    @property
    def dialog(self) -> Widget | None:
        """The open dialog (idle warning, another pass), if any."""
        return self._dialog
