"""Borrowing and returning a stack on the RFID pad: :class:`~kiosk.core.pad_model.ItemsOnPad` becomes
the same loans and returns a scanned barcode makes, and every ILS answer decides the tags' security.

One definition: an item on the pad is lent or returned by the very handlers that lend or return a scanned
barcode (:func:`kiosk.core.transactions.on_item_borrow` / ``on_item_return``), and the ILS answers are
handled by the table's own handlers; this module only adds what the tags need around them:

* before the SIP2 request: :data:`~kiosk.core.pad_model.INTEND_RELEASE` / ``INTEND_SECURE`` (a durable
  record, so a crash after the ILS answer is repaired after the restart);
* after a *successful* answer: ``RELEASE`` (a loan) or ``SECURE`` (a return) — never before, never after a
  refusal (then ``FORGET``: the tag is left untouched);
* an incomplete set, a foreign, blank, unreadable or unknown tag, a pass on the pad: a line that says so,
  no transaction, no security write;
* a loan whose tags could not be released, where the mode's policy says ``unsecured_loan = "cancel"``:
  the loan is undone (:class:`~kiosk.core.pad_model.CancelLoan`, a return through the normal effect
  path), the line says "not lent, leave it here", and the receipt does not list it;
* offline (``rfid_offline_security``): ``"release"`` lends as the offline policy allows (queued) and
  releases; ``"refuse"`` refuses offline loans of RFID items. Returns are queued and secured.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from kiosk.core import events as ev
from kiosk.core import transactions as tx
from kiosk.core.common import Handler, Transition, go
from kiosk.core.effects import Effect, PlaySound
from kiosk.core.pad_model import (
    FORGET,
    INCOMPLETE,
    INTEND_RELEASE,
    INTEND_SECURE,
    OK,
    RELEASE,
    SECURE,
    CancelLoan,
    ItemsOnPad,
    PadItem,
    PadSecurity,
    PadSecurityResult,
    PadState,
)
from kiosk.core.staffing import UNSECURED_LOAN_NOTES, unsecured_note
from kiosk.core.state import SessionSettings, SessionState
from kiosk.core.view import ItemLine, LineKind, LineStatus, Message, Screen

# message keys (kiosk/i18n catalogs)
SET_INCOMPLETE = "rfid.set_incomplete"  # "Leg alle delen op de plaat ({present} van {parts})"
TAKEN_OFF = "rfid.taken_off"
SECURITY_PASSWORD = "rfid.security_password"
OFFLINE_REFUSED = "rfid.offline_refused"
LOAN_CANCELLED = "rfid.loan_cancelled"  # "Niet geleend: de beveiliging ... Laat het hier liggen."
PROGRESS = "rfid.progress"  # "{done} van {total} materialen verwerkt" (plural by total)
TAG_KEYS = {
    "foreign": "rfid.foreign",
    "blank": "rfid.blank",
    "unknown": "rfid.unknown",
    "unreadable": "rfid.unreadable",
    "patron-card": "rfid.patron_card",
    "not-an-item": "rfid.not_an_item",
}
SCREEN_KIND = {Screen.BORROW: LineKind.LOAN, Screen.RETURN: LineKind.RETURN}


def pad_of(state: SessionState) -> PadState:
    """The session's pad state (a kiosk without the field has none)."""
    return getattr(state, "pad", None) or PadState()


def _with_pad(state: SessionState, pad: PadState) -> SessionState:
    return state.with_(pad=pad)


def progress(items: tuple[ItemLine, ...], kind: LineKind) -> Message:
    """The live count for the pad screen: lines of ``kind`` answered (done or refused) of all of them."""
    lines = [line for line in items if line.kind is kind]
    done = sum(1 for line in lines if line.status is not LineStatus.PENDING)
    return Message(PROGRESS, "", (("done", str(done)), ("total", str(len(lines)))))


def progress_text(language: str, message: Message) -> str:
    """The count in ``language``, singular or plural by the total ("7 van 7 materialen verwerkt",
    "0 van 1 materiaal verwerkt"): ``rfid.progress_one`` / ``rfid.progress``, ngettext's rule for the
    kiosk's languages (n != 1; Turkish uses the same text for both)."""
    from kiosk.i18n import Translator

    done, total = message.param("done") or "0", message.param("total") or "0"
    key = PROGRESS + "_one" if total == "1" else PROGRESS
    return Translator(language)(key, done=done, total=total)


def on_items_on_pad(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """The pad changed: new items are lent/returned, taken-off ones marked, others get a line."""
    assert isinstance(event, ItemsOnPad)
    effects: list[Effect] = []
    if (
        state.screen is Screen.ATTRACT
        and getattr(settings, "rfid_returns_from_idle", False)
        and any(item.status == OK for item in event.items)
    ):
        state = state.with_(last_activity=state.clock, pin_tries_left=settings.pin_tries)
        state, effects = go(state, Screen.RETURN, effects)
    kind = SCREEN_KIND.get(state.screen)
    now_on_pad = tuple(item.item_id for item in event.items)
    if kind is None:
        return _with_pad(state, PadState(pad_of(state).tags, now_on_pad)), effects
    for item in event.items:
        state, more = _one_item(settings, state, item, kind)
        effects += more
    for gone in pad_of(state).on_pad:
        if gone not in now_on_pad:
            state = _taken_off(state, kind, gone)
    return _with_pad(state, PadState(pad_of(state).tags, now_on_pad)), effects


def _one_item(
    settings: SessionSettings, state: SessionState, item: PadItem, kind: LineKind
) -> tuple[SessionState, list[Effect]]:
    existing = state.line(kind, item.item_id)
    if existing is not None and existing.status is not LineStatus.REFUSED:
        return state, []  # sent already (the pad reports a stack again and again)
    if existing is not None and _cancelled(existing):
        return state, []  # its loan was undone (tags not released): not lent again while it lies there
    other = state.line(LineKind.RETURN if kind is LineKind.LOAN else LineKind.LOAN, item.item_id)
    if other is not None and other.status is not LineStatus.REFUSED:
        return state, []  # just lent (returned) in this session and still on the pad: not undone by accident
    if item.status != OK:
        message = (
            Message(SET_INCOMPLETE, "", (("present", str(item.present)), ("parts", str(item.parts))))
            if item.status == INCOMPLETE
            else Message(TAG_KEYS.get(item.status, "rfid.unknown"), "", (("owner", item.owner),))
        )
        if existing is not None and existing.message == message:
            return state, []
        line = ItemLine(kind=kind, item_id=item.item_id, status=LineStatus.REFUSED, message=message)
        return state.with_line(line), [PlaySound("error")]
    offline = not state.ils_online or (state.patron is not None and state.patron.offline)
    refuse_offline = getattr(settings, "rfid_offline_security", "release") == "refuse"
    if kind is LineKind.LOAN and offline and refuse_offline:
        line = ItemLine(
            kind=kind, item_id=item.item_id, status=LineStatus.REFUSED, message=Message(OFFLINE_REFUSED)
        )
        return state.with_line(line), [PlaySound("error")]
    hold = tx.hold_refusal(state, item.item_id) if kind is LineKind.LOAN else None
    if hold is not None:  # a hold the mode does not hand out: no checkout, the tag untouched
        if existing is not None and existing.message == hold:
            return state, []
        line = ItemLine(kind=kind, item_id=item.item_id, status=LineStatus.REFUSED, message=hold)
        return state.with_line(line), [PlaySound("error")]
    handler = tx.on_item_borrow if kind is LineKind.LOAN else tx.on_item_return
    state, effects = handler(settings, state, ev.ItemPresented(item.item_id))
    if not effects:
        return state, []
    intend = INTEND_RELEASE if kind is LineKind.LOAN else INTEND_SECURE
    state = _with_pad(state, pad_of(state).with_tags(item.item_id, item.uids))
    return state, [PadSecurity(state.session_id, item.item_id, item.uids, intend), *effects]


def _taken_off(state: SessionState, kind: LineKind, item_id: str) -> SessionState:
    line = state.line(kind, item_id)
    if line is None or line.status is not LineStatus.PENDING:
        return state
    if any(note.key == TAKEN_OFF for note in line.notes):
        return state
    return state.with_line(replace(line, notes=(*line.notes, Message(TAKEN_OFF))))


def _then_security(previous: Handler, action: str) -> Handler:
    """Wrap the table's handler of a successful ILS answer: after it, switch the item's tags."""

    @functools.wraps(previous)  # keeps the wrapped handler's name (the state diagram lists it by name)
    def handler(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
        state, effects = previous(settings, state, event)
        item_id = getattr(event, "item_id", "")
        uids = pad_of(state).uids(item_id)
        if uids is None:
            return state, effects
        return state, [*effects, PadSecurity(state.session_id, item_id, uids, action)]

    return handler


def _then_forget(previous: Handler) -> Handler:
    """Wrap the handler of a refusal (or an unavailable ILS): the item's tags stay as they are."""

    @functools.wraps(previous)
    def handler(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
        state, effects = previous(settings, state, event)
        item_id = getattr(event, "item_id", "")
        uids = pad_of(state).uids(item_id) if item_id else None
        if uids is None:
            return state, effects
        return state, [*effects, PadSecurity(state.session_id, item_id, uids, FORGET)]

    return handler


def on_security_result(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
    """A tag could not be switched: the line says what to do (the service already alerted staff); with
    ``unsecured_loan = "cancel"`` a loan is undone instead (:func:`cancel_loan`)."""
    assert isinstance(event, PadSecurityResult)
    if event.ok or event.session_id != state.session_id:
        return state, []
    kind = LineKind.LOAN if event.action == RELEASE else LineKind.RETURN
    line = state.line(kind, event.item_id)
    if line is None:
        return state, []
    if kind is LineKind.LOAN and state.mode.policy.unsecured_loan == "cancel":
        return cancel_loan(state, line)
    # A password-protected tag is a configuration fault (always the desk); otherwise the mode's policy.
    key = (
        SECURITY_PASSWORD
        if event.reason == "password"
        else unsecured_note(state.mode.policy, loan=event.action == RELEASE)
    )
    if key is None:
        return state, []
    if any(note.key == key for note in line.notes):
        return state, []
    return state.with_line(replace(line, notes=(*line.notes, Message(key)))), [PlaySound("error")]


def _cancelled(line: ItemLine) -> bool:
    """A loan line whose loan was (being) undone because its tags stayed secured."""
    return (
        line.status is LineStatus.REFUSED and line.message is not None and line.message.key == LOAN_CANCELLED
    )


def cancel_loan(state: SessionState, line: ItemLine) -> Transition:
    """Undo a loan whose tags could not be released: a return through the normal effect path (online, or
    queued offline), and the line says "not lent, leave it here" — whatever the pad or the ILS says next,
    the member is not sent away with an item that sets off the gate (and nobody at a desk to help)."""
    if line.status is not LineStatus.DONE:
        return state, []  # not lent (yet), or already being undone
    cancelled = replace(line, status=LineStatus.REFUSED, message=Message(LOAN_CANCELLED), due="", notes=())
    state = state.with_line(cancelled)
    pending = state.asking(("return", line.item_id))
    return state.with_(pending=pending), [CancelLoan(state.session_id, line.item_id), PlaySound("error")]


def _undoing(state: SessionState, item_id: str) -> bool:
    """Whether a return answer for ``item_id`` answers :func:`cancel_loan` (not a member's return)."""
    loan = state.line(LineKind.LOAN, item_id)
    returned = state.line(LineKind.RETURN, item_id)
    return (
        loan is not None
        and _cancelled(loan)
        and (returned is None or returned.status is not LineStatus.PENDING)
    )


def _then_undone(previous: Handler) -> Handler:
    """Wrap the handlers of a return's answer: the answer to :func:`cancel_loan` keeps the loan line
    "not lent" (no return line, nothing on the receipt) and secures the parts of a set again; when the
    ILS refuses the undo, the loan stands and the line gets the desk note, as without "cancel"."""

    @functools.wraps(previous)
    def handler(settings: SessionSettings, state: SessionState, event: ev.Event) -> Transition:
        item_id = getattr(event, "item_id", "")
        is_return = isinstance(event, ev.ItemCheckedIn) or getattr(event, "kind", "") == "return"
        is_return = is_return or getattr(event, "request", "") == "return"
        if not item_id or not is_return or not _undoing(state, item_id):
            return previous(settings, state, event)
        loan = state.line(LineKind.LOAN, item_id)
        assert loan is not None
        uids = pad_of(state).uids(item_id)
        if isinstance(event, ev.ItemCheckedIn):
            notes = (Message("offline.queued"),) if event.offline else ()
            state = state.with_line(replace(loan, notes=notes))
            # One tag whose release failed is still secured; of a set, the parts that were released
            # are secured again (the service switches every part, even when one fails).
            if uids is None or len(uids) < 2:
                return state, []
            return state, [PadSecurity(state.session_id, item_id, uids, SECURE)]
        still_lent = replace(
            loan, status=LineStatus.DONE, message=None, notes=(Message(UNSECURED_LOAN_NOTES["desk"]),)
        )
        return state.with_line(still_lent), [PlaySound("error")]

    return handler


Table = dict[tuple[Screen | None, type[ev.Event]], Handler]


def rows(table: Table) -> Table:
    """The machine-table rows for the pad, wrapping the table's own ILS-answer handlers (``None`` = any
    screen)."""
    out: Table = {
        (None, ItemsOnPad): on_items_on_pad,
        (None, PadSecurityResult): on_security_result,
    }
    answers: tuple[tuple[type[ev.Event], str], ...] = (
        (ev.ItemCheckedOut, RELEASE),
        (ev.ItemCheckedIn, SECURE),
    )
    for event_type, action in answers:
        if (None, event_type) in table:
            out[(None, event_type)] = _then_security(table[(None, event_type)], action)
    for refusal in (ev.ItemRefused, ev.ServiceUnavailable):
        if (None, refusal) in table:
            out[(None, refusal)] = _then_forget(table[(None, refusal)])
    for answer in (ev.ItemCheckedIn, ev.ItemRefused, ev.ServiceUnavailable):
        if (None, answer) in out:
            out[(None, answer)] = _then_undone(out[(None, answer)])
    return out
