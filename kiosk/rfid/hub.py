"""Wiring the RFID pad into the assembled kiosk: reader, watcher, security service, restart recovery.

:func:`open_pad` is called by :func:`kiosk.assembly.build_kiosk` when ``[devices] rfid`` names a reader.
The watcher and the security service share the reader through :class:`LockedReader` (one command on the
air at a time). The watcher's contents go to the session as
:class:`~kiosk.core.pad_model.ItemsOnPad`, again whenever the session enters the borrowing or returning
screen (a stack put down before the member chose "Lenen" is lent then).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.rfid import open_reader
from drivers.rfid.models import ItemIdRule, models_by_name
from drivers.rfid.reader import Reader, SystemInfo
from drivers.rfid.security import SecurityPolicy
from kiosk.core.pad_model import ItemsOnPad, PadItem
from kiosk.core.view import Screen, SessionView
from kiosk.rfid.pending import PendingStore
from kiosk.rfid.security_service import SecurityService
from kiosk.rfid.watcher import PadWatcher

log = logging.getLogger(__name__)

PENDING_FILE = "rfid-security-pending.json"


class LockedReader(Reader):
    """A reader shared by threads: every command holds one lock."""

    kind = "locked"

    def __init__(self, inner: Reader) -> None:
        self.inner = inner
        self.lock = threading.RLock()

    def inventory(self) -> list[str]:
        """Inventory."""
        with self.lock:
            return self.inner.inventory()

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Read blocks."""
        with self.lock:
            return self.inner.read_blocks(uid, first, count)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write blocks."""
        with self.lock:
            self.inner.write_blocks(uid, first, data)

    def system_info(self, uid: str) -> SystemInfo:
        """System info."""
        with self.lock:
            return self.inner.system_info(uid)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI."""
        with self.lock:
            self.inner.write_afi(uid, value)

    def set_eas(self, uid: str, on: bool) -> None:
        """Set/reset EAS."""
        with self.lock:
            self.inner.set_eas(uid, on)

    def eas_alarm(self, uid: str) -> bool:
        """EAS alarm."""
        with self.lock:
            return self.inner.eas_alarm(uid)

    def close(self) -> None:
        """Close the inner reader."""
        with self.lock:
            self.inner.close()


@dataclass
class Pad:
    """The running pad: its reader (the simulator's field is ``reader.inner.field``), watcher, service."""

    reader: LockedReader
    watcher: PadWatcher
    security: SecurityService
    recovered: list[tuple[str, str]]
    recovery_done: threading.Event = field(default_factory=threading.Event)

    @property
    def idle(self) -> bool:
        """No security switch in hand."""
        return self.security.idle


def item_id_rule(config: Any) -> ItemIdRule:
    """The [rfid] item_id_* keys as an :class:`ItemIdRule` (errors name the key)."""
    table: dict[str, object] = {
        "strip_prefix": list(config.item_id_strip_prefix),
        "add_prefix": config.item_id_add_prefix,
        "strip_leading_10": config.item_id_strip_leading_10,
    }
    if config.item_id_mapping_file:
        table["mapping_file"] = config.item_id_mapping_file
    return ItemIdRule.from_mapping(table, where="rfid.item_id")


def security_policy(config: Any) -> SecurityPolicy:
    """The [rfid] security keys as a :class:`SecurityPolicy` (DeviceConfigurationError if they clash)."""
    return SecurityPolicy(config.security, config.afi_on_loan, config.afi_in_library, config.write_retries)


def open_pad(kiosk: Any, *, on_loan: Callable[[str], bool | None] | None = None) -> Pad:
    """Open ``[devices] rfid`` and start watching; ``on_loan`` answers the restart recovery (default: SIP2
    Item Information over a connection of its own)."""
    config = kiosk.config
    rfid = config.rfid
    release = kiosk.runtime.add_on_stop  # (``stops`` is copied by the runtime when it is built)
    policy = security_policy(rfid)
    rule = item_id_rule(rfid)
    models = models_by_name(list(rfid.models) or ["auto"])
    reader = LockedReader(open_reader(config.devices.rfid))
    release(reader.close)
    runtime = kiosk.runtime
    state_dir = Path(config.store.path).parent
    pending = PendingStore(state_dir / PENDING_FILE)
    security = SecurityService(reader, policy, pending, runtime.send, kiosk.alert)
    release(security.stop)
    runtime.handlers.append(security)

    def changed(items: tuple[PadItem, ...]) -> None:
        runtime.send(ItemsOnPad(items))

    watcher = PadWatcher(
        reader,
        changed,
        rule=rule,
        models=models,
        own_isils=rfid.own_isils,
        set_wait=rfid.set_wait,
        poll_interval=rfid.poll_interval,
        empty_poll_interval=rfid.empty_poll_interval,
        busy=lambda: security.expecting,
    )
    release(watcher.stop)
    screen: list[Screen] = [runtime.view.screen]

    def on_view(view: SessionView) -> None:
        if view.screen is not screen[0]:
            screen[0] = view.screen
            if view.screen in (Screen.BORROW, Screen.RETURN) and watcher.contents:
                watcher.resend()

    runtime.subscribe(on_view)
    pad = Pad(reader, watcher, security, [])
    field = getattr(reader.inner, "field", None)
    if field is not None:  # rfid+sim://: `kiosk rfid sim put|take` reaches the pad through a socket
        from kiosk.rfid.sim_control import SOCKET_NAME, SimControl

        try:
            control = SimControl(field, state_dir / SOCKET_NAME)
            release(control.close)
        except OSError as exc:
            log.warning("rfid sim control socket not available: %s", exc)
    if security.pending.records():  # a previous run died between an ILS answer and a security write

        def recover() -> None:
            pad.recovered.extend(security.recover(on_loan or _sip2_on_loan(kiosk)))
            pad.recovery_done.set()

        threading.Thread(target=recover, name="rfid-recovery", daemon=True).start()
    else:
        pad.recovery_done.set()
    security.start()
    watcher.start()
    return pad


def _sip2_on_loan(kiosk: Any) -> Callable[[str], bool | None]:
    """Whether the ILS has the item on loan (the queue replay's one definition), None if it cannot tell."""
    from kiosk.store.replay import CHARGED

    def on_loan(item_id: str) -> bool | None:
        try:
            client = kiosk.circulation._factory()
            try:
                client.connect()
                info = client.item_information(item_id)
            finally:
                client.close()
        except Exception as exc:  # the ILS is down: the record waits for the next start
            log.warning("security recovery: ILS not reachable (%s)", type(exc).__name__)
            return None
        return str(getattr(info, "circulation_status", "") or "") in CHARGED

    return on_loan
