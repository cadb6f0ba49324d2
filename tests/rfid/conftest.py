"""Fixtures: a reader driver talking to a device simulator over a pty (FEIG and 3M) or TCP (FEIG)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from drivers.rfid import open_reader
from drivers.rfid.reader import Reader
from drivers.rfid.scenarios import make_field
from drivers.rfid.sim import SimReader
from drivers.rfid.sim_host import DeviceHost, make_device
from drivers.rfid.tagfield import TagField

# Generous: a loaded CI machine can hold the simulator thread back; nothing waits this long normally.
ANSWER_TIMEOUT = 10.0
LINKS = ("feig-pty", "feig-tcp", "3m-pty", "sim")


@dataclass
class Rig:
    """A reader and the tag field its (simulated) device answers from."""

    reader: Reader
    field: TagField
    host: DeviceHost | None


def make_rig(link: str, field: TagField, strict: bool = False, options: str = "") -> Rig:
    """Start the device for ``link`` on ``field`` and open a driver on it."""
    if link == "sim":
        return Rig(SimReader(field), field, None)
    kind, transport = link.split("-")
    host = DeviceHost(make_device(kind, field, strict=strict))
    query = "&".join(o for o in (options, "" if "timeout=" in options else f"timeout={ANSWER_TIMEOUT}") if o)
    if transport == "tcp":
        url = f"rfid+feig+tcp://127.0.0.1:{host.start_tcp()}?{query}"
    else:
        url = f"rfid+{kind}://{host.start_pty()}?{query}"
    return Rig(open_reader(url), field, host)


@pytest.fixture
def rig_factory() -> Iterator[Callable[..., Rig]]:
    """``rig_factory(link, scenario_or_field, strict=False, options="")``; everything stops afterwards."""
    rigs: list[Rig] = []

    def factory(link: str, scenario: str | TagField, strict: bool = False, options: str = "") -> Rig:
        field = make_field(scenario) if isinstance(scenario, str) else scenario
        rig = make_rig(link, field, strict, options)
        rigs.append(rig)
        return rig

    yield factory
    for rig in rigs:
        rig.reader.close()
        if rig.host is not None:
            rig.host.stop()
