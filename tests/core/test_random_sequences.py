"""Property: any sequence of events, however unlikely, never raises and always leaves a consistent state;
and a long enough silence always ends the session with nothing left on screen."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core import events as ev
from kiosk.core.machine import transition
from kiosk.core.state import SessionState
from kiosk.core.view import AccountView, FeeLine, LoanLine, Screen
from tests.core.helpers import SETTINGS

PASSES = ("20105000012345", "20105000067890")
ITEMS = ("I1", "I2", "I3")
ACCOUNT = AccountView(loans=(LoanLine("I1"),), fees=(FeeLine("F1", Decimal("2.00")),))


def _results(sid: int) -> st.SearchStrategy[ev.Event]:
    sids = st.sampled_from((sid, sid - 1, sid + 1))
    items = st.sampled_from(ITEMS)
    return st.one_of(
        st.builds(
            ev.PatronFound,
            sids,
            valid=st.booleans(),
            pin_valid=st.sampled_from((None, True, False)),
            pin_required=st.booleans(),
            language=st.sampled_from(("000", "001", "003", "005", "017")),
            flags=st.frozensets(
                st.sampled_from(
                    ("expired", "card_reported_lost", "charge_privileges_denied", "renewal_privileges_denied")
                )
            ),
            offline=st.booleans(),
            offline_loans_allowed=st.booleans(),
        ),
        st.builds(ev.PatronUnknown, sids),
        st.builds(ev.ItemCheckedOut, sids, items, offline=st.booleans(), magnetic_media=st.booleans()),
        st.builds(
            ev.ItemCheckedIn, sids, items, hold_for_other=st.booleans(), sort_bin=st.sampled_from(("", "B2"))
        ),
        st.builds(ev.ItemRenewed, sids, items),
        st.builds(ev.ItemRefused, sids, items, st.sampled_from(("loan", "return", "renewal", "bogus"))),
        st.builds(ev.AccountLoaded, sids, st.just(ACCOUNT)),
        st.builds(ev.PaymentCompleted, sids, st.just(("F1",)), st.just(Decimal("2.00"))),
        st.builds(ev.PaymentFailed, sids),
        st.builds(
            ev.ServiceUnavailable,
            sids,
            st.sampled_from(("lookup", "loan", "return", "renewal", "account", "payment")),
            item_id=st.sampled_from(("", *ITEMS)),
        ),
    )


USER = st.one_of(
    st.builds(ev.PassPresented, st.sampled_from(PASSES)),
    st.builds(ev.PinEntered, st.sampled_from(("", "1234"))),
    st.builds(ev.ItemPresented, st.sampled_from(ITEMS)),
    st.sampled_from(
        [
            ev.StartBorrow(),
            ev.StartReturn(),
            ev.StartRenew(),
            ev.ShowAccount(),
            ev.StartPay(),
            ev.Back(),
            ev.Finish(),
            ev.MoreTime(),
            ev.Acknowledge(),
            ev.ConfirmSwitch(),
            ev.CancelSwitch(),
            ev.IlsOffline(),
            ev.IlsOnline(),
            ev.ReceiptChoice(True),
            ev.ReceiptChoice(False),
        ]
    ),
    st.builds(ev.RenewItems, st.lists(st.sampled_from(ITEMS), max_size=3).map(tuple)),
    st.builds(ev.PayFees, st.lists(st.sampled_from(("F1", "F9")), max_size=2).map(tuple)),
    st.builds(ev.LanguageChosen, st.sampled_from(("nl", "en", "xx"))),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_event_sequences_stay_consistent(data: st.DataObject) -> None:
    state = SessionState.initial(SETTINGS)
    now = 0.0
    for _ in range(data.draw(st.integers(1, 60))):
        kind = data.draw(st.sampled_from(("user", "result", "tick")))
        if kind == "user":
            event: ev.Event = data.draw(USER)
        elif kind == "result":
            event = data.draw(_results(state.session_id))
        else:
            now += data.draw(st.floats(0.0, 70.0))
            event = ev.Tick(now)
        state, effects = transition(SETTINGS, state, event)
        assert state.problems(SETTINGS) == [], (event, state.screen)
        assert isinstance(effects, list)
    # Whatever happened: once the terminal has answered, silence ends the session and clears everything.
    if state.screen is Screen.PAY and ("payment", "") in state.pending:
        state, _ = transition(SETTINGS, state, ev.PaymentFailed(state.session_id))
    state, _ = transition(SETTINGS, state, ev.Tick(now + 0.5))
    state, _ = transition(SETTINGS, state, ev.Tick(now + SETTINGS.idle_timeout + 1.0))
    assert state.screen in (Screen.GOODBYE, Screen.ATTRACT), state.screen  # the goodbye holds nothing
    assert state.pass_number is None and state.patron is None and state.items == () and state.account is None
    state, _ = transition(
        SETTINGS, state, ev.Tick(now + SETTINGS.idle_timeout + 2.0 + SETTINGS.goodbye_seconds)
    )
    assert state.screen is Screen.ATTRACT, state.screen
    assert state.pass_number is None and state.patron is None and state.items == () and state.account is None
