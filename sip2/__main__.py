"""``python -m sip2``: offline SIP2 tools for technicians (the network commands are ``kiosk sip2 ...``).

    python -m sip2 decode '941AY0AZFDFD'          # one JSON object: code, type, fields, AY, AZ check
    python -m sip2 decode --encoding utf-8 < transcript.txt   # one frame per line on stdin
    python -m sip2 checksum '9300CNkiosk|COpw|AY0AZ'          # the AZ value for a message

Passwords (CO, AC, AD) are never printed: they show as ``***``.  Exit status 0 when every frame
decoded (with a valid checksum, if it had one), 1 otherwise, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from decimal import Decimal
from typing import Any

from sip2.codec import checksum, decode_frame
from sip2.dialect import ENCODINGS, Dialect
from sip2.errors import Sip2ProtocolError
from sip2.fields import SECRET_FIELDS, PatronStatus
from sip2.messages import Message

_SECRET_ATTRS = {"password", "terminal_password", "patron_password"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, PatronStatus):
        return list(value.active())
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def describe(message: Message) -> dict[str, Any]:
    """A JSON-ready view of *message* with secrets masked."""
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(message):
        if f.name in ("extra_fields", "recovered"):
            continue
        value = getattr(message, f.name)
        fields[f.name] = "***" if f.name in _SECRET_ATTRS and value else _plain(value)
    extra = [[code, "***" if code in SECRET_FIELDS else value] for code, value in message.extra_fields]
    return {"code": message.CODE, "type": type(message).__name__, "fields": fields, "extra_fields": extra}


def _decode(frames: list[str], encoding: str) -> int:
    dialect = Dialect(encoding=encoding, error_detection="auto")
    status = 0
    for text in frames:
        try:
            frame = decode_frame(text.encode(ENCODINGS[encoding], errors="replace"), dialect)
        except Sip2ProtocolError as exc:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
            status = 1
            continue
        out = describe(frame.message)
        out.update(sequence=frame.sequence, checksum=frame.checksum, checksum_valid=frame.checksum_valid)
        print(json.dumps(out, ensure_ascii=False))
        if frame.checksum_valid is False:
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sip2``."""
    parser = argparse.ArgumentParser(prog="python -m sip2", description="Offline SIP2 tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    dec = sub.add_parser("decode", help="decode frames (arguments, or one per line on stdin) to JSON")
    dec.add_argument("frames", nargs="*", help="frames as text; \\r and \\n escapes allowed")
    dec.add_argument("--encoding", choices=sorted(ENCODINGS), default="cp850")
    chk = sub.add_parser("checksum", help="print the AZ checksum of a message text ending in AZ")
    chk.add_argument("text")
    chk.add_argument("--encoding", choices=sorted(ENCODINGS), default="cp850")
    args = parser.parse_args(argv)
    if args.command == "checksum":
        text: str = args.text if args.text.endswith("AZ") else args.text + "AZ"
        print(checksum(text.encode(ENCODINGS[args.encoding])))
        return 0
    frames = args.frames or [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    frames = [f.replace("\\r", "").replace("\\n", "") for f in frames]
    return _decode(frames, args.encoding)


if __name__ == "__main__":
    sys.exit(main())
