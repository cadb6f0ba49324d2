"""The simulated pad's control channel: put demo items on the running kiosk's pad, or take them off.

Only when ``[devices] rfid`` is ``rfid+sim://…``: the kiosk listens on a unix socket in its state directory
(``<store dir>/rfid-sim.sock``, mode 0600). One JSON line per request, one JSON line per answer::

    {"put": ["30301000500013", …]}   {"take": [...]}   {"list": []}
    → {"ok": true, "on_pad": [item ids]}   or   {"ok": false, "error": "unknown item 123"}

Items are named by the item id on their tag (the demo items: docs/demo-data.md). ``kiosk rfid sim put|take
ITEM...`` is the client (:mod:`kiosk.cli.rfid_sim_cmd`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

from drivers.rfid.models import TagData, detect
from drivers.rfid.tagfield import TagField

log = logging.getLogger(__name__)

SOCKET_NAME = "rfid-sim.sock"
MAX_REQUEST = 64 * 1024


def item_of(field: TagField, uid: str) -> str | None:
    """The item id on a simulated tag (None for a tag that is not an item)."""
    result = detect(bytes(field.tag(uid).blocks[:32]))
    return result.item_id if isinstance(result, TagData) else None


def apply(field: TagField, request: dict[str, Any]) -> dict[str, Any]:
    """Carry out one request on the tag field; the answer as a dict."""
    actions = [k for k in ("put", "take", "list") if k in request]
    if len(actions) != 1 or not isinstance(request[actions[0]], list):
        return {"ok": False, "error": "expected one of put, take, list with a list of item ids"}
    action, items = actions[0], [str(i) for i in request[actions[0]]]
    with field.lock:
        by_item: dict[str, list[str]] = {}
        for tag in field.tags:
            item = item_of(field, tag.uid)
            if item is not None:
                by_item.setdefault(item, []).append(tag.uid)
        unknown = [i for i in items if i not in by_item]
        if unknown:
            known = ", ".join(sorted(by_item))
            return {"ok": False, "error": f"unknown item {', '.join(unknown)}; known: {known}"}
        for item in items:
            for uid in by_item[item]:
                field.tag(uid).present = action == "put"
        on_pad = sorted({item for item, uids in by_item.items() if any(field.tag(u).present for u in uids)})
    return {"ok": True, "on_pad": on_pad}


_LOCAL: list[TagField] = []  # the simulated pad of the kiosk running in this process (for the UI's demo tray)


def local_request(request: dict[str, Any]) -> dict[str, Any] | None:
    """Carry out a request on this process's simulated pad; None when no simulated pad runs here."""
    return apply(_LOCAL[-1], request) if _LOCAL else None


class SimControl:
    """The listening side, on a daemon thread; :meth:`close` removes the socket."""

    def __init__(self, field: TagField, path: Path) -> None:
        self.field = field
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self.path.unlink()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        os.chmod(self.path, 0o600)
        self._server.listen(4)
        self._thread = threading.Thread(target=self._serve, name="rfid-sim-control", daemon=True)
        self._thread.start()
        _LOCAL.append(field)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(5)
                    data = b""
                    while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    try:
                        answer = apply(self.field, json.loads(data or b"{}"))
                    except ValueError:
                        answer = {"ok": False, "error": "not a JSON request"}
                    conn.sendall(json.dumps(answer).encode() + b"\n")
                except OSError as exc:
                    log.warning("rfid sim control: %s", type(exc).__name__)

    def close(self) -> None:
        """Stop listening."""
        if self.field in _LOCAL:
            _LOCAL.remove(self.field)
        self._server.close()
        if self.path.exists():
            self.path.unlink()


def send(path: Path, request: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    """The client side: one request, its answer (OSError when no kiosk listens)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    answer: dict[str, Any] = json.loads(data)
    return answer
