"""ZVT payment terminal driver (ECR side) and terminal simulator.

Layers, bottom up (each usable alone):

* :mod:`~drivers.payment.codec` - sans-IO APDUs, DLE/STX framing, CRC-16/KERMIT, incremental parsers;
* :mod:`~drivers.payment.fields` / :mod:`~drivers.payment.messages` - BMPs, TLV, command builders and
  reply parsers (Completion, Abort, Print Line); :mod:`~drivers.payment.status_information` - the
  ``04 0F`` with the payment's result;
* :mod:`~drivers.payment.link` - the transport seam: serial link protocol (ACK/NAK, T1/T2, repeats)
  or bare APDUs over TCP;
* :mod:`~drivers.payment.exchange` - one command's exchange (T3, the terminal as master, T4);
* :mod:`~drivers.payment.terminal` - :class:`ZvtTerminal`, the commands the kiosk uses;
* :mod:`~drivers.payment.simulator` - a terminal to test and demo against (its settings and scenarios
  in :mod:`~drivers.payment.sim_scenarios`).

Open a terminal by URL::

    term = open_terminal("zvt+serial:///dev/ttyS0?baud=9600", password="123456", on_status=show)
    term.register()
    result = term.authorize(250, vending=True, decide=lambda si: Commit())

URLs: ``zvt+serial://PATH?baud=9600`` (8N2), ``zvt+tcp://HOST:PORT`` (default port 20007),
``zvt+sim://`` (the simulator in-process on a pty pair; options ``scenario``, ``state`` (JSON file),
``step_delay``, ``card_wait``, ``tid``) and ``fake://`` (the simulator on a socket pair, no pty).
The serial port may be a pyserial URL: ``zvt+serial://spy:///dev/ttyS0`` shows the line as a hex dump
(see :mod:`drivers.url`). The scheme → backend table is :mod:`drivers.registry` (:mod:`.openers`).
"""

from __future__ import annotations

from drivers.payment.exchange import StatusCallback, TerminalRefusedError
from drivers.payment.link import Timers
from drivers.payment.messages import CONFIG_KIOSK
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
from drivers.payment.status_information import StatusInformation
from drivers.payment.terminal import ZvtTerminal
from drivers.registry import schemes

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

SCHEMES = schemes("payment")  # ("zvt+serial", "zvt+tcp", "zvt+sim", "fake")


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
    from drivers.registry import open_device

    terminal: ZvtTerminal = open_device(
        "payment",
        url,
        password=password,
        on_status=on_status,
        timers=timers,
        vending_timeout=vending_timeout,
        max_status_infos=max_status_infos,
        config_byte=config_byte,
    )
    return terminal
