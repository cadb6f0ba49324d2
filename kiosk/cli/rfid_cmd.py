"""``kiosk rfid``: the RFID pad for technicians (ISO 15693 item tags).

::

    kiosk rfid list     --url URL                 # the tags on the pad, one JSON line each
    kiosk rfid watch    --url URL [--count N] [--timeout S] [--interval S]   # tag_added / tag_removed
    kiosk rfid dump     --url URL [--blocks] [--own-isil NL-0001]            # read-only: what is on each tag
    kiosk rfid read     UID --url URL [--first 0] [--count 8]
    kiosk rfid secure   UID --url URL [--security afi|eas|afi+eas] [--afi-in-library 0x07]
    kiosk rfid release  UID --url URL [--security …] [--afi-on-loan 0xC2]
    kiosk rfid verify   UID --url URL [--expect secured|released]
    kiosk rfid simulate --kind feig|3m --scenario NAME [--tcp PORT] [--strict] [--realistic]
    kiosk rfid sim put|take|list [ITEM...] [--config PATH]   # the running kiosk's simulated pad

``dump`` never writes a tag: it prints per tag the UID, DSFID, AFI, EAS (where the reader can), the raw
blocks in tag order and what the tag data models (:mod:`drivers.rfid.models`) recognise. Run it on 20
items on site to learn the library's tags and its AFI/EAS convention (docs/rfid.md). ``secure`` and
``release`` write the security state and prove it by reading it back (:mod:`drivers.rfid.security`).
``--url`` is any reader URL (``rfid+feig://…``, ``rfid+3m://…``, ``rfid+pcsc://…``, ``rfid+sim://…``).
Exit status: 0 done, 1 the tag refused or did not take the state, 2 usage/configuration, 3 connection,
time-out or a reader protocol error.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.cli.output import add_config_argument, emit, load_config_or_exit, say

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3
DETECT_BLOCKS = 8  # the Danish basic block and the 3M / ISO 28560-2 starts fit in 32 bytes


def _byte(text: str) -> int:
    value = int(text, 0)
    if not 0 <= value <= 0xFF:
        raise argparse.ArgumentTypeError(f"{text} is not a byte (0x00-0xFF)")
    return value


def register(subparsers: Any) -> None:
    """Add ``kiosk rfid`` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_argument(common)
    common.add_argument(
        "--url", help="reader URL, e.g. rfid+feig:///dev/ttyUSB0 or rfid+sim://?scenario=stack3"
    )
    security = argparse.ArgumentParser(add_help=False)
    security.add_argument(
        "--security",
        choices=("afi", "eas", "afi+eas"),
        default="afi",
        help="what the gate reads (default afi)",
    )
    security.add_argument("--afi-on-loan", type=_byte, default=0xC2, help="AFI of a lent item (default 0xC2)")
    security.add_argument(
        "--afi-in-library",
        type=_byte,
        default=0x07,
        help="AFI of an item in the library, gate alarms (default 0x07)",
    )
    security.add_argument("--retries", type=int, default=4, help="write/read-back attempts after the first")

    parser = subparsers.add_parser("rfid", help="RFID pad: list, dump and secure item tags; simulator")
    sub = parser.add_subparsers(dest="rfid_command", metavar="COMMAND", required=True)
    p = sub.add_parser("list", parents=[common], help="the tags on the pad")
    p.set_defaults(func=_list)
    p = sub.add_parser("watch", parents=[common], help="an event per tag put on or taken off the pad")
    p.add_argument("--count", type=int, default=0, help="stop after N events (default: until Ctrl-C)")
    p.add_argument("--timeout", type=float, default=0.0, help="stop after S seconds")
    p.add_argument("--interval", type=float, default=0.3, help="seconds between inventories (default 0.3)")
    p.set_defaults(func=_watch)
    p = sub.add_parser("dump", parents=[common], help="read-only: UID, AFI, EAS, blocks and model per tag")
    p.add_argument("--blocks", action="store_true", help="read every block, not only the first 8")
    p.add_argument("--own-isil", action="append", default=[], metavar="ISIL", help="the library's ISIL(s)")
    p.set_defaults(func=_dump)
    p = sub.add_parser("read", parents=[common], help="raw blocks of one tag, in tag order")
    p.add_argument("uid")
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--count", type=int, default=DETECT_BLOCKS)
    p.set_defaults(func=_read)
    for name, text in (
        ("secure", "security on (item is back in the library)"),
        ("release", "security off (item is on loan)"),
    ):
        p = sub.add_parser(name, parents=[common, security], help=text)
        p.add_argument("uid")
        p.set_defaults(func=_switch, on=name == "secure")
    p = sub.add_parser("verify", parents=[common, security], help="read the security state back")
    p.add_argument("uid")
    p.add_argument("--expect", choices=("secured", "released"), help="exit 1 unless the tag is in this state")
    p.set_defaults(func=_verify)
    p = sub.add_parser("simulate", help="run a simulated FEIG or 3M reader on a pty (or FEIG on TCP)")
    p.add_argument("--kind", choices=("feig", "3m"), default="feig")
    p.add_argument("--scenario", default="stack3", help="tag field, e.g. single_book, stack10, set_2_of_3")
    p.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT instead (0: any)")
    p.add_argument("--strict", action="store_true", help="behave like the least forgiving reader")
    p.add_argument("--realistic", action="store_true", help="answer only after the ISO 15693 air time")
    p.set_defaults(func=_simulate)
    from kiosk.cli.rfid_sim_cmd import register_sim

    register_sim(sub, common)  # kiosk rfid sim put|take ITEM... (the running kiosk's simulated pad)


# --- helpers ------------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace, body: Callable[[Any], int]) -> int:
    """Open the reader, run ``body(reader)``, map errors to exit statuses, close the reader."""
    from drivers.errors import DeviceConfigurationError, DriverError
    from drivers.rfid import TagError, open_reader

    url = args.url
    if url is None and args.config is not None:
        url = getattr(getattr(load_config_or_exit(args.config), "devices", None), "rfid", None)
    if not url:
        say("kiosk rfid: no reader URL: give --url (e.g. rfid+feig:///dev/ttyUSB0)")
        return EXIT_USAGE
    try:
        reader = open_reader(url)
    except DeviceConfigurationError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_USAGE
    except DriverError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_CONNECTION
    try:
        return body(reader)
    except ValueError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_USAGE
    except TagError as exc:
        emit({"error": type(exc).__name__, "uid": exc.uid, "detail": str(exc)})
        return EXIT_REFUSED
    except DriverError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_CONNECTION
    finally:
        reader.close()


def _policy(args: argparse.Namespace) -> Any:
    from drivers.rfid.security import SecurityPolicy

    return SecurityPolicy(args.security, args.afi_on_loan, args.afi_in_library, max(0, args.retries))


def _hex(value: int | None) -> str | None:
    return None if value is None else f"0x{value:02X}"


def _state(state: Any) -> dict[str, object]:
    return {
        "uid": state.uid,
        "afi": _hex(state.afi),
        "eas": state.eas,
        "secured": state.secured,
        "released": state.released,
    }


def describe_tag(blocks: bytes, own_isils: tuple[str, ...]) -> dict[str, object]:
    """What :func:`drivers.rfid.models.detect` recognises in a tag's first blocks (if the models exist)."""
    try:
        models: Any = importlib.import_module("drivers.rfid.models")
    except ModuleNotFoundError:
        return {"model": None, "detail": "drivers.rfid.models is not installed"}
    result = models.detect(blocks, own_isils=own_isils)
    if type(result).__name__ == "TagData":
        fields = (
            "model",
            "variant",
            "item_id",
            "owner_isil",
            "country",
            "parts_in_set",
            "part_number",
            "usage",
        )
        out: dict[str, object] = {name: getattr(result, name, None) for name in fields}
        return {k: (str(v) if v is not None and not isinstance(v, int | str) else v) for k, v in out.items()}
    out = {"model": None, "kind": type(result).__name__}
    if getattr(result, "isil", None):
        out["isil"] = result.isil
    if getattr(result, "reason", None):
        out["reason"] = str(result.reason)
    return out


# --- commands ---------------------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    def body(reader: Any) -> int:
        for uid in reader.inventory():
            emit({"uid": uid, "reader": reader.kind})
        return EXIT_OK

    return _run(args, body)


def _watch(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def body(reader: Any) -> int:
        say("kiosk rfid: watching the pad (Ctrl-C to stop)")
        deadline = time.monotonic() + args.timeout if args.timeout > 0 else None
        seen: list[str] = []
        events = 0
        while not stop.is_set():
            now = reader.inventory()
            changes = [("tag_added", u) for u in now if u not in seen]
            changes += [("tag_removed", u) for u in seen if u not in now]
            seen = now
            for event, uid in changes:
                emit({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "event": event, "uid": uid})
                events += 1
                if 0 < args.count <= events:
                    return EXIT_OK
            if deadline is not None and time.monotonic() >= deadline:
                break
            stop.wait(max(0.0, args.interval))
        return EXIT_OK

    return _run(args, body)


def _dump(args: argparse.Namespace) -> int:
    from drivers.rfid import TagError

    def body(reader: Any) -> int:
        status = EXIT_OK
        for uid in reader.inventory():
            out: dict[str, object] = {"uid": uid}
            try:
                info = reader.system_info(uid)
                out.update(
                    dsfid=_hex(info.dsfid),
                    afi=_hex(info.afi),
                    block_size=info.block_size,
                    block_count=info.block_count,
                )
                out["eas"] = reader.eas_alarm(uid) if reader.supports_eas else None
                count = (info.block_count or DETECT_BLOCKS) if args.blocks else DETECT_BLOCKS
                data = reader.read_blocks(uid, 0, count)
            except TagError as exc:
                out["error"] = f"{type(exc).__name__}: {exc}"
                emit(out)
                status = EXIT_REFUSED
                continue
            out["blocks"] = [data[i : i + 4].hex().upper() for i in range(0, len(data), 4)]
            out.update(describe_tag(data[: DETECT_BLOCKS * 4], tuple(args.own_isil)))
            emit(out)
        return status

    return _run(args, body)


def _read(args: argparse.Namespace) -> int:
    from drivers.rfid import normalise_uid

    def body(reader: Any) -> int:
        uid = normalise_uid(args.uid)
        data = reader.read_blocks(uid, args.first, args.count)
        emit(
            {
                "uid": uid,
                "first": args.first,
                "blocks": [data[i : i + 4].hex().upper() for i in range(0, len(data), 4)],
            }
        )
        return EXIT_OK

    return _run(args, body)


def _switch(args: argparse.Namespace) -> int:
    from drivers.errors import DeviceConfigurationError
    from drivers.rfid import normalise_uid
    from drivers.rfid.security import release, secure

    try:
        policy = _policy(args)
    except DeviceConfigurationError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_USAGE

    def body(reader: Any) -> int:
        state = (secure if args.on else release)(reader, normalise_uid(args.uid), policy)
        emit({"action": "secure" if args.on else "release", **_state(state)})
        return EXIT_OK

    return _run(args, body)


def _verify(args: argparse.Namespace) -> int:
    from drivers.errors import DeviceConfigurationError
    from drivers.rfid import normalise_uid
    from drivers.rfid.security import read_state

    try:
        policy = _policy(args)
    except DeviceConfigurationError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_USAGE

    def body(reader: Any) -> int:
        state = read_state(reader, normalise_uid(args.uid), policy)
        emit(_state(state))
        wanted = {"secured": state.secured, "released": state.released}.get(args.expect or "", True)
        return EXIT_OK if wanted else EXIT_REFUSED

    return _run(args, body)


def _simulate(args: argparse.Namespace) -> int:
    from drivers.rfid.scenarios import make_field
    from drivers.rfid.sim_host import DeviceHost, make_device

    if args.tcp is not None and args.kind != "feig":
        say("kiosk rfid: only the FEIG simulator listens on TCP (3M pads are USB-serial)")
        return EXIT_USAGE
    try:
        field = make_field(args.scenario)
    except ValueError as exc:
        say(f"kiosk rfid: {exc}")
        return EXIT_USAGE
    host = DeviceHost(make_device(args.kind, field, strict=args.strict), realistic=args.realistic)
    if args.tcp is not None:
        url = f"rfid+feig+tcp://127.0.0.1:{host.start_tcp(port=args.tcp)}"
    else:
        url = f"rfid+{args.kind}://{host.start_pty()}"
    # The handler goes in before the URL is printed: whoever reads the URL may stop us at once.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emit(
        {
            "kind": args.kind,
            "scenario": args.scenario,
            "url": url,
            "strict": args.strict,
            "realistic": args.realistic,
            "tags": [t.uid for t in field.tags],
        }
    )
    say(f"kiosk rfid: simulated {args.kind} reader at {url} (Ctrl-C or SIGTERM to stop)")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        host.stop()
    return EXIT_OK
