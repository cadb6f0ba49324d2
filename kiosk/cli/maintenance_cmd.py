"""``kiosk maintenance``: make the technician PIN hash, show the kiosk's health as JSON."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.cli.output import add_config_argument, emit, emit_error, load_config_or_exit, say

EXIT_OK, EXIT_USAGE, EXIT_CONNECTION = 0, 2, 3
STATUS = "kiosk maintenance status"


def register(subparsers: Any) -> None:
    """Add ``kiosk maintenance set-pin|status``."""
    parser = subparsers.add_parser("maintenance", help="technician PIN and kiosk health")
    sub = parser.add_subparsers(dest="maintenance_command", metavar="COMMAND", required=True)
    set_pin = sub.add_parser(
        "set-pin",
        help="make a pin_hash line for config [maintenance] (the PIN is read twice from a prompt/stdin)",
        description="Reads the new PIN twice (from the terminal, or two lines on stdin) and prints the "
        "line to put under [maintenance] in config.toml. The PIN is never accepted as a flag, so it "
        "cannot end up in shell history or the process list.",
    )
    set_pin.set_defaults(func=cmd_set_pin)
    status = sub.add_parser("status", help="JSON health: ILS, queue, devices, printer paper")
    add_config_argument(status)
    status.set_defaults(func=cmd_status)
    mode = sub.add_parser(
        "mode",
        help="override the staffing mode: staffed, unstaffed, closed, or back to the schedule",
        description="Leaves the request in the kiosk's state directory; the running kiosk applies it "
        "within seconds (a kiosk that is off, at its start) and keeps it across a restart until it "
        "expires. See docs/unstaffed.md.",
    )
    mode.add_argument("mode", choices=("staffed", "unstaffed", "closed", "schedule"))
    mode.add_argument(
        "--until",
        default="",
        help="HH:MM (local, next occurrence) or YYYY-MM-DDTHH:MM; default: the schedule's next change",
    )
    mode.add_argument("--reason", default="", help="a short note for the log")
    add_config_argument(mode)
    mode.set_defaults(func=cmd_mode)


def _read_pin_twice() -> tuple[str, str]:
    if sys.stdin.isatty():
        return getpass.getpass("New maintenance PIN: "), getpass.getpass("Repeat PIN: ")
    first, second = sys.stdin.readline(), sys.stdin.readline()
    return first.rstrip("\r\n"), second.rstrip("\r\n")


def cmd_set_pin(args: argparse.Namespace) -> int:
    """Read the PIN twice, print ``pin_hash = "scrypt$..."``."""
    from kiosk.maintenance.pin import hash_pin, validate_new_pin

    first, second = _read_pin_twice()
    if not first:
        say("kiosk maintenance set-pin: no PIN given")
        return EXIT_USAGE
    if first != second:
        say("kiosk maintenance set-pin: the two PINs differ; nothing changed")
        return EXIT_USAGE
    try:
        validate_new_pin(first)
    except ValueError as exc:
        say(f"kiosk maintenance set-pin: {exc}")
        return EXIT_USAGE
    print(f'pin_hash = "{hash_pin(first)}"')
    say("Put this line under [maintenance] in config.toml.")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Print the health snapshot as JSON (exit 3 when the ILS is offline)."""
    from drivers.errors import DriverError
    from kiosk.errors import ConfigError, KioskError
    from kiosk.monitoring.probe import probe_health

    config = load_config_or_exit(args.config)
    running = running_kiosk_health(config)
    if running is not None:
        return running
    try:
        snapshot = probe_health(config)
    except ConfigError as exc:
        emit_error(STATUS, str(exc), "correct the configuration (kiosk config check)", exit=EXIT_USAGE)
        return EXIT_USAGE
    except (KioskError, DriverError) as exc:
        emit_error(STATUS, str(exc), "check the devices and the ILS connection", exit=EXIT_CONNECTION)
        return EXIT_CONNECTION
    emit(snapshot.to_json())
    return EXIT_OK if snapshot.ils_online else EXIT_CONNECTION


def cmd_mode(args: argparse.Namespace) -> int:
    """Write the staffing request for the kiosk (``schedule`` withdraws the override)."""
    from pathlib import Path

    from kiosk.service_clock import now_utc, until_from_text, write_request

    config = load_config_or_exit(args.config)
    state_dir = Path(config.store.path).parent
    now = now_utc()
    if args.mode == "schedule":
        data = {"clear": "1"}
    else:
        try:
            until = until_from_text(args.until, config.hours.schedule, now)
        except ValueError as exc:
            say(f"kiosk maintenance mode: --until: {exc}")
            return EXIT_USAGE
        data = {
            "mode": args.mode,
            "start": now.isoformat(),
            "until": until.isoformat(),
            "reason": args.reason,
        }
    try:
        path = write_request(state_dir, data)
    except OSError as exc:
        emit_error(
            "kiosk maintenance mode",
            f"cannot write to {state_dir}: {exc.strerror}",
            "run it as the kiosk's user (or root), with [store] path pointing at the kiosk's state",
            exit=EXIT_USAGE,
        )
        return EXIT_USAGE
    emit({"request": str(path), **_local_times(data, config.hours.schedule.timezone)})
    return EXIT_OK


def _local_times(data: dict[str, str], zone: Any) -> dict[str, str]:
    """The request as the technician reads it: ``start``/``until`` in the library's local time (the
    schedule's time zone), with the UTC instants the kiosk keeps as ``start_utc``/``until_utc``."""
    from datetime import datetime

    shown = dict(data)
    for key in ("start", "until"):
        if key in data:
            moment = datetime.fromisoformat(data[key])
            shown[key] = moment.astimezone(zone).isoformat(timespec="seconds")
            shown[f"{key}_utc"] = data[key]
    return shown


def running_kiosk_health(config: Any) -> int | None:
    """When a kiosk runs on this state directory, its health comes from it, never from a second set of
    workers beside it (a second payment worker would run recovery, Registration and Log-Off on the
    terminal the kiosk is using): read the kiosk's local health endpoint on the metrics listener, or
    refuse. None when no kiosk runs here (then the caller probes)."""
    from pathlib import Path

    from kiosk.store.statelock import running_owner

    state_dir = Path(config.store.path).parent
    pid = running_owner(state_dir)
    if pid is None:
        return None
    who = f"pid {pid}" if pid else "another process"
    mon = config.monitoring
    if mon.metrics_port:
        health = _fetch_health(mon.metrics_address, mon.metrics_port)
        if health is not None:
            emit(health)
            return EXIT_OK if health.get("ils_online", True) else EXIT_CONNECTION
        url = f"http://{_host(mon.metrics_address)}:{mon.metrics_port}/healthz"
        emit_error(
            STATUS,
            f"the kiosk is running ({who}) but its health endpoint {url} did not answer",
            "see the maintenance screen, or the journal (journalctl -u library-kiosk)",
            kiosk_running=True,
            pid=pid or None,
            health_url=url,
            exit=EXIT_CONNECTION,
        )
        return EXIT_CONNECTION
    emit_error(
        STATUS,
        f"the kiosk is running on {state_dir} ({who}) and owns the devices",
        "its health is on the maintenance screen (five taps top-left, then the PIN); or set "
        "[monitoring] metrics_port in the configuration and restart the kiosk to read it here",
        kiosk_running=True,
        pid=pid or None,
        state_dir=str(state_dir),
        exit=EXIT_USAGE,
    )
    return EXIT_USAGE


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _fetch_health(address: str, port: int, timeout: float = 5.0) -> dict[str, Any] | None:
    """GET /healthz from the running kiosk (JSON object), or None when it does not answer with one."""
    import json
    import urllib.error
    import urllib.request

    url = f"http://{_host(address)}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            data = json.loads(reply.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return data if isinstance(data, dict) else None
