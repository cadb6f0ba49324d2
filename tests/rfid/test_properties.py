"""Properties of driver + device simulator pairs, joined in memory (the same codecs as on a pty)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from drivers.rfid.feig import FeigReader
from drivers.rfid.feig_device import FeigDevice
from drivers.rfid.m3 import M3Reader
from drivers.rfid.m3_device import M3Device
from drivers.rfid.tagfield import TagField, VirtualTag


class Loopback:
    """A transport whose other end is a device object: every write is answered at once."""

    timeout = 5.0

    def __init__(self, device: Any) -> None:
        self.device = device
        self.pending = b""

    def write(self, data: bytes) -> None:
        self.pending = b"".join(a.data for a in self.device.receive(data))

    def read_some(self) -> bytes:
        out, self.pending = self.pending, b""
        return out

    def close(self) -> None:
        pass


uids = st.binary(min_size=7, max_size=7).map(lambda b: (b"\xe0" + b).hex().upper())
writes = st.integers(0, 31).flatmap(
    lambda first: st.tuples(
        st.just(first),
        st.binary(min_size=4, max_size=4 * (32 - first)).map(
            lambda b: b[: len(b) - len(b) % 4] or b"\0\0\0\0"
        ),
    )
)


@given(uid=uids, write=writes, kind=st.sampled_from(["feig", "3m"]))
def test_what_is_written_is_read_back_in_tag_order(uid: str, write: tuple[int, bytes], kind: str) -> None:
    first, data = write
    field = TagField([VirtualTag(uid)])
    reader: Any = (
        FeigReader(Loopback(FeigDevice(field, strict=True)))
        if kind == "feig"  # type: ignore[arg-type]
        else M3Reader(Loopback(M3Device(field, strict=True)))
    )  # type: ignore[arg-type]
    assert reader.inventory() == [uid]
    reader.write_blocks(uid, first, data)
    assert bytes(field.tag(uid).blocks[first * 4 : first * 4 + len(data)]) == data
    assert reader.read_blocks(uid, first, len(data) // 4) == data


@given(n=st.integers(0, 60), page=st.integers(1, 30), advanced=st.booleans())
def test_feig_inventory_pages_lose_no_tag(n: int, page: int, advanced: bool) -> None:
    tags = [VirtualTag(f"E0040150{i:08X}") for i in range(n)]
    field = TagField(tags)
    field.faults.page_size = page
    reader = FeigReader(Loopback(FeigDevice(field)), advanced=advanced)  # type: ignore[arg-type]
    assert reader.inventory() == [t.uid for t in tags]
