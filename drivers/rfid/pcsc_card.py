"""A simulated ISO 15693 tag behind a PC/SC part 3 reader: answers the APDUs :mod:`drivers.rfid.pcsc` sends.

Sans-IO (:meth:`Iso15693Card.answer`: APDU in, response + SW out), on a :class:`TagField` tag, so it can sit
behind a fake connection in tests or behind the vsmartcard ``vpcd`` driver (ATR standard byte 0x0B,
ISO 15693 part 3). Strict mode answers Read/Update Binary only in the addressing the reader was told to
expect (``block_in``) and refuses a transparent exchange outside a session.
"""

from __future__ import annotations

from drivers.rfid import iso15693 as iso
from drivers.rfid.errors import TagError, TagLocked, TagNotFound
from drivers.rfid.reader import uid_bytes
from drivers.rfid.tagfield import TagField

ATR_ISO15693 = bytes.fromhex("3B8F8001804F0CA0000003060B00140000000077")
OK, NOT_FOUND, WRONG_P1P2, NOT_SUPPORTED, WRITE_FAILED, DENIED = (
    b"\x90\x00",
    b"\x6a\x82",
    b"\x6b\x00",
    b"\x6d\x00",
    b"\x65\x81",
    b"\x69\x82",
)


class Iso15693Card:
    """One tag of ``field`` (by UID) as a PC/SC reader presents it."""

    def __init__(self, field: TagField, uid: str, block_in: str = "p1", strict: bool = False) -> None:
        self.field = field
        self.uid = uid
        self.block_in = block_in
        self.strict = strict
        self._session = False

    def answer(self, apdu: bytes) -> bytes:
        """Response data + SW1 SW2."""
        if len(apdu) < 4 or apdu[0] != 0xFF:
            return NOT_SUPPORTED
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        try:
            if ins == 0xCA and p1 == 0 and p2 == 0:
                self.field.system_info(self.uid)  # present?
                return uid_bytes(self.uid)[::-1] + OK  # readers hand the UID over LSB first
            if ins in (0xB0, 0xD6):
                block = self._block(p1, p2)
                if block is None:
                    return WRONG_P1P2
                if ins == 0xB0:
                    return self.field.read_blocks(self.uid, block, 1) + OK
                data = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
                if len(data) != 4:
                    return WRONG_P1P2
                self.field.write_blocks(self.uid, block, data)
                return OK
            if ins == 0xC2:
                return self._transparent(p2, apdu[5:])
        except TagLocked:
            return DENIED
        except TagNotFound:
            return b"\x64\x00"
        except TagError:
            return WRITE_FAILED if ins == 0xD6 else NOT_FOUND
        return NOT_SUPPORTED

    def _block(self, p1: int, p2: int) -> int | None:
        if self.block_in == "p1":
            return p1 if p2 == 0 or not self.strict else None
        return p2 if p1 == 0 or not self.strict else None

    def _transparent(self, p2: int, data: bytes) -> bytes:
        if p2 == 0x00:  # manage session: 81 start, 82 end
            if data[:1] == b"\x81":
                self._session = True
            elif data[:1] == b"\x82":
                self._session = False
            return b"\xc0\x03\x00\x90\x00" + OK
        if p2 != 0x01 or (self.strict and not self._session) or data[:1] != b"\x95":
            return WRONG_P1P2
        frame = data[2 : 2 + data[1]]
        reply = self._air(frame)
        out = b"\xc0\x03\x00\x90\x00"
        if reply is not None:
            out += bytes((0x97, len(reply))) + reply
        return out + OK

    def _air(self, frame: bytes) -> bytes | None:
        """The tag's answer to one raw ISO 15693 frame (None = silence)."""
        if len(frame) < 2:
            return None
        cmd = frame[1]
        custom = cmd in iso.CUSTOM
        uid_at = 3 if custom else 2
        if bytes(frame[uid_at : uid_at + 8]) != uid_bytes(self.uid)[::-1]:
            return None
        params = frame[uid_at + 8 :]
        try:
            if cmd == iso.SYSTEM_INFO:
                info = self.field.system_info(self.uid)
                mem = bytes(((info.block_count or 32) - 1, (info.block_size or 4) - 1))
                return (
                    b"\x00\x0f"
                    + uid_bytes(self.uid)[::-1]
                    + bytes((info.dsfid or 0, info.afi or 0))
                    + mem
                    + bytes((info.ic_reference or 0,))
                )
            if cmd == iso.WRITE_AFI and len(params) == 1:
                self.field.write_afi(self.uid, params[0])
                return b"\x00"
            if cmd in (iso.NXP_SET_EAS, iso.NXP_RESET_EAS):
                self.field.set_eas(self.uid, cmd == iso.NXP_SET_EAS)
                return b"\x00"
            if cmd == iso.NXP_EAS_ALARM:
                return b"\x00" + bytes(32) if self.field.eas_alarm(self.uid) else None
        except TagNotFound:
            return None
        except TagLocked:
            return b"\x01\x12"
        except TagError:
            return b"\x01\x0f"
        return b"\x01\x01"
