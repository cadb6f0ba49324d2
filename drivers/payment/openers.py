"""ZVT terminal openers, registered in :mod:`drivers.registry` under kind ``payment``.

Each is called as ``opener(device, password=, on_status=, timers=, vending_timeout=, max_status_infos=,
config_byte=)`` with a parsed URL (the keywords of :func:`drivers.payment.open_terminal`). Nothing is
sent to the terminal here.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import DeviceConfigurationError
from drivers.payment.link import SerialChannel, SerialLink, TcpLink, Timers, connect_tcp
from drivers.payment.terminal import ZvtTerminal
from drivers.url import DeviceURL

DEFAULT_TCP_PORT = 20007
_SIM_OPTIONS = ("scenario", "state", "step_delay", "card_wait", "tid")


def _terminal_options(password: str = "000000", **options: Any) -> dict[str, Any]:
    """The keywords for :class:`ZvtTerminal`, after checking the password (never logged)."""
    try:
        password_ok = len(password) == 6 and password.isdigit()
    except TypeError:
        password_ok = False
    if not password_ok:
        raise DeviceConfigurationError("the terminal password must be exactly 6 digits")
    return {"password": password, **options}


def open_serial(device: DeviceURL, timers: Timers | None = None, **options: Any) -> ZvtTerminal:
    """``zvt+serial://PORT?baud=9600`` (8N2); PORT may be a pyserial URL (``spy:///dev/ttyS0`` …)."""
    kwargs = _terminal_options(**options)
    device.check_options(("baud",))
    port = device.serial_port("zvt+serial:///dev/ttyS0")
    baud = device.option_int("baud", 9600, minimum=300)
    return ZvtTerminal(SerialLink(SerialChannel(port, baud), timers), **kwargs)


def open_tcp(device: DeviceURL, timers: Timers | None = None, **options: Any) -> ZvtTerminal:
    """``zvt+tcp://HOST[:PORT]`` (default port 20007): bare APDUs over TCP."""
    kwargs = _terminal_options(**options)
    device.check_options(())
    host, port = device.host_port(DEFAULT_TCP_PORT)
    return ZvtTerminal(TcpLink(connect_tcp(host, port), timers), **kwargs)


def open_simulated(device: DeviceURL, timers: Timers | None = None, **options: Any) -> ZvtTerminal:
    """``zvt+sim://`` (the simulator on a pty pair) or ``fake://`` (on a socket pair, no pty)."""
    from drivers.payment.sim_books import Books
    from drivers.payment.sim_scenarios import SimSettings
    from drivers.payment.simulator import TerminalSimulator

    kwargs = _terminal_options(**options)
    device.check_options(_SIM_OPTIONS)
    settings = SimSettings(
        tid=device.option("tid", "52523535"),
        password=kwargs["password"],
        step_delay=device.option_float("step_delay", 0.3 if device.scheme == "zvt+sim" else 0.0),
        card_wait=device.option_float("card_wait", 5.0),
    )
    try:
        books = Books(device.option("state", "") or None)
        sim = TerminalSimulator(settings, books, timers, device.option("scenario", "approve"))
    except ValueError as exc:
        raise DeviceConfigurationError(f"{device.url}: {exc}") from None
    link: SerialLink | TcpLink
    if device.scheme == "zvt+sim":
        path = sim.start_pty()
        link = SerialLink(SerialChannel(path), timers)
    else:
        from drivers.payment.link import SocketChannel

        link = TcpLink(SocketChannel(sim.start_socketpair()), timers)
    term = ZvtTerminal(link, on_close=sim.stop, **kwargs)
    term.simulator = sim
    return term
