"""Gate security with read-back over every reader kind; scenarios; air time; realistic timing (fake clock)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.errors import DeviceConfigurationError
from drivers.rfid import airtime, open_reader
from drivers.rfid.errors import TagLocked
from drivers.rfid.feig_device import FeigDevice
from drivers.rfid.scenarios import (
    SCENARIOS,
    VECTOR_DE_705,
    VECTOR_NO_DEICHMAN,
    danish_blocks,
    make_field,
)
from drivers.rfid.security import SecurityNotVerified, SecurityPolicy, read_state, release, secure
from drivers.rfid.sim import SimReader
from drivers.rfid.sim_host import DeviceHost
from tests.rfid.conftest import LINKS, Rig

Factory = Callable[..., Rig]
ONE = "E004015000000001"
NO_PAUSE = SecurityPolicy(retry_pause=0.0)


def no_pause(_seconds: float) -> None:
    """Retries in tests go on at once (no sleeping)."""


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("mode", ["afi", "eas", "afi+eas"])
def test_release_and_secure_are_verified_by_read_back(rig_factory: Factory, link: str, mode: str) -> None:
    rig = rig_factory(link, "single_book")
    policy = SecurityPolicy(mode=mode, retry_pause=0.0)
    assert read_state(rig.reader, ONE, policy).secured
    state = release(rig.reader, ONE, policy, pause=no_pause)
    assert state.released and not state.secured
    tag = rig.field.tag(ONE)
    assert tag.afi == (0xC2 if "afi" in mode else 0x07)
    assert tag.eas is ("eas" not in mode)
    assert secure(rig.reader, ONE, policy, pause=no_pause).secured
    assert (tag.afi, tag.eas) == (0x07, True)


@pytest.mark.parametrize("link", LINKS)
def test_afi_write_failing_twice_is_retried(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "afi_write_fails_twice")
    assert release(rig.reader, ONE, NO_PAUSE, pause=no_pause).afi == 0xC2
    assert [c for c in rig.field.commands if c[0] == "write_afi"] == [("write_afi", ONE)] * 3


@pytest.mark.parametrize("link", ["feig-pty", "3m-pty", "sim"])
def test_a_write_that_never_sticks_is_not_verified(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "single_book")
    rig.field.faults.write_failures[ONE] = 99
    with pytest.raises(SecurityNotVerified, match="could not release"):
        release(rig.reader, ONE, SecurityPolicy(retries=2, retry_pause=0.0), pause=no_pause)
    assert rig.field.tag(ONE).afi == 0x07


@pytest.mark.parametrize("link", ["feig-pty", "3m-pty"])
def test_password_protected_tag_is_not_retried(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "eas_password_protected")
    with pytest.raises(TagLocked):
        release(rig.reader, ONE, SecurityPolicy(mode="eas", retry_pause=0.0), pause=no_pause)
    assert [c for c in rig.field.commands if c[0] == "reset_eas"] == [("reset_eas", ONE)]


def test_a_vanished_tag_does_not_read_as_released() -> None:
    reader = SimReader(make_field("single_book"))
    reader.field.remove(ONE)
    with pytest.raises(SecurityNotVerified):  # EAS Alarm silence alone would look like "EAS off"
        release(reader, ONE, SecurityPolicy(mode="eas", retries=1, retry_pause=0.0), pause=no_pause)


def test_policy_is_checked() -> None:
    with pytest.raises(DeviceConfigurationError):
        SecurityPolicy(mode="gate")
    with pytest.raises(DeviceConfigurationError):
        SecurityPolicy(afi_on_loan=0x07, afi_in_library=0x07)
    with pytest.raises(DeviceConfigurationError):
        SecurityPolicy(afi_on_loan=0x100)


# --- scenarios ---------------------------------------------------------------------------------------------


def test_danish_blocks_reproduce_both_verified_vectors() -> None:
    assert danish_blocks("11223344", country="DE", isil="705") == VECTOR_DE_705
    assert danish_blocks("1003011860976002", country="NO", isil="02030000") == VECTOR_NO_DEICHMAN


def test_every_scenario_builds_and_the_named_ones_exist() -> None:
    named = {
        "single_book",
        "stack10",
        "set_2_of_3",
        "foreign_isil",
        "blank_tag",
        "crc_bad",
        "reversed_blocks",
        "afi_write_fails_twice",
        "eas_password_protected",
    }
    assert named <= set(SCENARIOS)
    for name in SCENARIOS:
        field = make_field(name)
        assert len({t.uid for t in field.tags}) == len(field.tags)
    assert [bytes(t.blocks[1:3]) for t in make_field("set_2_of_3").tags] == [b"\x03\x01", b"\x03\x02"]
    assert bytes(make_field("blank_tag").tags[0].blocks) == bytes(128)
    with pytest.raises(ValueError, match="stack10"):
        make_field("stack11")


def test_sim_url_and_bad_urls() -> None:
    reader = open_reader("rfid+sim://?scenario=stack10")
    assert len(reader.inventory()) == 10
    for bad in (
        "rfid+sim://?scenario=nope",
        "rfid+sim://?speed=1",
        "rfid+feig://",
        "rfid+nfc:///dev/x",
        "rfid+feig:///dev/null?parity=X",
        "rfid+feig:///dev/null?addr=300",
        "rfid+3m:///dev/x?parity=E",
        "rfid+feig+tcp://host:port",
    ):
        with pytest.raises(DeviceConfigurationError):
            open_reader(bad)


def test_serial_port_that_does_not_exist_is_a_connection_error() -> None:
    from drivers.errors import DeviceConnectionError

    with pytest.raises(DeviceConnectionError):
        open_reader("rfid+feig:///dev/no-such-reader")


# --- air time -------------------------------------------------------------------------------------------


def test_air_time_figures_from_iso_15693() -> None:
    assert pytest.approx(302.08e-6, abs=0.1e-6) == airtime.VCD_BYTE
    assert pytest.approx(302.08e-6, abs=0.1e-6) == airtime.VICC_BYTE
    assert pytest.approx(318.6e-6, abs=0.1e-6) == airtime.T1
    assert pytest.approx(56.64e-6, abs=0.01e-6) == airtime.VICC_SOF
    one = airtime.inventory(1)
    assert airtime.inventory(0) < one < airtime.inventory(16) < airtime.inventory(17)
    assert airtime.read_blocks(8) > airtime.read_blocks(1)
    expected = airtime.inventory(10) + 10 * airtime.read_blocks(8)
    assert airtime.inventory_and_read(10, 8) == pytest.approx(expected)
    assert airtime.eas_alarm(True) > airtime.eas_alarm(False)


class FakeClock:
    """Time that moves only when the simulator sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_realistic_timing_holds_each_answer_for_its_air_time() -> None:
    clock = FakeClock()
    field = make_field("stack3")
    host = DeviceHost(FeigDevice(field), realistic=True, sleep=clock.sleep, clock=clock)
    try:
        reader = open_reader(f"rfid+feig://{host.start_pty()}?timeout=10")
        uids = reader.inventory()
        reader.read_blocks(uids[0], 0, 8)
        reader.close()
    finally:
        host.stop()
    # the driver does not ask for the blocks' security status (one byte less per block on the air)
    read = airtime.read_blocks(8, security_status=False)
    assert clock.slept == [pytest.approx(airtime.inventory(3)), pytest.approx(read)]


@pytest.mark.parametrize("link", LINKS)
def test_securing_in_eas_mode_is_proved_by_the_alarm_answer_alone(rig_factory: Factory, link: str) -> None:
    rig = rig_factory(link, "single_book")
    policy = SecurityPolicy(mode="eas", retry_pause=0.0)
    release(rig.reader, ONE, policy, pause=no_pause)
    rig.field.commands.clear()
    state = secure(rig.reader, ONE, policy, pause=no_pause)
    assert state.secured and rig.field.tag(ONE).eas is True
    # set, then the alarm answer proves presence and state: no system information in between
    assert [c[0] for c in rig.field.commands] == ["set_eas", "eas_alarm"]
    rig.field.commands.clear()
    release(rig.reader, ONE, policy, pause=no_pause)  # releasing still proves presence first
    assert [c[0] for c in rig.field.commands] == ["reset_eas", "system_info", "eas_alarm"]
