"""Named tag fields for the simulators, the demo and technicians (``rfid+sim://?scenario=NAME``).

Tag contents are Danish-model (ISO 28560-3 basic block) user memory: the two vectors verified in the rfid
note §1.2, and for further items blocks made by ``drivers.rfid.models.encode_danish`` when that package
is present, else by :func:`danish_blocks` here (a few lines, checked in the tests against both vectors).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from drivers.rfid.models.crc import crc16_ccitt_false
from drivers.rfid.tagfield import BLOCK_COUNT, BLOCK_SIZE, Faults, TagField, VirtualTag

AFI_IN_LIBRARY = 0x07
AFI_ON_LOAN = 0xC2

# rfid note §1.2, vector 1 (libdanrfid test): item 11223344, 1 of 1, owner DE-705
VECTOR_DE_705 = bytes.fromhex(
    "110101" + "3131323233333434" + "00" * 8 + "513e" + "4445" + "373035" + "00" * 6
)
# rfid note §1.2, vector 2 (a Deichman tag): item 1003011860976002, 1 of 1, owner NO-02030000
VECTOR_NO_DEICHMAN = bytes.fromhex(
    "110101" + "31303033303131383630393736303032" + "2fb0" + "4e4f" + "3032303330303030" + "00"
)
UID_DEICHMAN = "E0040150338607AE"
HOME_COUNTRY, HOME_ISIL = "NL", "0001"  # the demo library's owner code on its simulated tags


def danish_blocks(
    item_id: str,
    parts: int = 1,
    part: int = 1,
    country: str = HOME_COUNTRY,
    isil: str = HOME_ISIL,
    usage: int = 1,
) -> bytes:
    """32 bytes of a Danish-model basic block (byte 1 = parts in set, byte 2 = part number; CRC over
    bytes 0-18 and 21-31 plus two zero bytes, stored LSB first at 19-20)."""
    data = bytearray(32)
    data[0] = 0x10 | usage
    data[1], data[2] = parts, part
    data[3:19] = item_id.encode("ascii").ljust(16, b"\0")[:16]
    data[21:23] = country.encode("ascii")[:2]
    data[23:32] = isil.encode("ascii").ljust(9, b"\0")[:9]
    crc = crc16_ccitt_false(bytes(data[:19] + data[21:]) + b"\0\0")
    data[19], data[20] = crc & 0xFF, crc >> 8
    return bytes(data)


def item_blocks(item_id: str, parts: int = 1, part: int = 1) -> bytes:
    """A home-library item's 32 bytes: by ``drivers.rfid.models.encode_danish`` when the models package is
    there (a circulating item, canonical byte order), else by :func:`danish_blocks` (the same bytes)."""
    try:
        models: Any = importlib.import_module("drivers.rfid.models")
        data = models.TagData(
            model="danish",
            variant="",
            item_id=item_id,
            owner_isil=f"{HOME_COUNTRY}-{HOME_ISIL}",
            country=HOME_COUNTRY,
            parts_in_set=parts,
            part_number=part,
            usage="item-circulating",
            raw_usage=1,
        )
        return bytes(models.encode_danish(data))
    except (ImportError, AttributeError):  # no models package (or a stand-in without the encoder)
        return danish_blocks(item_id, parts, part)


def memory(first32: bytes) -> bytearray:
    """Full tag memory (32 blocks of 4) starting with the given bytes."""
    return bytearray(first32.ljust(BLOCK_SIZE * BLOCK_COUNT, b"\0"))


def reverse_each_block(data: bytes) -> bytes:
    """The same data with every 4-byte block reversed (how FKI-style encoders store tags; rfid note §1.2)."""
    return b"".join(data[i : i + BLOCK_SIZE][::-1] for i in range(0, len(data), BLOCK_SIZE))


def _uid(n: int) -> str:
    return f"E004015000{n:06X}"


def _book(n: int, item: str, parts: int = 1, part: int = 1, **kw: object) -> VirtualTag:
    return VirtualTag(_uid(n), memory(item_blocks(item, parts, part)), **kw)  # type: ignore[arg-type]


def _single_book() -> TagField:
    return TagField([_book(1, "30001000000001")])


def _stack(n: int) -> TagField:
    return TagField([_book(i + 1, f"3000100000{i + 1:04d}") for i in range(n)])


def _set_2_of_3() -> TagField:
    return TagField([_book(1, "30001000000777", 3, 1), _book(2, "30001000000777", 3, 2)])


def _foreign() -> TagField:
    return TagField(
        [VirtualTag(UID_DEICHMAN, memory(VECTOR_NO_DEICHMAN)), VirtualTag(_uid(2), memory(VECTOR_DE_705))]
    )


def _blank() -> TagField:
    return TagField([VirtualTag(_uid(1))])


def _crc_bad() -> TagField:
    data = bytearray(item_blocks("30001000000001"))
    data[5] ^= 0x01  # one bit of the item id flipped: the model's CRC no longer holds
    return TagField([VirtualTag(_uid(1), memory(bytes(data)))])


def _reversed() -> TagField:
    return TagField([VirtualTag(_uid(1), memory(reverse_each_block(item_blocks("30001000000001"))))])


def _afi_fails_twice() -> TagField:
    return TagField([_book(1, "30001000000001")], Faults(write_failures={_uid(1): 2}))


def _eas_protected() -> TagField:
    return TagField([_book(1, "30001000000001", password_protected=True)])


# The demo library's items (docs/demo-data.md) as tags: the pad starts empty and every item waits "in the
# tray" (not present) until ``kiosk rfid sim put`` or a test puts it on the pad.
DEMO_ITEMS = (
    "30301000500013",
    "30301000500021",
    "30301000500039",
    "30301000500047",
    "30301000500054",
    "30301000500062",
    "30301000500070",
    "30301000500088",
    "30301000500096",
    "30301000500104",
    "30301000500112",
    "30301000500120",
    "30301000500138",
    "30301000500146",
    "30301000500153",
    "30301000500161",
    "30302000600019",
)


def demo_uid(item_id: str) -> str:
    """The UID of a demo item's simulated tag (stable, derived from the barcode's last digits)."""
    return f"E00401503{item_id[-7:]}"


def _demo(on_pad: int = 0) -> TagField:
    tags = [VirtualTag(demo_uid(item), memory(item_blocks(item))) for item in DEMO_ITEMS]
    for i, tag in enumerate(tags):
        tag.present = i < on_pad
    return TagField(tags)


SCENARIOS: dict[str, Callable[[], TagField]] = {
    "empty": lambda: TagField(),
    "single_book": _single_book,
    "stack3": lambda: _stack(3),
    "stack10": lambda: _stack(10),
    "stack30": lambda: _stack(30),
    "set_2_of_3": _set_2_of_3,
    "foreign_isil": _foreign,
    "blank_tag": _blank,
    "crc_bad": _crc_bad,
    "reversed_blocks": _reversed,
    "afi_write_fails_twice": _afi_fails_twice,
    "eas_password_protected": _eas_protected,
    "demo": _demo,
    "demo_stack3": lambda: _demo(3),
}


def make_field(name: str) -> TagField:
    """A fresh tag field for a scenario name (ValueError lists the names)."""
    try:
        return SCENARIOS[name]()
    except KeyError:
        raise ValueError(f"unknown RFID scenario {name!r}; expected one of {', '.join(SCENARIOS)}") from None
