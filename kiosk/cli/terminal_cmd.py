"""``kiosk terminal``: the payment terminal for technicians (status, a test payment, recovery, simulator).

::

    kiosk terminal status                       # 05 01: is the terminal ready?
    kiosk terminal pay 2.50 [--decision reverse] # a real payment of EUR 2.50 (issue of goods mode)
    kiosk terminal repeat-receipt               # the terminal's last transaction (crash recovery)
    kiosk terminal reverse 42                   # reverse receipt 0042 (same day, before End-of-Day)
    kiosk terminal end-of-day                   # close the terminal's batch
    kiosk terminal simulate --pty | --tcp PORT  # run the simulated terminal; prints where it listens

``--url`` overrides ``[devices] terminal``; the password comes from ``--password-file`` or
``[payment] terminal_password`` and is never printed. Exit status: 0 done, 1 declined/refused,
2 usage or configuration, 3 connection, timeout or an outcome the terminal left unknown.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kiosk.cli.output import DEFAULT_CONFIG, add_config_argument, emit, load_config_or_exit, say

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
DEFAULT_PASSWORD = "000000"

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add ``kiosk terminal`` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_argument(common)
    common.add_argument("--url", help="terminal URL (default: [devices] terminal), e.g. zvt+tcp://host:20007")
    common.add_argument("--password-file", metavar="PATH", help="file holding the 6-digit terminal password")
    parser = subparsers.add_parser("terminal", help="payment terminal (ZVT): status, test payment, simulator")
    sub = parser.add_subparsers(dest="terminal_command", metavar="COMMAND", required=True)

    p = sub.add_parser("status", parents=[common], help="Status Enquiry (05 01)")
    p.set_defaults(func=_status)
    p = sub.add_parser("pay", parents=[common], help="take a payment of AMOUNT euros, e.g. 2.50")
    p.add_argument("amount", help="amount in euros (2.50 or 2,50)")
    p.add_argument(
        "--decision",
        choices=("commit", "reverse"),
        default="commit",
        help="what the kiosk answers the approval (reverse: the terminal takes no money)",
    )
    p.add_argument("--no-vending", action="store_true", help="without issue-of-goods mode")
    p.set_defaults(func=_pay)
    p = sub.add_parser("repeat-receipt", parents=[common], help="the last transaction (06 20)")
    p.set_defaults(func=_repeat_receipt)
    p = sub.add_parser("reverse", parents=[common], help="reverse a payment by receipt number (06 30)")
    p.add_argument("receipt_no", type=int, help="receipt number of the payment")
    p.set_defaults(func=_reverse)
    p = sub.add_parser("end-of-day", parents=[common], help="End-of-Day / batch close (06 50)")
    p.set_defaults(func=_end_of_day)

    p = sub.add_parser("simulate", parents=[common], help="run the simulated terminal")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="listen on a new pseudo-terminal (default)")
    where.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT (0: any free port)")
    p.add_argument("--state", metavar="PATH", help="JSON file keeping receipt/trace numbers and the books")
    p.add_argument("--scenario", default="approve", help="scenario for every payment (default approve)")
    p.add_argument("--queue", default="", help="comma-separated scenarios for the next payments first")
    p.add_argument("--step-delay", type=float, default=0.5, help="seconds per terminal step (default 0.5)")
    p.add_argument("--card-wait", type=float, default=10.0, help="seconds the card_timeout scenario waits")
    p.add_argument("--tid", default="52523535", help="terminal id (8 digits)")
    p.add_argument("--strict-ack", action="store_true", help="strict: only an ACK while it waits for one")
    p.set_defaults(func=_simulate)


# --- settings -------------------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> tuple[str, str]:
    """(url, password): flags first, then the configuration file. Without a config file ``--url`` works
    on its own (the password then comes from ``--password-file`` or defaults to 000000)."""
    url: str | None = args.url
    password: str | None = None
    if args.password_file:
        try:
            password = Path(args.password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            say(f"kiosk terminal: cannot read --password-file: {exc.strerror}")
            raise SystemExit(EXIT_USAGE) from None
    need_config = args.config is not None or url is None or Path(DEFAULT_CONFIG).exists()
    if need_config and (url is None or password is None):
        config = load_config_or_exit(args.config)
        devices, payment = getattr(config, "devices", None), getattr(config, "payment", None)
        url = url or getattr(devices, "terminal", None)
        password = password or getattr(payment, "terminal_password", None)
    if not url:
        say("kiosk terminal: no terminal URL: give --url or set [devices] terminal")
        raise SystemExit(EXIT_USAGE)
    password = password or DEFAULT_PASSWORD
    if len(password) != 6 or not password.isdigit():
        say("kiosk terminal: the terminal password must be exactly 6 digits")
        raise SystemExit(EXIT_USAGE)
    return url, password


def _open(args: argparse.Namespace, register_first: bool = True) -> Any:
    from drivers.payment import open_terminal

    url, password = _settings(args)

    def on_status(event: Any) -> None:
        from drivers.payment import StatusEvent
        from drivers.payment.texts import text_for

        if isinstance(event, StatusEvent):
            say(f"terminal: {text_for(event.key)}")

    term = open_terminal(url, password=password, on_status=on_status)
    if register_first:
        try:
            term.register()
        except BaseException:
            term.close()
            raise
    return term


def _run(args: argparse.Namespace, action: Any, register_first: bool = True) -> int:
    """Open the terminal, run ``action(term) -> exit status``, map driver errors to exit statuses."""
    from drivers.errors import DeviceConfigurationError, DriverError
    from drivers.payment import TerminalRefusedError

    try:
        term = _open(args, register_first)
        try:
            return int(action(term))
        finally:
            term.close()
    except DeviceConfigurationError as exc:
        say(f"kiosk terminal: {exc}")
        return EXIT_USAGE
    except TerminalRefusedError as exc:
        emit({"error": "refused", "result_code": f"{exc.code:02X}", "message": str(exc)})
        return EXIT_REFUSED
    except DriverError as exc:
        emit({"error": type(exc).__name__, "message": str(exc)})
        return EXIT_CONNECTION


# --- subcommands ----------------------------------------------------------------------------------------


def parse_amount(text: str) -> int:
    """Euros as text (``2.50``, ``2,50``, ``3``) → cents; raise ValueError if not a positive amount."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount in euros, e.g. 2.50") from None
    cents = value * 100
    if not value.is_finite() or cents != cents.to_integral_value() or cents <= 0 or cents >= 10**12:
        raise ValueError(f"{text!r} is not a positive amount with at most two decimals")
    return int(cents)


def _status(args: argparse.Namespace) -> int:
    def action(term: Any) -> int:
        status = term.status()
        emit(status.to_dict())
        return EXIT_OK if status.ready else EXIT_REFUSED

    return _run(args, action, register_first=False)


def _pay(args: argparse.Namespace) -> int:
    from drivers.payment import Commit, Outcome, Reverse

    try:
        cents = parse_amount(args.amount)
    except ValueError as exc:
        say(f"kiosk terminal pay: {exc}")
        return EXIT_USAGE

    def action(term: Any) -> int:
        decision = Commit() if args.decision == "commit" else Reverse()
        result = term.authorize(cents, vending=not args.no_vending, decide=lambda si: decision)
        emit(result.to_dict())
        if result.outcome is Outcome.APPROVED_COMMITTED:
            return EXIT_OK
        if result.outcome is Outcome.UNKNOWN:
            say("kiosk terminal pay: outcome UNKNOWN; run 'kiosk terminal repeat-receipt' to find out")
            return EXIT_CONNECTION
        return EXIT_REFUSED

    return _run(args, action)


def _repeat_receipt(args: argparse.Namespace) -> int:
    def action(term: Any) -> int:
        result = term.repeat_receipt()
        if result is None:
            emit({"receipt": None})
            return EXIT_REFUSED
        emit(result.to_dict())
        return EXIT_OK

    return _run(args, action)


def _reverse(args: argparse.Namespace) -> int:
    from drivers.payment import Outcome

    if not 0 <= args.receipt_no <= 9999:
        say("kiosk terminal reverse: a receipt number has at most 4 digits")
        return EXIT_USAGE

    def action(term: Any) -> int:
        result = term.reverse(args.receipt_no)
        emit(result.to_dict())
        if result.outcome is Outcome.APPROVED_REVERSED:
            return EXIT_OK
        return EXIT_CONNECTION if result.outcome is Outcome.UNKNOWN else EXIT_REFUSED

    return _run(args, action)


def _end_of_day(args: argparse.Namespace) -> int:
    def action(term: Any) -> int:
        result = term.end_of_day()
        emit(result.to_dict())
        return EXIT_OK if result.ok else EXIT_REFUSED

    return _run(args, action)


def _simulate(args: argparse.Namespace) -> int:
    from drivers.payment.sim_books import Books
    from drivers.payment.sim_scenarios import SCENARIOS, SimSettings
    from drivers.payment.simulator import TerminalSimulator

    password = DEFAULT_PASSWORD
    if args.password_file or args.config or Path(DEFAULT_CONFIG).exists():
        password = _settings(argparse.Namespace(**{**vars(args), "url": args.url or "fake://"}))[1]
    queue = [s for s in args.queue.split(",") if s]
    for name in [args.scenario, *queue]:
        if name not in SCENARIOS:
            say(f"kiosk terminal simulate: unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
            return EXIT_USAGE
    if len(args.tid) != 8 or not args.tid.isdigit():
        say("kiosk terminal simulate: --tid is 8 digits")
        return EXIT_USAGE
    try:
        books = Books(args.state)
    except ValueError as exc:
        say(f"kiosk terminal simulate: {exc}")
        return EXIT_USAGE
    settings = SimSettings(
        tid=args.tid,
        password=password,
        step_delay=args.step_delay,
        card_wait=args.card_wait,
        strict_ack=args.strict_ack,
    )
    sim = TerminalSimulator(settings, books, default_scenario=args.scenario)
    sim.push(*queue)
    # The handler goes in before the URL is printed: whoever reads the URL may stop us at once.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.tcp is not None:
        try:
            port = sim.start_tcp("127.0.0.1", args.tcp)
        except OSError as exc:
            say(f"kiosk terminal simulate: cannot listen on 127.0.0.1:{args.tcp}: {exc.strerror}")
            return EXIT_CONNECTION
        emit({"listening": "tcp", "host": "127.0.0.1", "port": port, "url": f"zvt+tcp://127.0.0.1:{port}"})
    else:
        path = sim.start_pty()
        emit({"listening": "pty", "path": path, "url": f"zvt+serial://{path}"})
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return EXIT_OK
