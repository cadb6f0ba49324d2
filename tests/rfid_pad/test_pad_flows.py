"""A stack on the pad is lent or returned, and every tag's security is switched only after the ILS said
yes, read back, retried, and never left wrong without a line and an alert (issue 16)."""

from __future__ import annotations

from collections.abc import Callable

from drivers.rfid.scenarios import demo_uid
from kiosk.assembly import Kiosk
from kiosk.core import events as ev
from kiosk.core.effects import CheckOut, Effect
from kiosk.core.pad import progress
from kiosk.core.view import LineKind, LineStatus, Screen
from kiosk.logsetup import short_hash
from tests.foundation.waiting import settle, wait_for

from .conftest import (
    AFI_IN_LIBRARY,
    AFI_ON_LOAN,
    AVOND,
    DE_AANSLAG,
    HET_DINER,
    MAX_HAVELAAR,
    TONIO,
    add_tag,
    afi,
    borrowing,
    done,
    field,
    line,
    notes,
    put,
    take,
    writes_to,
)

STACK = (HET_DINER, AVOND, MAX_HAVELAAR)


def test_a_stack_of_three_is_lent_and_every_tag_released(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    put(kiosk, *STACK)
    wait_for(kiosk, done(kiosk, LineKind.LOAN, *STACK), "three loans")
    wait_for(kiosk, lambda: all(afi(kiosk, item) == AFI_ON_LOAN for item in STACK), "three tags released")
    assert all(line(kiosk, LineKind.LOAN, item).title for item in STACK)  # type: ignore[union-attr]
    assert progress(kiosk.runtime.view.items, LineKind.LOAN).params == (("done", "3"), ("total", "3"))
    assert kiosk.pad.security.verified == 3 and not kiosk.pad.security.pending.records()
    assert kiosk.alerts == []  # type: ignore[attr-defined]


def test_two_of_three_parts_no_sip2_call_and_tags_untouched(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    sent: list[Effect] = []
    kiosk.runtime.handlers.insert(0, _Spy(sent))
    add_tag(kiosk, "E004015099000001", HET_DINER, parts=3, part=1)
    add_tag(kiosk, "E004015099000002", HET_DINER, parts=3, part=2)
    wait_for(kiosk, lambda: line(kiosk, LineKind.LOAN, HET_DINER) is not None, "a line for the set")
    refused = line(kiosk, LineKind.LOAN, HET_DINER)
    assert refused is not None and refused.status is LineStatus.REFUSED
    assert refused.message is not None and refused.message.key == "rfid.set_incomplete"
    assert refused.message.params == (("present", "2"), ("parts", "3"))
    assert not [e for e in sent if isinstance(e, CheckOut)]
    assert writes_to(kiosk, "E004015099000001") == writes_to(kiosk, "E004015099000002") == []
    assert kiosk.circulation.online_desk is not None and not kiosk.pad.security.pending.records()


def test_ils_refuses_one_item_its_tag_untouched_the_others_lent(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    put(kiosk, HET_DINER, DE_AANSLAG, AVOND)
    wait_for(kiosk, done(kiosk, LineKind.LOAN, HET_DINER, AVOND), "two loans")
    wait_for(kiosk, lambda: afi(kiosk, HET_DINER) == afi(kiosk, AVOND) == AFI_ON_LOAN, "two tags released")
    wait_for(
        kiosk,
        lambda: getattr(line(kiosk, LineKind.LOAN, DE_AANSLAG), "status", None) is LineStatus.REFUSED,
        "refusal",
    )
    assert afi(kiosk, DE_AANSLAG) == AFI_IN_LIBRARY and writes_to(kiosk, demo_uid(DE_AANSLAG)) == []
    assert not kiosk.pad.security.pending.records()


def test_afi_write_fails_twice_then_released(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    field(kiosk).faults.write_failures[demo_uid(HET_DINER)] = 2
    put(kiosk, HET_DINER)
    wait_for(kiosk, lambda: afi(kiosk, HET_DINER) == AFI_ON_LOAN, "released after two failed writes")
    settle(kiosk)
    assert writes_to(kiosk, demo_uid(HET_DINER)).count("write_afi") == 3
    assert not {n for n in notes(kiosk, LineKind.LOAN, HET_DINER) if n.startswith("rfid.")}
    assert kiosk.alerts == []  # type: ignore[attr-defined]


def test_afi_write_always_fails_line_and_alert(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    field(kiosk).faults.write_failures[demo_uid(HET_DINER)] = 1000
    put(kiosk, HET_DINER)
    wait_for(kiosk, lambda: "rfid.security_still_on" in notes(kiosk, LineKind.LOAN, HET_DINER), "the line")
    found = line(kiosk, LineKind.LOAN, HET_DINER)
    assert found is not None and found.status is LineStatus.DONE  # the loan stands: the ILS said yes
    assert kiosk.alerts == [("rfid_security_failed", short_hash(HET_DINER))]  # type: ignore[attr-defined]
    assert kiosk.pad.security.failures == 1 and afi(kiosk, HET_DINER) == AFI_IN_LIBRARY


def test_return_secures_the_tag(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    field(kiosk).tag(demo_uid(TONIO)).afi = AFI_ON_LOAN  # Jan's loan went out through the gate
    kiosk.runtime.send(ev.Back())
    wait_for(kiosk, lambda: kiosk.runtime.view.screen is Screen.MENU, "menu")
    kiosk.runtime.send(ev.StartReturn())
    put(kiosk, TONIO)
    wait_for(kiosk, done(kiosk, LineKind.RETURN, TONIO), "the return")
    wait_for(kiosk, lambda: afi(kiosk, TONIO) == AFI_IN_LIBRARY, "secured")


def test_item_taken_off_mid_transaction(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    gate = _Gate(kiosk)
    put(kiosk, HET_DINER)
    wait_for(kiosk, lambda: gate.held, "the loan held before the ILS")
    take(kiosk, HET_DINER)
    wait_for(kiosk, lambda: "rfid.taken_off" in notes(kiosk, LineKind.LOAN, HET_DINER), "shown as taken off")
    gate.open()
    wait_for(
        kiosk,
        lambda: "rfid.security_still_on" in notes(kiosk, LineKind.LOAN, HET_DINER),
        "lent, but the tag was gone before its release",
    )
    assert kiosk.alerts == [("rfid_security_failed", short_hash(HET_DINER))]  # type: ignore[attr-defined]


def test_a_tag_of_another_library_is_left_alone(kiosk: Kiosk) -> None:
    from drivers.rfid.scenarios import VECTOR_DE_705, memory
    from drivers.rfid.tagfield import VirtualTag

    borrowing(kiosk)
    field(kiosk).add(VirtualTag("E004015099000009", memory(VECTOR_DE_705)))
    wait_for(kiosk, lambda: line(kiosk, LineKind.LOAN, "11223344") is not None, "a line")
    foreign = line(kiosk, LineKind.LOAN, "11223344")
    assert foreign is not None and foreign.status is LineStatus.REFUSED and foreign.message is not None
    assert foreign.message.key == "rfid.foreign" and foreign.message.param("owner") == "DE-705"
    assert writes_to(kiosk, "E004015099000009") == []


def test_eas_mode_resets_the_eas_bit(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(rfid_section='security = "eas"\n')
    borrowing(kiosk)
    put(kiosk, HET_DINER)
    wait_for(kiosk, lambda: not field(kiosk).tag(demo_uid(HET_DINER)).eas, "EAS reset")
    settle(kiosk)
    assert afi(kiosk, HET_DINER) == AFI_IN_LIBRARY  # the AFI is not the security carrier here
    assert writes_to(kiosk, demo_uid(HET_DINER)) == ["reset_eas"]


def test_password_protected_tags_one_configuration_alert(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    for item in STACK:
        field(kiosk).tag(demo_uid(item)).password_protected = True
    put(kiosk, *STACK)
    wait_for(
        kiosk,
        lambda: all("rfid.security_password" in notes(kiosk, LineKind.LOAN, i) for i in STACK),
        "every line says so",
    )
    assert kiosk.alerts == [("rfid_security_password", "config")]  # type: ignore[attr-defined]


class _Spy:
    """Sees every effect first and declines it (so the real services still carry it out)."""

    def __init__(self, seen: list[Effect]) -> None:
        self.seen = seen

    def submit(self, effect: Effect) -> bool:
        self.seen.append(effect)
        return False


class _Gate:
    """Holds the kiosk's SIP2 loans until :meth:`open` (a test's way to act while the ILS is asked)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.held: list[Effect] = []
        self.closed = True
        kiosk.runtime.handlers.insert(0, self)

    def submit(self, effect: Effect) -> bool:
        if self.closed and isinstance(effect, CheckOut):
            self.held.append(effect)
            return True
        return False

    def open(self) -> None:
        self.closed = False
        for effect in self.held:
            self.kiosk.circulation.submit(effect)


def test_a_set_is_lent_whole_and_every_part_switched_even_when_one_part_fails(kiosk: Kiosk) -> None:
    borrowing(kiosk)
    field(kiosk).faults.write_failures["E004015099000011"] = 1000
    add_tag(kiosk, "E004015099000011", HET_DINER, parts=2, part=1)
    add_tag(kiosk, "E004015099000012", HET_DINER, parts=2, part=2)
    wait_for(kiosk, lambda: "rfid.security_still_on" in notes(kiosk, LineKind.LOAN, HET_DINER), "the line")
    assert field(kiosk).tag("E004015099000012").afi == AFI_ON_LOAN  # the other part was still released
    assert field(kiosk).tag("E004015099000011").afi == AFI_IN_LIBRARY
    assert kiosk.alerts == [("rfid_security_failed", short_hash(HET_DINER))]  # type: ignore[attr-defined]
