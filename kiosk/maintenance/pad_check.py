"""The RFID pad in maintenance mode: its status and a tag test (issue 16, "Maintenance").

* :func:`pad_status` -- the reader kind, how many tags are in the field now, and the watcher's last
  error (empty when the last inventory went well).
* :func:`tag_test` -- with exactly one tag on the pad: dump it (UID, AFI, EAS, tag model, item id) and
  switch its security both ways with read-back verification (:mod:`drivers.rfid.security`), ending in the
  state it had (a secured test tag stays secured, a released one released).

Both return :class:`~kiosk.maintenance.backend.ActionResult` (catalog key plus values). They talk to the
pad's :class:`~kiosk.rfid.hub.LockedReader`, so they interleave safely with the watcher; no patron data
is involved and nothing is logged beyond error class names.
"""

from __future__ import annotations

import logging
from typing import Any

from drivers.errors import DriverError
from drivers.rfid.security import SecurityPolicy, SecurityState, read_state, release, secure
from kiosk.maintenance.backend import ActionResult

log = logging.getLogger(__name__)

#: Blocks read for the dump: enough for every supported tag model to be recognised.
DUMP_BLOCKS = 8


def _hex(value: int | None) -> str:
    return "-" if value is None else f"0x{value:02X}"


def _eas(value: bool | None) -> str:
    return "-" if value is None else ("on" if value else "off")


def pad_status(pad: Any) -> ActionResult:
    """Reader kind, tags in the field, last error (``maint.result.pad_status``)."""
    if pad is None:
        return ActionResult(False, "maint.result.no_pad")
    reader = pad.reader
    kind = str(getattr(getattr(reader, "inner", reader), "kind", "?"))
    try:
        tags = len(reader.inventory())
    except DriverError as exc:
        return ActionResult(
            False, "maint.result.pad_status", (("kind", kind), ("tags", "?"), ("error", type(exc).__name__))
        )
    error = str(getattr(pad.watcher, "error", "") or "").split(":", 1)[0] or "-"
    return ActionResult(
        error == "-", "maint.result.pad_status", (("kind", kind), ("tags", str(tags)), ("error", error))
    )


def _describe(blocks: bytes, own_isils: tuple[str, ...]) -> tuple[str, str]:
    """The tag model and item id the models recognise (``"-"`` for what is not there)."""
    from drivers.rfid.models import detect

    result = detect(blocks, own_isils=own_isils)
    model = getattr(result, "model", None) or type(result).__name__
    item_id = getattr(result, "item_id", None) or "-"
    return str(model), str(item_id)


def tag_test(pad: Any, policy: SecurityPolicy, own_isils: tuple[str, ...] = ()) -> ActionResult:
    """Dump the one tag on the pad and switch its security off and on (or on and off), verified."""
    if pad is None:
        return ActionResult(False, "maint.result.no_pad")
    reader = pad.reader
    try:
        uids = reader.inventory()
    except DriverError as exc:
        return ActionResult(False, "maint.result.tag_test_failed", (("error", type(exc).__name__),))
    if len(uids) != 1:
        return ActionResult(False, "maint.result.tag_test_one_tag", (("tags", str(len(uids))),))
    uid = uids[0]
    try:
        info = reader.system_info(uid)
        count = min(DUMP_BLOCKS, info.block_count or DUMP_BLOCKS)
        model, item_id = _describe(reader.read_blocks(uid, 0, count), own_isils)
        before: SecurityState = read_state(reader, uid, policy)
        if before.released:
            secure(reader, uid, policy)
            after = release(reader, uid, policy)
        else:
            release(reader, uid, policy)
            after = secure(reader, uid, policy)
    except DriverError as exc:
        log.warning("pad tag test failed: %s", type(exc).__name__)
        return ActionResult(False, "maint.result.tag_test_failed", (("error", type(exc).__name__),))
    return ActionResult(
        True,
        "maint.result.tag_test_ok",
        (
            ("uid", uid),
            ("model", model),
            ("item", item_id),
            ("afi", _hex(after.afi)),
            ("eas", _eas(after.eas)),
        ),
    )
