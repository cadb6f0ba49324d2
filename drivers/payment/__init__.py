"""ZVT payment terminal driver (ECR side) and terminal simulator.

Layers, bottom up (each usable alone):

* :mod:`~drivers.payment.codec` - sans-IO APDUs, DLE/STX framing, CRC-16/KERMIT, incremental parsers;
* :mod:`~drivers.payment.fields` / :mod:`~drivers.payment.messages` - BMPs, TLV, command builders and
  reply parsers (Status-Information, Completion, Abort, Print Line);
* :mod:`~drivers.payment.link` - the transport seam: serial link protocol (ACK/NAK, T1/T2, repeats)
  or bare APDUs over TCP;
* :mod:`~drivers.payment.terminal` - :class:`ZvtTerminal`, the commands the kiosk uses;
* :mod:`~drivers.payment.simulator` - a terminal to test and demo against.

Open a terminal by URL::

    term = open_terminal("zvt+serial:///dev/ttyS0?baud=9600", password="123456", on_status=show)
    term.register()
    result = term.authorize(250, vending=True, decide=lambda si: Commit())

URLs: ``zvt+serial://PATH?baud=9600`` (8N2), ``zvt+tcp://HOST:PORT`` (default port 20007),
``zvt+sim://`` (the simulator in-process on a pty pair; options ``scenario``, ``state`` (JSON file),
``step_delay``, ``card_wait``, ``tid``) and ``fake://`` (the simulator on a socket pair, no pty).
"""

from __future__ import annotations

from typing import Any

from drivers.errors import DeviceConfigurationError
from drivers.payment.link import SerialChannel, SerialLink, TcpLink, Timers, connect_tcp
from drivers.payment.messages import CONFIG_KIOSK, StatusInformation
from drivers.payment.results import (
    AskAgain,
    Commit,
    Decision,
    EndOfDayResult,
    Outcome,
    PaymentResult,
    PrintLineEvent,
    Reverse,
    StatusEvent,
    TerminalEvent,
    TerminalInfo,
    TerminalStatus,
)
from drivers.payment.terminal import StatusCallback, TerminalRefusedError, ZvtTerminal
from drivers.url import parse_device_url

__all__ = [
    "AskAgain",
    "Commit",
    "Decision",
    "EndOfDayResult",
    "Outcome",
    "PaymentResult",
    "PrintLineEvent",
    "Reverse",
    "StatusEvent",
    "StatusInformation",
    "TerminalEvent",
    "TerminalInfo",
    "TerminalRefusedError",
    "TerminalStatus",
    "Timers",
    "ZvtTerminal",
    "open_terminal",
]

SCHEMES = ("zvt+serial", "zvt+tcp", "zvt+sim", "fake")
DEFAULT_TCP_PORT = 20007
_SIM_OPTIONS = ("scenario", "state", "step_delay", "card_wait", "tid")


def open_terminal(
    url: str,
    password: str = "000000",
    on_status: StatusCallback | None = None,
    timers: Timers | None = None,
    vending_timeout: int = 30,
    max_status_infos: int = 10,
    config_byte: int = CONFIG_KIOSK,
) -> ZvtTerminal:
    """Open the terminal at ``url``; nothing is sent yet (call :meth:`ZvtTerminal.register` first).

    ``password`` is the 6-digit terminal password (never logged). ``timers`` overrides T1-T4 (tests).
    For ``zvt+sim://`` and ``fake://`` the simulator is reachable as ``terminal.simulator``.
    Raises :class:`DeviceConfigurationError` for a bad URL, :class:`DeviceConnectionError` if the port
    or host cannot be opened.
    """
    dev = parse_device_url(url, SCHEMES)
    kwargs: dict[str, Any] = {
        "password": password,
        "on_status": on_status,
        "config_byte": config_byte,
        "vending_timeout": vending_timeout,
        "max_status_infos": max_status_infos,
    }
    try:
        password_ok = len(password) == 6 and password.isdigit()
    except TypeError:
        password_ok = False
    if not password_ok:
        raise DeviceConfigurationError("the terminal password must be exactly 6 digits")
    if dev.scheme == "zvt+serial":
        dev.check_options(("baud",))
        if not dev.path:
            raise DeviceConfigurationError(f"{url}: expected a device path, e.g. zvt+serial:///dev/ttyS0")
        baud = dev.option_int("baud", 9600, minimum=300)
        return ZvtTerminal(SerialLink(SerialChannel(dev.path, baud), timers), **kwargs)
    if dev.scheme == "zvt+tcp":
        dev.check_options(())
        host, port = dev.host_port(DEFAULT_TCP_PORT)
        return ZvtTerminal(TcpLink(connect_tcp(host, port), timers), **kwargs)
    return _open_simulated(dev, timers, kwargs)


def _open_simulated(dev: Any, timers: Timers | None, kwargs: dict[str, Any]) -> ZvtTerminal:
    from drivers.payment.sim_books import Books
    from drivers.payment.simulator import SimSettings, TerminalSimulator

    dev.check_options(_SIM_OPTIONS)
    settings = SimSettings(
        tid=dev.option("tid", "52523535"),
        password=kwargs["password"],
        step_delay=dev.option_float("step_delay", 0.3 if dev.scheme == "zvt+sim" else 0.0),
        card_wait=dev.option_float("card_wait", 5.0),
    )
    try:
        books = Books(dev.option("state", "") or None)
        sim = TerminalSimulator(settings, books, timers, dev.option("scenario", "approve"))
    except ValueError as exc:
        raise DeviceConfigurationError(f"{dev.url}: {exc}") from None
    if dev.scheme == "zvt+sim":
        path = sim.start_pty()
        link: Any = SerialLink(SerialChannel(path), timers)
    else:
        from drivers.payment.link import SocketChannel

        link = TcpLink(SocketChannel(sim.start_socketpair()), timers)
    term = ZvtTerminal(link, on_close=sim.stop, **kwargs)
    term.simulator = sim
    return term
