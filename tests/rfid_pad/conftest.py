"""The assembled kiosk with an RFID pad: core + circulation over real SIP2 (the simulator on 127.0.0.1)
+ the pad watcher and security service over ``rfid+sim://`` (or the FEIG device simulator over TCP)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.rfid.scenarios import demo_uid, item_blocks, memory
from drivers.rfid.tagfield import TagField, VirtualTag
from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.view import ItemLine, LineKind, LineStatus
from tests.foundation.waiting import PATIENT_SIP2, settle, wait_for

JAN = "20301000010015"  # demo member (docs/demo-data.md)
HET_DINER, AVOND, MAX_HAVELAAR = "30301000500013", "30301000500021", "30301000500039"
DE_AANSLAG = "30301000500047"  # on loan to Kees: anyone else's checkout is refused
TONIO = "30301000500054"  # on loan to Jan
AFI_ON_LOAN, AFI_IN_LIBRARY = 0xC2, 0x07


def kiosk_config(
    tmp_path: Path, rfid: str = "rfid+sim://?scenario=demo", rfid_section: str = "", sip2: str = ""
) -> Any:
    return parse_config(
        f'[store]\npath = "{tmp_path}/kiosk.db"\nkey_file = "{tmp_path}/queue.key"\n'
        f'[devices]\nprinter = "file://{tmp_path}/receipts"\nrfid = "{rfid}"\n'
        f'terminal = "zvt+sim://?state={tmp_path}/terminal.json"\n[sip2]\npassword = "demo"\n{sip2}'
        f"{PATIENT_SIP2}[session]\npin = 'never'\n"
        f'[rfid]\nown_isils = ["NL-0001"]\nset_wait = 0.0\npoll_interval = 0.05\n{rfid_section}',
        base_dir=tmp_path,
    )


@pytest.fixture
def make_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    built: list[Kiosk] = []

    def make(**kw: Any) -> Kiosk:
        kiosk = build_kiosk(kiosk_config(tmp_path, **kw))
        built.append(kiosk)
        kiosk.alerts = []  # type: ignore[attr-defined]
        kiosk.alert_listeners.append(lambda kind, ref: kiosk.alerts.append((kind, ref)))  # type: ignore[attr-defined]
        return kiosk

    yield make
    for kiosk in built:
        kiosk.stop()


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    return make_kiosk()


def field(kiosk: Kiosk) -> TagField:
    """The simulated pad's tag field."""
    return kiosk.pad.reader.inner.field  # type: ignore[no-any-return]


def put(kiosk: Kiosk, *items: str) -> None:
    """Put demo items on the pad."""
    for item in items:
        field(kiosk).tag(demo_uid(item)).present = True


def take(kiosk: Kiosk, *items: str) -> None:
    """Take demo items off the pad."""
    for item in items:
        field(kiosk).remove(demo_uid(item))


def add_tag(kiosk: Kiosk, uid: str, item_id: str, parts: int = 1, part: int = 1, **kw: Any) -> VirtualTag:
    tag = VirtualTag(uid, memory(item_blocks(item_id, parts, part)), **kw)
    field(kiosk).add(tag)
    return tag


def afi(kiosk: Kiosk, item: str) -> int:
    return field(kiosk).tag(demo_uid(item)).afi


def writes_to(kiosk: Kiosk, uid: str) -> list[str]:
    """The security commands a tag received (write AFI, set/reset EAS)."""
    security = ("write_afi", "set_eas", "reset_eas")
    return [op for op, u in list(field(kiosk).commands) if u == uid and op in security]


def line(kiosk: Kiosk, kind: LineKind, item_id: str) -> ItemLine | None:
    for existing in kiosk.runtime.view.items:
        if existing.kind is kind and existing.item_id == item_id:
            return existing
    return None


def notes(kiosk: Kiosk, kind: LineKind, item_id: str) -> set[str]:
    found = line(kiosk, kind, item_id)
    return {n.key for n in found.notes} if found else set()


def done(kiosk: Kiosk, kind: LineKind, *items: str) -> Callable[[], bool]:
    def check() -> bool:
        lines = [line(kiosk, kind, item) for item in items]
        return all(x is not None and x.status is LineStatus.DONE for x in lines)

    return check


def borrowing(kiosk: Kiosk, pass_number: str = JAN) -> None:
    """Identify the member and open the borrowing screen."""
    wait_for(kiosk, lambda: kiosk.circulation.online, "ILS online")
    kiosk.runtime.send(ev.PassPresented(pass_number))
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    kiosk.runtime.send(ev.StartBorrow())
    settle(kiosk)
    assert kiosk.runtime.view.screen is Screen.BORROW
