"""Tactile keypad navigation (issue 17): focus order, announcements, press, back — only in speech mode."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.ui.keypad import KeypadNavigator, focus_order


@dataclass(eq=False)
class Button:
    text: str
    x: float
    top: float
    disabled: bool = False
    pressed: list[str] = field(default_factory=list)

    def dispatch(self, name: str) -> None:
        self.pressed.append(name)


BORROW, RETURN, PAY = Button("Lenen", 0, 500), Button("Inleveren", 300, 500), Button("Betalen", 0, 300)
OFF = Button("Verlengen", 300, 300, disabled=True)


def navigator(active: bool = True) -> tuple[KeypadNavigator, list[tuple[str, int, int]], list[str]]:
    said: list[tuple[str, int, int]] = []
    backs: list[str] = []
    nav = KeypadNavigator(
        lambda: [PAY, OFF, RETURN, BORROW],
        lambda *a: said.append(a),
        lambda: backs.append("back"),
        lambda: active,
    )
    return nav, said, backs


def test_focus_order_is_top_to_bottom_then_left_to_right_without_disabled_buttons() -> None:
    assert focus_order([PAY, OFF, RETURN, BORROW]) == [BORROW, RETURN, PAY]


def test_keypad_moves_announces_presses_and_goes_back() -> None:
    nav, said, backs = navigator()
    for button in (BORROW, RETURN, PAY):
        button.pressed.clear()
    assert not nav.key(261)  # 5 with nothing focused is not used (Enter may be the scanner's)
    assert nav.key(262) and nav.key(262) and nav.key(262) and nav.key(262)  # 6 four times: wraps
    assert said == [("Lenen", 1, 3), ("Inleveren", 2, 3), ("Betalen", 3, 3), ("Lenen", 1, 3)]
    assert nav.key(260)  # 4: back to the last
    assert said[-1] == ("Betalen", 3, 3)
    assert nav.key(261)  # 5 presses the focused button
    assert PAY.pressed == ["on_press", "on_release"] and not BORROW.pressed
    assert nav.key(8) and backs == ["back"]


def test_outside_speech_mode_the_keypad_does_nothing() -> None:
    nav, said, backs = navigator(active=False)
    assert not nav.key(262) and not nav.key(8)
    assert said == [] and backs == []
