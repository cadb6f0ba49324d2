"""A kiosk payment process for the crash tests: start (recovery), maybe pay once, maybe die by SIGKILL.

    python -m tests.payments_flow.crash_child --db D --tty T --ils-port P [--outbox]
        [--pay FEE_ID[,FEE_ID] AMOUNT] [--kill-at STATE[#N]] [--desk-pays FEE_ID AMOUNT]
        [--kill-on-prompt KEY] [--kill-after-sent HEX[#N]] [--kill-after-received HEX[#N]]

``--kill-at SIP2_SENT#2`` kills the process with SIGKILL right after the second journal write of
SIP2_SENT (the hook runs after each committed write, before the action it describes).
``--desk-pays`` makes "staff at the desk" pay part of a fee over a second SIP2 connection while the
member is at the terminal, so the kiosk's Fee Paid is refused. ``--kill-after-sent 849C#2`` kills it right
after the terminal acknowledged the second APDU starting with ``84 9C`` the kiosk sent (a kill point in
the terminal's transcript); ``--kill-after-received 040F#1`` right after the first ``04 0F`` arrived
(acknowledged by the link, not yet answered). Prints one JSON line per event.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path

from drivers.payment.codec import Apdu
from kiosk.core.effects import StartPayment
from kiosk.payments.states import State
from tests.payments_flow.rig import PATRON, build_service, sip2_client


def emit(**fields: object) -> None:
    """One JSON line on stdout, flushed (the parent reads it while we run)."""
    print(json.dumps(fields), flush=True)


class TranscriptPoint:
    """The Nth APDU (counted from when the payment starts) whose bytes start with a prefix."""

    def __init__(self, prefix: bytes, nth: int) -> None:
        self.prefix, self.nth, self.seen = prefix, nth, 0

    def hit(self, apdu: bytes) -> bool:
        if not apdu.startswith(self.prefix):
            return False
        self.seen += 1
        return self.seen == self.nth


def transcript_point(spec: str | None) -> TranscriptPoint | None:
    """``"849C#2"`` → the second APDU starting with 84 9C."""
    if not spec:
        return None
    hexpart, _, nth = spec.partition("#")
    return TranscriptPoint(bytes.fromhex(hexpart), int(nth or 1))


def main(argv: list[str]) -> int:
    """Run as described in the module docstring."""
    p = argparse.ArgumentParser()
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--tty", required=True)
    p.add_argument("--ils-port", type=int, required=True)
    p.add_argument("--outbox", action="store_true")
    p.add_argument("--pay", nargs=2, metavar=("FEE_IDS", "AMOUNT"))
    p.add_argument("--kill-at")
    p.add_argument("--desk-pays", nargs=2, metavar=("FEE_ID", "AMOUNT"))
    p.add_argument("--kill-on-prompt", help="SIGKILL when the terminal shows this prompt (mid-payment)")
    p.add_argument("--kill-after-sent", help="SIGKILL after the Nth APDU we sent that starts so (hex#N)")
    p.add_argument("--kill-after-received", help="SIGKILL after the Nth APDU received that starts so")
    args = p.parse_args(argv)

    target: tuple[State, int] | None = None
    if args.kill_at:
        name, _, nth = args.kill_at.partition("#")
        target = (State(name), int(nth or 1))
    seen: dict[State, int] = {}
    armed = False

    def on_write(payment_id: str, state: State) -> None:
        seen[state] = seen.get(state, 0) + 1
        if armed and target is not None and (state, seen[state]) == target:
            os.kill(os.getpid(), signal.SIGKILL)

    service = build_service(
        args.db, args.tty, args.ils_port, vending=not args.outbox, on_write=on_write,
        on_alert=lambda kind, pid, detail: emit(alert=kind, payment_id=pid),
    )  # fmt: skip
    link = service.terminal.link
    sent_at = transcript_point(args.kill_after_sent)
    received_at = transcript_point(args.kill_after_received)
    send, receive = link.send, link.receive

    def send_and_maybe_die(apdu: Apdu) -> None:
        send(apdu)
        if armed and sent_at is not None and sent_at.hit(bytes(apdu)):
            os.kill(os.getpid(), signal.SIGKILL)

    def receive_and_maybe_die(timeout: float) -> Apdu | None:
        got = receive(timeout)
        if armed and got is not None and received_at is not None and received_at.hit(bytes(got)):
            os.kill(os.getpid(), signal.SIGKILL)
        return got

    link.send = send_and_maybe_die  # type: ignore[method-assign]
    link.receive = receive_and_maybe_die  # type: ignore[method-assign]
    recovered = service.start()
    emit(recovered=[r.state.value for r in recovered])
    if args.pay:
        fee_ids, amount = args.pay
        desk = args.desk_pays

        def progress(key: str) -> None:
            nonlocal desk
            if key == args.kill_on_prompt:
                os.kill(os.getpid(), signal.SIGKILL)
            if desk is not None and key == "terminal.insert_card":
                client = sip2_client(args.ils_port)
                client.fee_paid(PATRON, Decimal(desk[1]), fee_id=desk[0], transaction_id="DESK-1")
                client.close()
                desk = None

        seen.clear()
        armed = True
        emit(ready=True)
        event = service.handle(StartPayment(1, PATRON, tuple(fee_ids.split(",")), Decimal(amount)), progress)
        armed = False
        emit(event=type(event).__name__, reason=getattr(event, "reason", ""))
    service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
