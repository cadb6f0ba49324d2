"""Shared helpers for the session machine tests: settings, reaching a screen, sample events."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from kiosk.core import events as ev
from kiosk.core import pad_model as pad
from kiosk.core.machine import Session
from kiosk.core.state import SessionSettings, SessionState
from kiosk.core.view import AccountView, FeeLine, HoldLine, LoanLine, Screen

PASS = "20105000012345"
OTHER_PASS = "20105000067890"
SETTINGS = SessionSettings(
    pin="patron",
    pin_tries=3,
    idle_timeout=60.0,
    idle_warning=15.0,
    receipt="ask",
    languages=("nl", "en", "de"),
    default_language="nl",
    payment_enabled=True,
)
ACCOUNT = AccountView(
    loans=(LoanLine("ITEM-A", "Title A", "2026-12-01"), LoanLine("ITEM-B", "Title B", "2026-12-02", True)),
    holds=(HoldLine("Hold title", available=True),),
    fees=(FeeLine("FEE-1", Decimal("1.50"), "late"), FeeLine("FEE-2", Decimal("2.25"), "lost card")),
)


def settings(**changes: object) -> SessionSettings:
    """SETTINGS with some fields changed."""
    from dataclasses import replace

    return replace(SETTINGS, **changes)  # type: ignore[arg-type]


def new_session(s: SessionSettings = SETTINGS) -> Session:
    """A session on the attract screen whose clock has started at t=0."""
    session = Session(s)
    session.handle(ev.Tick(0.0))
    return session


def sid(session: Session) -> int:
    """The running session's id (for result events)."""
    return session.state.session_id


def identify(session: Session, **found: object) -> None:
    """Present PASS and answer the lookup with a valid patron (fields overridable)."""
    session.handle(ev.PassPresented(PASS))
    if session.state.screen is Screen.PIN:
        session.handle(ev.PinEntered("1234"))
    fields: dict[str, object] = {"display_name": "A. Patron"}
    fields.update(found)
    session.handle(ev.PatronFound(sid(session), **fields))  # type: ignore[arg-type]


def reach(screen: Screen, s: SessionSettings = SETTINGS) -> Session:
    """A session showing ``screen`` through the normal path."""
    session = new_session(s)
    if screen is Screen.ATTRACT:
        return session
    if screen is Screen.PIN:
        session = new_session(settings(pin="always"))
        session.handle(ev.PassPresented(PASS))
    elif screen is Screen.IDENTIFYING:
        session.handle(ev.PassPresented(PASS))
    elif screen is Screen.NOTICE:
        session.handle(ev.PassPresented(PASS))
        session.handle(ev.PatronUnknown(sid(session), "Onbekende pas"))
    else:
        identify(session)
        follow: dict[Screen, list[ev.Event]] = {
            Screen.MENU: [],
            Screen.BORROW: [ev.StartBorrow()],
            Screen.RETURN: [ev.StartReturn()],
            Screen.RENEW: [ev.StartRenew()],
            Screen.ACCOUNT: [ev.ShowAccount()],
            Screen.PAY: [ev.StartPay()],
            Screen.RECEIPT: [ev.StartBorrow(), ev.ItemPresented("ITEM-X")],
            Screen.GOODBYE: [ev.Finish()],  # nothing done: no receipt question, straight to the goodbye
        }
        for event in follow[screen]:
            session.handle(event)
        if screen in (Screen.RENEW, Screen.ACCOUNT, Screen.PAY):
            session.handle(ev.AccountLoaded(sid(session), ACCOUNT))
        if screen is Screen.RECEIPT:
            session.handle(ev.ItemCheckedOut(sid(session), "ITEM-X", "Title X", "2026-12-24"))
            session.handle(ev.Finish())
    assert session.state.screen is screen, (screen, session.state.screen)
    return session


def sample_event(event_type: type[ev.Event], state: SessionState) -> ev.Event:
    """A plausible instance of ``event_type`` for a session in ``state``."""
    i = state.session_id
    makers: dict[type[ev.Event], Callable[[], ev.Event]] = {
        ev.Tick: lambda: ev.Tick((state.clock or 0.0) + 1.0),
        ev.IlsOffline: ev.IlsOffline,
        ev.IlsOnline: ev.IlsOnline,
        ev.PassPresented: lambda: ev.PassPresented(OTHER_PASS),
        ev.CardNotAPass: ev.CardNotAPass,
        ev.BarcodeRefused: ev.BarcodeRefused,
        ev.PinEntered: lambda: ev.PinEntered("1234"),
        ev.ItemPresented: lambda: ev.ItemPresented("ITEM-A"),
        ev.StartBorrow: ev.StartBorrow,
        ev.StartReturn: ev.StartReturn,
        ev.StartRenew: ev.StartRenew,
        ev.ShowAccount: ev.ShowAccount,
        ev.StartPay: ev.StartPay,
        ev.RenewItems: lambda: ev.RenewItems(("ITEM-A",)),
        ev.PayFees: lambda: ev.PayFees(("FEE-1",)),
        ev.PayRental: lambda: ev.PayRental("ITEM-A"),
        ev.Back: ev.Back,
        ev.Finish: ev.Finish,
        ev.ReceiptChoice: lambda: ev.ReceiptChoice(True),
        ev.MoreTime: ev.MoreTime,
        ev.Acknowledge: ev.Acknowledge,
        ev.ConfirmSwitch: ev.ConfirmSwitch,
        ev.CancelSwitch: ev.CancelSwitch,
        ev.LanguageChosen: lambda: ev.LanguageChosen("en"),
        ev.PatronFound: lambda: ev.PatronFound(i, display_name="A. Patron"),
        ev.PatronUnknown: lambda: ev.PatronUnknown(i),
        ev.ItemCheckedOut: lambda: ev.ItemCheckedOut(i, "ITEM-A", "Title A", "2026-12-01"),
        ev.ItemCheckedIn: lambda: ev.ItemCheckedIn(i, "ITEM-A", "Title A"),
        ev.ItemRenewed: lambda: ev.ItemRenewed(i, "ITEM-A", "Title A", "2026-12-15"),
        ev.ItemRefused: lambda: ev.ItemRefused(i, "ITEM-A", "loan", "item.refused", "Geblokkeerd"),
        ev.AccountLoaded: lambda: ev.AccountLoaded(i, ACCOUNT),
        ev.PaymentCompleted: lambda: ev.PaymentCompleted(i, ("FEE-1",), Decimal("1.50")),
        ev.PaymentFailed: lambda: ev.PaymentFailed(i),
        ev.TerminalPrompt: lambda: ev.TerminalPrompt("insert_card"),
        ev.ServiceUnavailable: lambda: ev.ServiceUnavailable(i, "account"),
        # the RFID pad (kiosk.core.pad)
        pad.ItemsOnPad: lambda: pad.ItemsOnPad((pad.PadItem("ITEM-A", ("E004015000000001",)),)),
        pad.PadSecurityResult: lambda: pad.PadSecurityResult(i, "ITEM-A", pad.RELEASE, False, "failed"),
    }
    return makers[event_type]()
