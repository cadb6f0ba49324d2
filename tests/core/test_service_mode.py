"""The service mode is the core's state: out of order or in maintenance, no event (a member's, a late
answer, a tick) leads to a circulation or payment effect, and leaving service ends the session."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core import effects as fx
from kiosk.core import events as ev
from kiosk.core.machine import SERVICE_EFFECTS, transition
from kiosk.core.service import Availability, ServiceMode
from kiosk.core.state import SessionState
from kiosk.core.view import Screen
from tests.core.helpers import PASS, SETTINGS, new_session, reach, sid
from tests.core.test_random_sequences import USER, _results

OUT = ev.ServiceModeChanged(Availability.OUT_OF_ORDER)
BACK = ev.ServiceModeChanged(Availability.IN_SERVICE)


def test_out_of_order_ignores_an_item_on_the_attract_screen_and_a_pass() -> None:
    session = new_session()
    assert session.handle(OUT) == []
    assert session.view.service == ServiceMode(Availability.OUT_OF_ORDER)
    assert session.view.service.out_of_order
    assert session.handle(ev.ItemPresented("ITEM-A")) == []  # was: a CheckIn at the ILS
    assert session.handle(ev.StartReturn()) == []
    assert session.handle(ev.PassPresented(PASS)) == []  # was: a patron lookup, then loans
    assert session.state.screen is Screen.ATTRACT
    session.handle(BACK)
    assert session.view.service.serving
    assert any(isinstance(e, fx.CheckIn) for e in session.handle(ev.ItemPresented("ITEM-A")))


def test_leaving_service_mid_session_ends_it_and_its_answers_change_nothing() -> None:
    session = reach(Screen.BORROW)
    running = sid(session)
    effects = session.handle(ev.ServiceModeChanged(Availability.MAINTENANCE))
    assert session.view.ended == 1 and not any(isinstance(e, fx.CheckOut) for e in effects)
    assert session.state.screen is Screen.ATTRACT and session.state.pass_number is None
    assert session.view.service.availability is Availability.MAINTENANCE
    assert session.handle(ev.ItemPresented("ITEM-A")) == []
    assert session.handle(ev.PatronFound(running, display_name="late")) == []
    assert session.state.problems(SETTINGS) == []


def test_the_mode_survives_the_end_of_a_session() -> None:
    session = new_session()
    session.handle(OUT)
    session.handle(ev.Tick(10_000.0))  # an idle timeout or a reset must not put it back in service
    assert session.view.service.out_of_order


MODES = st.one_of(
    st.sampled_from(tuple(Availability)).map(ev.ServiceModeChanged), st.just(ev.MaintenanceEnded())
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_circulation_or_payment_effect_unless_in_service(data: st.DataObject) -> None:
    state = SessionState.initial(SETTINGS)
    now = 0.0
    for _ in range(data.draw(st.integers(1, 60))):
        kind = data.draw(st.sampled_from(("user", "result", "tick", "mode")))
        if kind == "user":
            event: ev.Event = data.draw(USER)
        elif kind == "result":
            event = data.draw(_results(state.session_id))
        elif kind == "mode":
            event = data.draw(MODES)
        else:
            now += data.draw(st.floats(0.0, 70.0))
            event = ev.Tick(now)
        state, effects = transition(SETTINGS, state, event)
        if not state.mode.serving:
            assert not [e for e in effects if isinstance(e, SERVICE_EFFECTS)], (event, effects)
        assert state.problems(SETTINGS) == [], (event, state.screen)


def test_maintenance_returns_to_what_it_was_before() -> None:
    session = new_session()
    session.handle(ev.ServiceModeChanged(Availability.MAINTENANCE))
    assert session.handle(ev.ItemPresented("ITEM-A")) == []
    session.handle(ev.MaintenanceEnded())
    assert session.view.service.serving
    session.handle(OUT)
    session.handle(ev.ServiceModeChanged(Availability.MAINTENANCE))
    session.handle(ev.MaintenanceEnded())
    assert session.view.service.out_of_order  # out of order stays out of order
    session.handle(ev.ServiceModeChanged(Availability.MAINTENANCE))
    session.handle(BACK)  # "back in service" pressed on the panel
    session.handle(ev.MaintenanceEnded())
    assert session.view.service.serving
