"""ISO 15693 tags through a PC/SC reader (``rfid+pcsc://NAME``): one tag at a time.

PC/SC part 3 storage-card commands: ``FF CA 00 00 00`` (UID), ``FF B0`` Read Binary and ``FF D6``
Update Binary of one 4-byte block. Microsoft's NFC class-driver page puts the ISO 15693 block number in
P1 (``FF B0 <block> 00 04``, rfid note §4.3); readers that follow the generic address form (P1 P2 =
address) take ``?block_in=p2``. AFI, system information and the NXP EAS bit need raw ISO frames: they go
through the transparent exchange (``FF C2 00 01``, TLV 0x95 transceive, the tag's answer in TLV 0x97)
where the reader offers it; otherwise those calls raise ReaderError. A reader gives PC/SC one card per
slot, so this backend is for a single item or a staff station, never a stack pad.

pyscard is imported when the reader is opened. Tests pass ``connect`` (a factory of objects with
``transmit(list[int]) -> (data, sw1, sw2)`` and ``disconnect()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.rfid import iso15693 as iso
from drivers.rfid.errors import ReaderError, TagLocked, TagNotFound, TagRefused, TagWriteFailed
from drivers.rfid.reader import Reader, SystemInfo, check_block_range, check_byte, normalise_uid, uid_text

BLOCK_SIZE = 4
SW_OK = (0x90, 0x00)


class CardConnection(Protocol):
    """The part of a pyscard connection this backend uses."""

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        """Send one APDU."""

    def disconnect(self) -> None:
        """Let go of the card."""


class NoCard(TagNotFound):
    """Raised by a ``connect`` factory when no card lies on the reader (no tag in the field)."""

    def __init__(self, message: str = "no card on the reader") -> None:
        super().__init__(message)


def _pyscard_connect(name_filter: str) -> Callable[[], CardConnection]:
    try:
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers
    except ImportError as exc:
        raise DeviceConfigurationError("rfid+pcsc needs pyscard: pip install pyscard") from exc

    def connect() -> CardConnection:
        try:
            matching = [r for r in readers() if name_filter.lower() in str(r).lower()]
        except Exception as exc:  # pyscard raises its own types when pcscd is gone
            raise DeviceConnectionError(f"PC/SC service unavailable: {exc}") from exc
        if not matching:
            raise DeviceConnectionError(f"no PC/SC reader matches {name_filter!r}")
        connection: Any = matching[0].createConnection()
        try:
            connection.connect()
        except (NoCardException, CardConnectionException):
            raise NoCard() from None
        return connection  # type: ignore[no-any-return]

    return connect


class PcscReader(Reader):
    """A PC/SC reader with at most one ISO 15693 tag."""

    kind: ClassVar[str] = "pcsc"
    max_tags: ClassVar[int | None] = 1

    def __init__(
        self, name_filter: str, block_in: str = "p1", connect: Callable[[], CardConnection] | None = None
    ) -> None:
        self.name_filter = name_filter
        self.block_in = block_in
        self._connect = connect or _pyscard_connect(name_filter)
        self._card: CardConnection | None = None
        self._uid: str | None = None

    def close(self) -> None:
        """Let go of the card."""
        if self._card is not None:
            try:
                self._card.disconnect()
            except Exception:
                pass
        self._card, self._uid = None, None

    def _apdu(self, apdu: bytes, uid: str | None, what: str) -> bytes:
        if self._card is None:
            raise TagNotFound(f"PC/SC {what}: no tag on the reader", uid)
        try:
            data, sw1, sw2 = self._card.transmit(list(apdu))
        except Exception as exc:  # the card was lifted off: pyscard raises CardConnectionException
            self.close()
            raise TagNotFound(f"PC/SC {what}: tag gone ({exc})", uid) from None
        if (sw1, sw2) == SW_OK:
            return bytes(data)
        code = sw1 << 8 | sw2
        if sw1 == 0x69 and sw2 == 0x82:
            raise TagLocked(f"PC/SC {what}: security status not satisfied (locked?)", uid, code)
        if sw1 in (0x63, 0x64, 0x65) and apdu[1] == 0xD6:
            raise TagWriteFailed(f"PC/SC {what}: write failed ({code:04X})", uid, code)
        if sw1 in (0x6A, 0x6B, 0x62, 0x63, 0x64):
            raise TagRefused(f"PC/SC {what}: refused ({code:04X})", uid, code)
        raise ReaderError(f"PC/SC {what}: status {code:04X}", code)

    def _same_tag(self, uid: str) -> str:
        uid = normalise_uid(uid)
        if self._uid != uid:
            self.inventory()
        if self._uid != uid:
            raise TagNotFound(f"tag {uid} is not on the reader", uid)
        return uid

    def _p1p2(self, block: int) -> bytes:
        return bytes((block, 0)) if self.block_in == "p1" else bytes((0, block))

    def inventory(self) -> list[str]:
        """The one tag on the reader, or none."""
        self.close()
        try:
            self._card = self._connect()
        except NoCard:
            return []
        raw = self._apdu(b"\xff\xca\x00\x00\x00", None, "get UID")
        if len(raw) != 8:
            raise ReaderError(f"PC/SC get UID: {len(raw)} bytes is not an ISO 15693 UID")
        if raw[0] != 0xE0 and raw[-1] == 0xE0:  # most readers hand the UID over as it came on the air
            raw = raw[::-1]
        self._uid = uid_text(raw)
        return [self._uid]

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """One Read Binary per block."""
        check_block_range(first, count)
        uid = self._same_tag(uid)
        out = bytearray()
        for block in range(first, first + count):
            data = self._apdu(b"\xff\xb0" + self._p1p2(block) + b"\x04", uid, "read block")
            if len(data) != BLOCK_SIZE:
                raise ReaderError(f"PC/SC read block {block}: {len(data)} bytes")
            out += data
        return bytes(out)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """One Update Binary per block."""
        if not data or len(data) % BLOCK_SIZE:
            raise ValueError(f"{len(data)} bytes are not whole blocks of {BLOCK_SIZE}")
        check_block_range(first, len(data) // BLOCK_SIZE)
        uid = self._same_tag(uid)
        for i in range(0, len(data), BLOCK_SIZE):
            self._apdu(
                b"\xff\xd6" + self._p1p2(first + i // BLOCK_SIZE) + b"\x04" + data[i : i + 4],
                uid,
                "write block",
            )

    def _transceive(self, frame: bytes, uid: str, what: str) -> bytes | None:
        """Send a raw ISO frame; return the tag's answer (flags first), or None if it stayed silent."""
        self._apdu(b"\xff\xc2\x00\x00\x02\x81\x00", uid, "start transparent session")
        try:
            tlv = bytes((0x95, len(frame))) + frame
            out = self._apdu(b"\xff\xc2\x00\x01" + bytes((len(tlv),)) + tlv, uid, what)
        finally:
            self._apdu(b"\xff\xc2\x00\x00\x02\x82\x00", uid, "end transparent session")
        i = 0
        while i + 2 <= len(out):
            tag, length = out[i], out[i + 1]
            if tag == 0x97:
                answer = out[i + 2 : i + 2 + length]
                if answer and answer[0] & iso.ANSWER_ERROR:
                    code = answer[1] if len(answer) > 1 else None
                    if code in (0x12, 0x14):
                        raise TagLocked(f"PC/SC {what}: locked or password-protected", uid, code)
                    raise TagRefused(f"PC/SC {what}: ISO error {code}", uid, code)
                return answer
            i += 2 + length
        return None

    def _must(self, frame: bytes, uid: str, what: str) -> bytes:
        answer = self._transceive(frame, uid, what)
        if answer is None:
            raise TagNotFound(f"PC/SC {what}: no answer from {uid}", uid)
        return answer

    def system_info(self, uid: str) -> SystemInfo:
        """Get System Information by transparent exchange."""
        uid = self._same_tag(uid)
        answer = self._must(iso.request(iso.SYSTEM_INFO, uid), uid, "system information")
        try:
            dsfid, afi, size, blocks, ic = iso.parse_system_info(answer)
        except ValueError as exc:
            raise ReaderError(f"PC/SC system information: {exc}") from None
        return SystemInfo(uid, dsfid, afi, size, blocks, ic)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI by transparent exchange (addressed)."""
        check_byte("AFI", value)
        uid = self._same_tag(uid)
        self._must(iso.request(iso.WRITE_AFI, uid, bytes((value,))), uid, "write AFI")

    def set_eas(self, uid: str, on: bool) -> None:
        """NXP Set/Reset EAS by transparent exchange."""
        uid = self._same_tag(uid)
        self._must(iso.request(iso.NXP_SET_EAS if on else iso.NXP_RESET_EAS, uid), uid, "EAS")

    def eas_alarm(self, uid: str) -> bool:
        """NXP EAS Alarm: an answer means the bit is set."""
        uid = self._same_tag(uid)
        return self._transceive(iso.request(iso.NXP_EAS_ALARM, uid), uid, "EAS alarm") is not None
