"""Maintenance: the pad's status and the tag test, through the assembled kiosk's technician backend
(issue 16, "Maintenance"): the simulated pad, real security writes with read-back."""

from __future__ import annotations

from drivers.rfid.scenarios import demo_uid
from kiosk.assembly import Kiosk
from kiosk.maintenance.backend import TechnicianBackend
from tests.rfid_pad.conftest import AFI_IN_LIBRARY, AFI_ON_LOAN, HET_DINER, add_tag, field, put, writes_to


def test_pad_status_names_the_reader_and_counts_the_tags(kiosk: Kiosk) -> None:
    backend = TechnicianBackend(kiosk)
    empty = backend.pad_status()
    assert empty.key == "maint.result.pad_status"
    assert empty.fields() == {"kind": "sim", "tags": "0", "error": "-"}
    assert empty.ok
    put(kiosk, HET_DINER)
    assert backend.pad_status().fields()["tags"] == "1"


def test_tag_test_dumps_the_tag_and_switches_security_both_ways(kiosk: Kiosk) -> None:
    backend = TechnicianBackend(kiosk)
    none = backend.pad_tag_test()
    assert (none.ok, none.key, none.fields()) == (False, "maint.result.tag_test_one_tag", {"tags": "0"})
    put(kiosk, HET_DINER)
    uid = demo_uid(HET_DINER)
    before = writes_to(kiosk, uid)
    result = backend.pad_tag_test()
    assert result.ok, result
    assert result.key == "maint.result.tag_test_ok"
    values = result.fields()
    assert values["uid"] == uid and values["item"] == HET_DINER and values["model"] != "-"
    assert values["afi"] == f"0x{AFI_IN_LIBRARY:02X}"  # a secured test tag ends secured
    assert writes_to(kiosk, uid)[len(before) :] == ["write_afi", "write_afi"]  # released, then secured
    assert field(kiosk).tag(uid).afi == AFI_IN_LIBRARY

    # a released (on loan) test tag ends released
    field(kiosk).tag(uid).afi = AFI_ON_LOAN
    again = backend.pad_tag_test()
    assert again.ok and again.fields()["afi"] == f"0x{AFI_ON_LOAN:02X}"


def test_tag_test_reports_a_password_protected_tag(kiosk: Kiosk) -> None:
    add_tag(kiosk, "E004015000000001", HET_DINER[:-1] + "9", password_protected=True)
    result = TechnicianBackend(kiosk).pad_tag_test()
    assert (result.ok, result.key) == (False, "maint.result.tag_test_failed")
    assert result.fields()["error"] == "TagLocked"


def test_no_pad_configured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from drivers.rfid.security import SecurityPolicy
    from kiosk.maintenance.pad_check import pad_status, tag_test

    assert pad_status(None).key == "maint.result.no_pad"
    assert tag_test(None, SecurityPolicy("afi", 0xC2, 0x07, 2)).key == "maint.result.no_pad"
