"""FEIG OBID ISC readers over RS-232/USB-serial or TCP (``rfid+feig://``, ``rfid+feig+tcp://``).

Every tag command is ``[0xB0]`` (or ``[0xB1]`` for the NXP EAS bit) in addressed mode. Inventory follows
status 0x94 ("more data") with MODE.MORE until the reader has handed out every tag, and retries an
unfinished anticollision (0x83) a few times. :meth:`FeigReader.wait_for_tags` uses the notification mode
(MODE.NTFC): the reader inventories by itself until a tag arrives and answers at once, so an empty pad
sees a stack within one empty inventory (8 ms of air) without the host polling; a reader that refuses
the mode is polled instead from then on. A garbled answer or silence makes the request go out again
(``retries``); the reader answers nothing at all to a frame it could not read (manual §3.1).
"""

from __future__ import annotations

import logging
from typing import ClassVar

from drivers.errors import DeviceProtocolError
from drivers.rfid import feig_codec as fc
from drivers.rfid.errors import ReaderError, TagAirError
from drivers.rfid.reader import (
    Reader,
    SystemInfo,
    check_block_range,
    check_byte,
    normalise_uid,
    uid_bytes,
    uid_text,
)
from drivers.rfid.transport import SerialTransport, exchange

log = logging.getLogger(__name__)
BLOCK_SIZE = 4
INVENTORY_ATTEMPTS = 4  # an unfinished anticollision (0x83) is retried this often


class FeigReader(Reader):
    """One FEIG reader at COM-ADR ``addr`` (255 = whichever reader is on the line)."""

    kind: ClassVar[str] = "feig"

    def __init__(
        self,
        transport: SerialTransport,
        addr: int = fc.BROADCAST_ADDR,
        retries: int = 2,
        advanced: bool = False,
    ) -> None:
        self.transport = transport
        self.addr = addr
        self.retries = retries
        self.advanced = advanced
        self._notify = True
        self._decoder = fc.FrameDecoder(responses=True)

    def close(self) -> None:
        """Close the port."""
        self.transport.close()

    # --- one request, one answer ------------------------------------------------------------------------

    def _call(self, cmd: int, data: bytes, what: str, timeout: float | None = None) -> fc.Response:
        request = fc.build_request(fc.Request(self.addr, cmd, data, self.advanced))

        def accept(item: object) -> fc.Response | None:
            if not isinstance(item, fc.Response) or item.cmd != cmd:
                return None
            if self.addr != fc.BROADCAST_ADDR and item.addr != self.addr:
                return None
            return item

        return exchange(
            self.transport,
            request,
            self._decoder.feed,
            self._decoder.reset,
            accept,
            self.retries,
            f"FEIG {what}",
            timeout,
        )

    def _tag_call(self, cmd: int, data: bytes, uid: str, what: str) -> fc.Response:
        resp = self._call(cmd, data, what)
        if resp.status != fc.OK:
            raise fc.status_error(resp.status, resp.data, uid)
        return resp

    # --- the Reader interface ---------------------------------------------------------------------------

    def inventory(self) -> list[str]:
        """Every tag in the field, each once (status 0x94 pages are fetched with MODE.MORE)."""
        for attempt in range(INVENTORY_ATTEMPTS):
            try:
                return self._inventory_once()
            except TagAirError:
                if attempt == INVENTORY_ATTEMPTS - 1:
                    raise
                log.debug("inventory: anticollision unfinished, again")
        raise AssertionError("unreachable")

    def notifies(self) -> bool:
        """Whether the notification mode is used (until the reader refused it once)."""
        return self._notify

    def wait_for_tags(self, longest: float) -> list[str]:
        """Inventory in notification mode: answered as soon as a tag is in the field, or with none after
        ``longest`` seconds (rounded to the reader's 100 ms, 0.1..25.5 s)."""
        if not self._notify:
            return self.inventory()
        units = max(1, min(255, round(longest / fc.NTFC_UNIT)))
        try:
            return self._inventory_once(fc.inventory_data(notify_time=units), units * fc.NTFC_UNIT)
        except TagAirError:
            return self.inventory()  # an unfinished anticollision: the ordinary inventory retries it
        except ReaderError as exc:
            if exc.code not in (fc.UNKNOWN_COMMAND, fc.LENGTH_ERROR, fc.PARAMETER_RANGE):
                raise
            log.info("FEIG reader refuses the notification inventory (status 0x%02X): polling", exc.code)
            self._notify = False
            return self.inventory()

    def _inventory_once(self, first: bytes | None = None, held: float = 0.0) -> list[str]:
        found: list[str] = []
        more = False
        while True:
            data = first if first is not None and not more else fc.inventory_data(more)
            wait = self.transport.timeout + (held if not more else 0.0)
            resp = self._call(fc.CMD_ISO, data, "inventory", wait)
            if resp.status == fc.NO_TRANSPONDER:
                return found
            if resp.status not in (fc.OK, fc.MORE_DATA):
                raise fc.status_error(resp.status, resp.data, None)
            try:
                entries = fc.parse_inventory(resp.data)
            except ValueError as exc:
                raise DeviceProtocolError(f"FEIG inventory: {exc}") from None
            for entry in entries:
                uid = uid_text(entry.uid)
                if uid not in found:
                    found.append(uid)
            if resp.status == fc.OK:
                return found
            more = True

    def read_blocks(self, uid: str, first: int, count: int) -> bytes:
        """Blocks in tag order (un-reversed), at most 32 per request."""
        check_block_range(first, count)
        raw, out = uid_bytes(uid), bytearray()
        for start in range(first, first + count, fc.MAX_BLOCKS_PER_READ):
            n = min(fc.MAX_BLOCKS_PER_READ, first + count - start)
            resp = self._tag_call(
                fc.CMD_ISO, fc.read_multiple_data(raw, start, n), normalise_uid(uid), "read blocks"
            )
            try:
                size, data = fc.parse_read_multiple(resp.data)
            except ValueError as exc:
                raise DeviceProtocolError(f"FEIG read blocks: {exc}") from None
            if size != BLOCK_SIZE or len(data) != n * BLOCK_SIZE:
                raise DeviceProtocolError(f"FEIG read blocks: {len(data)} bytes in blocks of {size}")
            out += data
        return bytes(out)

    def write_blocks(self, uid: str, first: int, data: bytes) -> None:
        """Write whole 4-byte blocks (reversed on the wire), at most 32 per request."""
        if not data or len(data) % BLOCK_SIZE:
            raise ValueError(f"{len(data)} bytes are not whole blocks of {BLOCK_SIZE}")
        count = len(data) // BLOCK_SIZE
        check_block_range(first, count)
        raw = uid_bytes(uid)
        for start in range(first, first + count, fc.MAX_BLOCKS_PER_READ):
            n = min(fc.MAX_BLOCKS_PER_READ, first + count - start)
            chunk = data[(start - first) * BLOCK_SIZE : (start - first + n) * BLOCK_SIZE]
            self._tag_call(
                fc.CMD_ISO,
                fc.write_multiple_data(raw, start, chunk, BLOCK_SIZE),
                normalise_uid(uid),
                "write blocks",
            )

    def system_info(self, uid: str) -> SystemInfo:
        """Get System Information ``[0x2B]``."""
        resp = self._tag_call(
            fc.CMD_ISO, fc.system_info_data(uid_bytes(uid)), normalise_uid(uid), "system information"
        )
        try:
            dsfid, raw_uid, afi, block_size, blocks, ic_ref = fc.parse_system_info(resp.data)
        except ValueError as exc:
            raise DeviceProtocolError(f"FEIG system information: {exc}") from None
        if raw_uid != uid_bytes(uid):
            raise DeviceProtocolError(f"FEIG system information for {uid_text(raw_uid)}, asked {uid}")
        return SystemInfo(uid_text(raw_uid), dsfid, afi, block_size, blocks, ic_ref)

    def write_afi(self, uid: str, value: int) -> None:
        """Write AFI ``[0x27]`` (addressed)."""
        check_byte("AFI", value)
        self._tag_call(fc.CMD_ISO, fc.write_afi_data(uid_bytes(uid), value), normalise_uid(uid), "write AFI")

    def set_eas(self, uid: str, on: bool) -> None:
        """NXP Set / Reset EAS through ``[0xB1]``."""
        command = fc.NXP_SET_EAS if on else fc.NXP_RESET_EAS
        self._tag_call(
            fc.CMD_CUSTOM,
            fc.nxp_data(command, uid_bytes(uid)),
            normalise_uid(uid),
            "set EAS" if on else "reset EAS",
        )

    def eas_alarm(self, uid: str) -> bool:
        """NXP EAS Alarm: status 0x00 = the bit is set; 0x01 (no answer) = clear or tag gone."""
        resp = self._call(fc.CMD_CUSTOM, fc.nxp_data(fc.NXP_EAS_ALARM, uid_bytes(uid)), "EAS alarm")
        if resp.status == fc.NO_TRANSPONDER:
            return False
        if resp.status != fc.OK:
            raise fc.status_error(resp.status, resp.data, normalise_uid(uid))
        return True
