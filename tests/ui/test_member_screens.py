"""Issue 13 on the widget tree: what a member sees (holds, renewals, offline loans, layout stability)."""

from __future__ import annotations

from typing import Any

from kiosk.core import events as ev
from kiosk.core.view import LineKind
from kiosk.i18n import Translator
from sip2.simulator import demo
from tests.ui.conftest import Kiosk
from tests.ui.test_flows import log_in


def test_ready_hold_shows_ready_with_place_and_date_and_menu_notice(kiosk: Kiosk) -> None:
    log_in(kiosk, demo.HOLD_READY, demo.HOLD_READY_PIN)
    assert kiosk.root.current == "menu"
    assert "Er ligt 1 reservering voor je klaar." in kiosk.texts()
    kiosk.tap(kiosk.button("menu", "account"))
    texts = kiosk.texts()
    assert "Ligt voor je klaar" in texts and "Afhaalkast" in texts and "Ophalen uiterlijk" in texts
    assert demo.HOLD_SHELF not in texts  # a title, not a barcode


def test_renewal_results_stay_in_place_of_the_loan_with_title_and_reason(kiosk: Kiosk) -> None:
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "renew"))
    screen = kiosk.screen("renew")
    before = [getattr(w, "item_id", "") for w in reversed(screen.ids.lines.children)]
    for item_id in (demo.ON_LOAN, demo.RENEWAL_LIMIT):
        kiosk.tap(kiosk.find(lambda w, i=item_id: getattr(w, "item_id", None) == i, screen))
    kiosk.tap(screen.ids.renew)
    rows = list(reversed(screen.ids.lines.children))  # top to bottom
    renewed, refused = (kiosk.texts_of(rows[before.index(i)]) for i in (demo.ON_LOAN, demo.RENEWAL_LIMIT))
    assert "Tonio" in renewed and "Verlengd" in renewed  # in the place of the loan that was tapped
    assert "Dit zijn de namen" in refused and "niet meer verlengd" in refused  # why, in the ILS's words


def test_english_member_gets_an_english_pin_pad_and_goodbye(kiosk: Kiosk) -> None:
    kiosk.send(ev.PassPresented(demo.ENGLISH))
    assert kiosk.root.current == "pin"
    pad = kiosk.screen("pin").ids.pad
    assert kiosk.screen("pin").ids.title.text == Translator("en")("pin.title")
    assert pad.clear_text == Translator("en")("common.clear")
    for digit in demo.ENGLISH_PIN + "k":
        kiosk.tap(next(b for b in pad.children if b.key == ("ok" if digit == "k" else digit)))
    assert kiosk.root.current == "menu"
    kiosk.tap(kiosk.button("menu", "finish"))
    assert kiosk.root.current == "goodbye"
    assert kiosk.screen("goodbye").ids.title.text == Translator("en")("goodbye.title")


def button_at(kiosk: Kiosk, x: float, y: float) -> Any:
    """The visible, enabled button on the current screen (or dialog) under window point (x, y)."""
    from kivy.uix.behaviors import ButtonBehavior

    for w in kiosk.root.walk(restrict=True):
        if not isinstance(w, ButtonBehavior) or w.disabled or w.get_root_window() is None:
            continue
        node, shown = w, True
        while node is not None and node is not kiosk.root:
            shown = shown and getattr(node, "opacity", 1) > 0
            node = node.parent
        wx, wy = w.to_window(w.x, w.y)
        if shown and wx <= x <= wx + w.width and wy <= y <= wy + w.height:
            return w
    return None


def tap_and_check_the_spot(kiosk: Kiosk, widget: Any) -> None:
    """Tap ``widget``; on the screen that follows, the same spot holds no other action."""
    before, text = kiosk.root.current, widget.text
    x, y = widget.to_window(*widget.center)
    kiosk.tap(widget)
    assert kiosk.root.current != before, f"{text!r} did not change the screen"
    there = button_at(kiosk, x, y)
    assert there is None or there.text == text, (
        f"{before} {text!r} → {kiosk.root.current}: {there.text!r} sits under the same finger"
    )


def test_no_screen_puts_another_action_where_the_last_tap_was(kiosk: Kiosk) -> None:
    kiosk.send(ev.PassPresented(demo.NORMAL))
    pad = kiosk.screen("pin").ids.pad
    for digit in demo.NORMAL_PIN:
        kiosk.tap(next(b for b in pad.children if b.key == digit))
    tap_and_check_the_spot(kiosk, next(b for b in pad.children if b.key == "ok"))  # PIN OK → menu
    tap_and_check_the_spot(kiosk, kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    tap_and_check_the_spot(kiosk, kiosk.button("borrow", "done"))  # Klaar → receipt question
    tap_and_check_the_spot(kiosk, kiosk.button("receipt", "no_receipt"))  # → goodbye
    kiosk.root.end_goodbye()  # a tap on the goodbye: the core ends it
    kiosk.settle()
    tap_and_check_the_spot(kiosk, kiosk.button("attract", "return_button"))


def test_a_double_tap_on_done_does_not_answer_the_receipt_question(kiosk_factory: Any) -> None:
    from kiosk.ui.settings import UiSettings

    kiosk = kiosk_factory(
        settings=UiSettings(library_name="B", languages=("nl", "en"), tick_interval=0, touch_guard=0.4)
    )
    kiosk.send(ev.PassPresented(demo.NORMAL))
    kiosk.send(ev.PinEntered(demo.NORMAL_PIN))
    kiosk.now += 1.0
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.AVAILABLE))
    kiosk.now += 1.0
    done = kiosk.button("borrow", "done")
    x, y = done.to_window(*done.center)
    kiosk.tap(done)
    assert kiosk.root.current == "receipt"
    kiosk.tap_at(x, y)  # the second tap of the double tap, on the spot where "Klaar" was
    for button in (kiosk.button("receipt", "print_receipt"), kiosk.button("receipt", "no_receipt")):
        bx, by = button.to_window(*button.center)
        kiosk.tap_at(bx, by)  # even right on a button: within the guard it is not taken
    kiosk.runtime.settle()
    assert kiosk.root.current == "receipt" and kiosk.runtime.printed == []
    kiosk.now += 1.0
    kiosk.tap(kiosk.button("receipt", "no_receipt"))
    assert kiosk.root.current == "goodbye"


def test_the_offline_banner_has_its_own_place_and_moves_no_button(kiosk: Kiosk) -> None:
    log_in(kiosk)
    ids = kiosk.screen("menu").ids
    places = {name: ids[name].to_window(ids[name].x, ids[name].y) for name in ("borrow", "finish")}
    kiosk.send(ev.IlsOffline())
    assert kiosk.root.banner_shown and "offline" in kiosk.texts()
    assert {name: ids[name].to_window(ids[name].x, ids[name].y) for name in places} == places


def test_the_screen_shows_the_instruction_and_not_the_bin_code(kiosk: Kiosk) -> None:
    kiosk.send(ev.ItemPresented(demo.ON_HOLD_OTHER))
    texts = kiosk.texts()
    assert Translator("nl")("return.hold_shelf.bin") in texts
    (line,) = kiosk.runtime.view.lines(LineKind.RETURN)
    bins = [n.param("sort_bin") for n in line.notes if n.param("sort_bin")]
    assert bins == ["RESERVERINGEN"] and "RESERVERINGEN" not in texts  # the ILS code stays off screen


class QueueBackend:
    """A maintenance backend whose queue changes under it (a replay finishing after "started")."""

    def __init__(self) -> None:
        self.depth, self.failed, self.purged = 5, 0, 0

    def health(self) -> Any:
        from kiosk.monitoring.health import DeviceHealth, HealthSnapshot

        return HealthSnapshot(
            ils_online=True,
            ils_latency_s=0.01,
            queue_depth=self.depth,
            queue_failed=self.failed,
            printer_paper="ok",
            devices=(DeviceHealth("pass_reader_0", "ok"), DeviceHealth("terminal", "ok", "terminal_ready")),
        )

    def failed_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": "checkin",
                "item_id": f"3030100050007{i}",
                "updated_at": "2026-12-06T10:05:40",
                "result_code": "checkin:refused",
            }
            for i in range(self.failed)
        ]

    def purge_failed(self) -> Any:
        from kiosk.maintenance.backend import ActionResult

        self.purged += self.failed
        self.failed = 0
        return ActionResult(True, "maint.result.purged", (("count", str(self.purged)),))

    def __getattr__(self, name: str) -> Any:
        from kiosk.maintenance.backend import ActionResult

        return lambda *_a: ActionResult(True, "maint.result.ok")


def test_maintenance_counts_follow_the_queue_names_are_readable_and_clearing_asks(kiosk_factory: Any) -> None:
    backend = QueueBackend()
    kiosk = kiosk_factory(backend=backend)
    kiosk.root.maintenance = "maintenance"
    kiosk.root.rerender()
    kiosk.until(lambda: "Wachtrij: 5 wachtend, 0 mislukt" in kiosk.texts(), "health shown")
    assert "Paslezer 1: in orde" in kiosk.texts() and "Betaalautomaat: in orde (klaar)" in kiosk.texts()
    assert "pass_reader_0" not in kiosk.texts() and "terminal_ready" not in kiosk.texts()
    backend.depth, backend.failed = 0, 2  # the replay ends in the background
    kiosk.now += 3.0
    kiosk.root.tick()
    kiosk.until(lambda: "Wachtrij: 0 wachtend, 2 mislukt" in kiosk.texts(), "counts follow the queue")
    purge = kiosk.button("maintenance", "purge")
    kiosk.tap(purge)
    kiosk.until(lambda: "Ja, 2 wissen" in purge.text, "the list is shown and confirmation asked")
    assert "inleveren 30301000500070 · 2026-12-06 10:05 · checkin:refused" in kiosk.texts()
    assert backend.purged == 0  # nothing cleared before the technician confirms
    kiosk.tap(purge)
    kiosk.until(lambda: backend.purged == 2, "cleared after confirming")


def test_help_on_every_screen_with_the_sites_own_pictures(kiosk_factory: Any, tmp_path: Any) -> None:
    from kivy.uix.image import Image

    from kiosk.ui.settings import PICTURES, UiSettings

    (tmp_path / "terminal.png").write_bytes((PICTURES / "terminal.png").read_bytes())  # the site's own
    kiosk = kiosk_factory(
        settings=UiSettings(
            library_name="B",
            languages=("nl", "en"),
            tick_interval=0,
            touch_guard=0,
            pictures_dir=str(tmp_path),
            help_contact="Bel de balie: 0546 57 12 34",
        )
    )
    help_button = kiosk.root.help_button
    place = help_button.to_window(help_button.x, help_button.y)
    log_in(kiosk)
    for screen in ("menu", "borrow"):
        if kiosk.root.current != screen:
            kiosk.tap(kiosk.button("menu", "borrow"))
        assert help_button.to_window(help_button.x, help_button.y) == place  # always the same corner
        kiosk.tap(help_button)
        dialog = kiosk.root.dialog
        assert dialog is not None and dialog.dialog_kind == "help.title"
        sources = {w.source for w in dialog.walk() if isinstance(w, Image)}
        assert str(tmp_path / "terminal.png") in sources and str(PICTURES / "pass_reader.png") in sources
        assert "Bel de balie: 0546 57 12 34" in kiosk.texts() and "paslezer" in kiosk.texts()
        kiosk.tap(kiosk.find(lambda w: getattr(w, "text", "") == "Terug naar het scherm"))
        assert kiosk.root.dialog is None and kiosk.root.current == screen


def test_start_screen_shows_logo_picture_and_todays_hours(kiosk_factory: Any) -> None:
    from datetime import date

    from kiosk.ui.settings import PICTURES, UiSettings

    week = ["09:00-17:30"] * 7
    week[date.today().weekday()] = "10:00-14:00"
    kiosk = kiosk_factory(
        settings=UiSettings(library_name="B", languages=("nl",), tick_interval=0, opening_hours=tuple(week))
    )
    ids = kiosk.screen("attract").ids
    assert ids.logo.source == str(PICTURES / "logo.png")
    assert ids.action_picture.source.endswith("pass_reader.png")
    assert "Vandaag open 10:00–14:00" in kiosk.texts()
    week[date.today().weekday()] = ""
    closed = kiosk_factory(
        settings=UiSettings(library_name="B", languages=("nl",), tick_interval=0, opening_hours=tuple(week))
    )
    assert "Vandaag gesloten" in closed.texts()


def test_a_rental_fee_says_how_much_and_where_to_borrow_it(kiosk_factory: Any) -> None:
    """Without payment at the kiosk (with payment: tests/ui/test_rental_and_pad.py)."""
    from kiosk.core import SessionSettings

    kiosk = kiosk_factory(
        SessionSettings(
            languages=("nl", "en", "de", "tr"), idle_timeout=60, idle_warning=15, payment_enabled=False
        )
    )
    log_in(kiosk)
    kiosk.tap(kiosk.button("menu", "borrow"))
    kiosk.send(ev.ItemPresented(demo.RENTAL_DVD))
    assert "Voor dit materiaal betaal je € 1,00 huur. Lenen met huur kan bij de balie." in kiosk.texts()
