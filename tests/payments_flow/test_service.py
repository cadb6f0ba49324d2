"""The service's rules at the edges: a terminal that stays away, partial approvals, a partly refused
payment, and wiring from the kiosk's own ``config.toml``."""

from __future__ import annotations

import dataclasses
import os
import tty
from decimal import Decimal
from pathlib import Path

from drivers.payment import messages as m
from drivers.payment import open_terminal
from drivers.payment.codec import Apdu
from drivers.payment.sim_books import COMMITTED, REVERSED, SimTransaction
from drivers.payment.simulator import TerminalSimulator
from kiosk.config import load_config
from kiosk.core.effects import StartPayment
from kiosk.core.events import PaymentCompleted, PaymentFailed
from kiosk.payments.ils import IlsFees, parse_fine_item
from kiosk.payments.journal import PaymentJournal
from kiosk.payments.service import PaymentService, amount_to_cents
from kiosk.payments.states import Line, State
from sip2.simulator import IlsSimulator
from tests.payments_flow.conftest import Kiosk
from tests.payments_flow.rig import (
    FEE_HOLD,
    FEE_SMALL,
    PASSWORD,
    PATRON,
    SILENT_TIMERS,
    TIMERS,
    payments_of,
    sip2_client,
)

ROOT = Path(__file__).resolve().parents[2]
HOLD_ONLY = StartPayment(7, PATRON, (FEE_HOLD,), Decimal("2.50"))


def test_terminal_that_stays_away_blocks_every_further_authorization(
    ils: IlsSimulator, tmp_path: Path
) -> None:
    master, slave = os.openpty()  # a serial line with nothing on the other end
    tty.setraw(master)
    tty.setraw(slave)
    os.set_blocking(master, False)
    journal = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "kiosk.key")
    # nothing ever answers on this line: short timers can only run out rightly
    term = open_terminal(f"zvt+serial://{os.ttyname(slave)}", password=PASSWORD, timers=SILENT_TIMERS)
    service = PaymentService(journal, term, IlsFees(sip2_client(ils.port)), register_attempts=1)
    try:
        service.start()
        first = service.handle(HOLD_ONLY)
        second = service.handle(HOLD_ONLY)
        written = os.read(master, 65536)
    finally:
        service.close()
        os.close(master)
        os.close(slave)
    # The Authorization went out and nothing came back: the member hears "unknown, do not pay again",
    # never "declined" or "nothing charged".
    assert first == PaymentFailed(7, reason="payment.unknown")
    # The second attempt never reaches the terminal (the first is unresolved).
    assert second == PaymentFailed(7, reason="payment.terminal_unavailable")
    (rec,) = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "kiosk.key").all()
    assert rec.state is State.UNKNOWN
    # one Authorization (sent three times by the link layer: first try + two repeats, same frame)
    assert written.count(b"\x10\x02\x06\x01") == 3
    assert ils.library.payments == []


class PartialApprovalTerminal(TerminalSimulator):
    """A terminal that approves less than asked (partial approval), which the kiosk must never keep."""

    def status_information(self, tx: SimTransaction, result: int = 0x00) -> Apdu:
        apdu = super().status_information(
            dataclasses.replace(tx, amount=tx.amount - 100) if tx.kind == "payment" else tx, result
        )
        return apdu


def test_partial_approval_is_not_accepted(ils: IlsSimulator, tmp_path: Path) -> None:
    from tests.payments_flow.rig import start_terminal

    plain, _ = start_terminal()
    plain.stop()
    sim = PartialApprovalTerminal(plain.settings, plain.books, TIMERS)
    path = sim.start_pty()
    journal = PaymentJournal(tmp_path / "kiosk.db", tmp_path / "kiosk.key")
    term = open_terminal(f"zvt+serial://{path}", password=PASSWORD, timers=TIMERS)
    service = PaymentService(journal, term, IlsFees(sip2_client(ils.port)))
    try:
        service.start()
        event = service.handle(HOLD_ONLY)
    finally:
        service.close()
        sim.stop()
    assert event == PaymentFailed(7, reason="payment.aborted")
    assert payments_of(sim.books) == [(250, REVERSED)]
    assert ils.library.payments == [] and FEE_HOLD in {f.fee_id for f in ils.library.open_fees_of(PATRON)}


def test_partly_refused_payment_keeps_the_money_and_calls_staff(kiosk: Kiosk) -> None:
    service = kiosk.open()

    def desk_pays_part_of_the_second_fee(key: str) -> None:
        if key == "terminal.insert_card":
            kiosk.ils.library.pay_fee(PATRON, "1.00", transaction_id="DESK", fee_id=FEE_HOLD)

    event = service.handle(StartPayment(7, PATRON, (FEE_SMALL, FEE_HOLD), Decimal("3.00")),
                           progress=desk_pays_part_of_the_second_fee)  # fmt: skip
    assert isinstance(event, PaymentFailed) and event.reason == "payment.not_recorded"
    (rec,) = service.journal.all()
    assert rec.state is State.NEEDS_STAFF and [f.state for f in rec.fees] == [Line.ACCEPTED, Line.REFUSED]
    assert payments_of(kiosk.terminal.books) == [(300, COMMITTED)]  # fee 1 is recorded: no reversal
    assert [a[0] for a in kiosk.alerts] == ["payment_partly_recorded"]
    assert len(kiosk.ils.library.payments_for(f"{rec.payment_id}-1")) == 1


def test_from_config_with_the_embedded_terminal(ils: IlsSimulator, tmp_path: Path) -> None:
    config = load_config(ROOT / "config.toml")
    config = dataclasses.replace(
        config,
        store=dataclasses.replace(
            config.store, path=str(tmp_path / "k.db"), key_file=str(tmp_path / "k.key")
        ),
        devices=dataclasses.replace(config.devices, terminal="zvt+sim://?step_delay=0.01&card_wait=0.5"),
    )
    service = PaymentService.from_config(config, sip2_client(ils.port))
    try:
        service.start()
        prompts: list[str] = []
        event = service.handle(HOLD_ONLY, progress=prompts.append)
        assert event == PaymentCompleted(7, fee_ids=(FEE_HOLD,), amount=Decimal("2.50"))
        assert "terminal.insert_card" in prompts
        assert payments_of(service.terminal.simulator.books) == [(250, COMMITTED)]
        assert service.status() == {"payments": {"DONE": 1}}
        too_much = service.handle(StartPayment(7, PATRON, (FEE_SMALL,), Decimal("1000.00")))
        assert too_much == PaymentFailed(7, reason="payment.disabled")  # above [payment] max_amount
    finally:
        service.close()


def test_amounts_and_fine_items_parse_strictly() -> None:
    assert amount_to_cents(Decimal("2.50")) == 250 and amount_to_cents(Decimal("12")) == 1200
    for bad in (Decimal("0"), Decimal("-1"), Decimal("0.001"), Decimal("NaN")):
        try:
            amount_to_cents(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} accepted")
    assert parse_fine_item('900001 EUR 0.50 "Te laat ingeleverd"') == ("900001", Decimal("0.50"))
    assert parse_fine_item("900002 2,50 Reservering") == ("900002", Decimal("2.50"))
    assert parse_fine_item("900003 Vervanging") == ("900003", None)
    assert m.RESULT_ECR_REFUSES != 0  # refusing the goods is never "commit"


def test_open_fees_from_wise_sip2plus_and_the_check_before_a_resend(ils: IlsSimulator) -> None:
    from sip2.client import ClientSettings, Sip2Client
    from sip2.dialect import Dialect

    base = sip2_client(ils.port).settings
    wise = IlsFees(Sip2Client(dataclasses.replace(base, dialect=Dialect(wise_sip2plus=True))), wise=True)
    plain = IlsFees(Sip2Client(base))
    assert isinstance(base, ClientSettings)
    expected = {FEE_SMALL: Decimal("0.50"), FEE_HOLD: Decimal("2.50")}
    assert wise.open_fees(PATRON) == expected == plain.open_fees(PATRON)
    assert wise.check(PATRON, FEE_HOLD, Decimal("2.50")) is Line.NOT_APPLIED  # still open: may resend
    assert plain.pay(PATRON, FEE_HOLD, Decimal("2.50"), "K-1").line is Line.ACCEPTED
    assert wise.check(PATRON, FEE_HOLD, Decimal("2.50")) is Line.ACCEPTED  # gone: it was applied
    assert plain.pay(PATRON, FEE_HOLD, Decimal("2.50"), "K-2").line is Line.REFUSED  # never twice
    ils.stop()
    assert plain.check(PATRON, FEE_SMALL, Decimal("0.50")) is Line.SENT  # cannot tell: stays in doubt


def test_no_payment_starts_while_the_kiosk_printer_cannot_print(kiosk: Kiosk) -> None:
    """The receipt comes as Print Lines that would be refused (84 CC) after the fee was recorded: so no
    Authorization is sent at all; once the printer is back the payment goes through."""
    service = kiosk.open()
    paper = [False]
    service.terminal.printer_ready = lambda: paper[0]
    assert service.handle(HOLD_ONLY) == PaymentFailed(7, reason="payment.terminal_unavailable")
    assert kiosk.terminal.played == [] and service.journal.all() == []
    paper[0] = True
    assert isinstance(service.handle(HOLD_ONLY), PaymentCompleted)
    assert payments_of(kiosk.terminal.books) == [(250, COMMITTED)]


def test_the_service_logs_off_from_the_terminal_on_close(kiosk: Kiosk) -> None:
    service = kiosk.open()
    assert kiosk.terminal.logged_off == 0
    service.close()
    kiosk.service = None
    assert kiosk.terminal.logged_off == 1 and kiosk.terminal.config_byte == 0x86
