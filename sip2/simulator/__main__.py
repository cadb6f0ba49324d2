"""``python -m sip2.simulator``: run the ILS simulator until SIGTERM or Ctrl-C.

Prints one JSON line saying where it listens, e.g.
``{"listening": "tcp://127.0.0.1:6001", "host": "127.0.0.1", "port": 6001, ...}``, then serves.
Binds loopback only.  Users default to the demo login (``kiosk`` / ``demo``).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import ssl
import sys
import threading
from collections.abc import Sequence
from dataclasses import fields
from types import FrameType

from sip2.errors import Sip2ConfigurationError
from sip2.simulator.dialects import DIALECT_FEE_FORMATS
from sip2.simulator.faults import Faults
from sip2.simulator.server import DEMO_USERS, IlsSimulator

_FAULT_NAMES = sorted(f.name for f in fields(Faults) if not f.name.startswith("_"))


def _user(value: str) -> tuple[str, str]:
    user, sep, password = value.partition("=")
    if not sep or not user:
        raise argparse.ArgumentTypeError("expected USER=PASSWORD")
    return user, password


def build_parser() -> argparse.ArgumentParser:
    """The command line of the simulator."""
    parser = argparse.ArgumentParser(
        prog="python -m sip2.simulator",
        description="Simulated ILS (SIP2 ACS) with Dutch demo data, on 127.0.0.1. Stops on SIGTERM/Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=6001, help="TCP port, 0 = any free port (default 6001)")
    parser.add_argument(
        "--user",
        action="append",
        type=_user,
        metavar="USER=PASSWORD",
        help="login user (repeatable; default kiosk=demo)",
    )
    parser.add_argument("--no-login", action="store_true", help="accept requests without a 93 login")
    parser.add_argument("--state-file", metavar="PATH", help="JSON file keeping the library across restarts")
    parser.add_argument("--encoding", default="cp850", choices=["cp850", "utf-8", "latin-1", "ascii"])
    parser.add_argument("--institution", default="WIERDEN", help="the ILS's institution id (AO)")
    parser.add_argument("--no-wise", action="store_true", help="disable the OCLC Wise SIP2+ 41/42 dialog")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="close connections idle this long (like SIPServer's timeout)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help=f"switch a fault on: {', '.join(_FAULT_NAMES)}",
    )
    parser.add_argument("--tls-cert", metavar="PEM", help="serve TLS with this certificate (chain)")
    parser.add_argument(
        "--tls-key", metavar="PEM", help="private key of --tls-cert (if not in the same file)"
    )
    parser.add_argument(
        "--dialect",
        default="default",
        choices=sorted(DIALECT_FEE_FORMATS),
        help="fee-line format and habits of a real ILS (default: our demo's)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="behave like the least forgiving server: padded lists, UTC dates, no fee ids, "
        "96 and a closed connection for bad checksums",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log connections on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator; returns the exit status (0 after a clean stop, 2 on bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    faults = Faults()
    try:
        for spec in args.fault:
            name, _, value = spec.partition("=")
            faults.set(name.strip(), value.strip())
    except ValueError as exc:
        parser.error(str(exc))
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            tls.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            parser.error(f"cannot load --tls-cert/--tls-key: {exc}")
    users: dict[str, str] = {} if args.no_login else dict(args.user or DEMO_USERS.items())
    try:
        sim = IlsSimulator(
            host=args.host,
            port=args.port,
            users=users,
            state_file=args.state_file,
            institution=args.institution,
            encoding=args.encoding,
            wise_sip2plus=not args.no_wise,
            idle_timeout=args.idle_timeout,
            faults=faults,
            tls=tls,
            dialect=args.dialect,
            strict=args.strict,
        )
        sim.start()
    except Sip2ConfigurationError as exc:
        parser.error(str(exc))
    except OSError as exc:
        print(f"python -m sip2.simulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 3
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    active = {
        name: getattr(faults, name)
        for name in _FAULT_NAMES
        if getattr(faults, name) != getattr(Faults(), name)
    }
    print(
        json.dumps(
            {
                "listening": sim.url,
                "host": sim.host,
                "port": sim.port,
                "users": sorted(users),
                "institution": sim.institution,
                "state_file": args.state_file,
                "faults": {k: sorted(v) if isinstance(v, frozenset) else v for k, v in active.items()},
            }
        ),
        flush=True,
    )
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
