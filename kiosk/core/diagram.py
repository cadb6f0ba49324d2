"""The session's state diagram, generated from the machine's table (as h11 draws its own).

``python -m kiosk.core.diagram`` writes ``docs/state-diagram.md``: a Mermaid ``stateDiagram-v2`` (GitHub
draws it) of the screens and the events that move between them, then every row of
:data:`kiosk.core.machine.TABLE` and every pair in :data:`kiosk.core.machine.IGNORED` as tables. A test
regenerates it and compares, so the picture cannot drift from the table.

Where a row leads is decided by its handler (a PIN can be right or wrong); :data:`LEADS_TO` lists, per
handler, the screens it can move to besides staying, and a test checks every row against it. A handler
not listed there is drawn as "decided by the handler" until it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.core import events as ev
from kiosk.core.common import Handler
from kiosk.core.machine import ANY, IGNORED, TABLE
from kiosk.core.view import Screen

S = Screen
DOC = Path(__file__).resolve().parents[2] / "docs" / "state-diagram.md"
COMMAND = "python -m kiosk.core.diagram"

#: Per handler (by name): the screens it can lead to besides the one it was called on (empty: it stays).
LEADS_TO: dict[str, tuple[Screen, ...]] = {
    "on_tick": (S.GOODBYE, S.ATTRACT),  # the idle timeout ends the session; the goodbye ends by itself
    "on_ils_offline": (S.MENU,),  # online-only screens fall back to the menu
    "on_ils_online": (),
    "on_language": (),
    "on_checked_out": (),
    "on_checked_in": (),
    "on_renewed": (),
    "on_refused": (),
    "on_account": (),
    "on_paid": (),
    "on_payment_failed": (),
    "on_unavailable": (S.MENU,),
    "on_pass_idle": (S.PIN, S.IDENTIFYING),
    "on_not_a_pass_idle": (S.NOTICE,),
    "on_item_idle": (S.RETURN,),
    "on_return_idle": (S.RETURN,),
    "on_end": (S.GOODBYE, S.ATTRACT),  # the goodbye when the member returned items before the notice
    "on_goodbye_over": (S.ATTRACT,),
    "on_more_time": (),
    "on_pin": (S.IDENTIFYING,),
    "on_other_pass_identifying": (S.PIN, S.IDENTIFYING),
    "on_patron_found": (S.MENU, S.PIN, S.NOTICE),
    "on_patron_unknown": (S.NOTICE,),
    "_lookup_unavailable": (S.NOTICE, S.MENU),
    "on_start_borrow": (S.BORROW,),
    "on_start_return": (S.RETURN,),
    "on_start_renew": (S.RENEW,),
    "on_show_account": (S.ACCOUNT,),
    "on_start_pay": (S.PAY,),
    "on_item_borrow": (),
    "on_item_return": (),
    "on_renew_items": (),
    "on_pay_fees": (),
    "on_receipt_choice": (S.GOODBYE,),
    "on_other_pass_session": (S.PIN, S.IDENTIFYING),
    "on_confirm_switch": (S.PIN, S.IDENTIFYING),
    "on_cancel_switch": (),
    # with a patron to the menu, else finish (below: exceptions); nothing done and nobody identified (the
    # return screen left empty): straight to the attract screen, else the goodbye
    "on_back": (S.MENU, S.RECEIPT, S.GOODBYE, S.ATTRACT),
    "on_finish": (S.RECEIPT, S.GOODBYE, S.ATTRACT),
    "on_patron_refreshed": (),  # a re-read status (after paying) updates what the member may do
    "on_barcode_refused": (S.NOTICE,),  # "Dit pasnummer klopt niet" / neither pass nor item: a notice
    "on_items_on_pad": (S.RETURN,),  # items on the pad at the attract screen are returned (site rule)
    "on_security_result": (),
    "on_pay_rental": (),  # the rental is paid on the borrow screen
    "on_terminal_prompt": (),
}

#: Where a handler leads elsewhere from one screen than from the others (its screen branches).
LEADS_FROM: dict[tuple[str, Screen], tuple[Screen, ...]] = {
    ("on_back", S.MENU): (S.RECEIPT, S.GOODBYE),  # Back on the menu finishes the session
    ("on_back", S.RECEIPT): (S.MENU, S.RETURN),  # back from the receipt question to the screen before
    # with a member identified, "Klaar" ends in the receipt question or the goodbye, never straight away
    **{("on_finish", shown): (S.RECEIPT, S.GOODBYE) for shown in (S.MENU, S.BORROW, S.RENEW)},
    **{("on_finish", shown): (S.RECEIPT, S.GOODBYE) for shown in (S.ACCOUNT, S.PAY)},
}


def leads_to(handler: Handler, screen: Screen | None = ANY) -> tuple[Screen, ...] | None:
    """The screens ``handler`` can move to from ``screen`` besides staying (None: not listed)."""
    if screen is not None and (handler.__name__, screen) in LEADS_FROM:
        return LEADS_FROM[(handler.__name__, screen)]
    return LEADS_TO.get(handler.__name__)


def _screens() -> list[Screen]:
    return list(Screen)


def _name(screen: Screen | None) -> str:
    return "ANY_SCREEN" if screen is None else screen.name


def _rows() -> list[tuple[Screen | None, type[ev.Event], Handler]]:
    """The table's rows in a stable order: screen order (ANY first), then event name."""
    order = {screen: n for n, screen in enumerate([None, *_screens()])}
    return sorted(((s, e, h) for (s, e), h in TABLE.items()), key=lambda r: (order[r[0]], r[1].__name__))


def mermaid() -> str:
    """The Mermaid ``stateDiagram-v2`` text: one edge per (from, to) pair, labelled with its events."""
    edges: dict[tuple[str, str], list[str]] = {}
    for screen, etype, handler in _rows():
        targets = leads_to(handler, screen)
        if targets is None:
            edges.setdefault((_name(screen), _name(screen)), []).append(f"{etype.__name__} (handler decides)")
            continue
        for target in targets:
            if target is not screen:
                edges.setdefault((_name(screen), target.name), []).append(etype.__name__)
    lines = ["stateDiagram-v2", f"    [*] --> {S.ATTRACT.name}"]
    lines += [f"    {shown.name}: {shown.value}" for shown in _screens()]
    lines.append('    state "any screen" as ANY_SCREEN')
    for (source, destination), events in edges.items():
        lines.append(f"    {source} --> {destination}: {', '.join(events)}")
    return "\n".join(lines)


def document() -> str:
    """The whole of ``docs/state-diagram.md``."""
    out = [
        "# The session's state diagram",
        "",
        f"Generated from `kiosk/core/machine.py` by `{COMMAND}`; do not edit by hand (a test compares).",
        'An arrow is a row of the table that can change the screen; "any screen" rows apply on every',
        "screen without a row of its own. Rows that only stay on their screen are in the first table.",
        "GOODBYE is the attract screen saying thank you: a member's event there is taken as on",
        "ATTRACT (its rows are ATTRACT's), ending the goodbye when it leaves ATTRACT; a tap (Acknowledge)",
        "or the Tick after `goodbye_seconds` goes to ATTRACT.",
        "",
        "```mermaid",
        mermaid(),
        "```",
        "",
        "## Every row",
        "",
        "| screen | event | handler | can lead to |",
        "|---|---|---|---|",
    ]
    for screen, etype, handler in _rows():
        targets = leads_to(handler, screen)
        where = "(handler decides)" if targets is None else ", ".join(t.name for t in targets) or "stays"
        out.append(f"| {_name(screen)} | {etype.__name__} | `{handler.__name__}` | {where} |")
    out += ["", "## Ignored on purpose", "", "| event | ignored on |", "|---|---|"]
    by_event: dict[str, list[str]] = {}
    for screen, etype in sorted(IGNORED, key=lambda p: (p[1].__name__, _screens().index(p[0]))):
        by_event.setdefault(etype.__name__, []).append(screen.name)
    out += [f"| {event} | {', '.join(screens)} |" for event, screens in by_event.items()]
    out += ["", "Any other (screen, event) pair without a row is logged once as unexpected, and ignored.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write the diagram (or, with ``--check``, fail when the file is not current)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DOC, help=f"where to write (default {DOC})")
    parser.add_argument("--check", action="store_true", help="only check that the file is current")
    args = parser.parse_args(argv)
    text = document()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is not current: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
