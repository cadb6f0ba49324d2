"""The PC/SC pass reader: watches readers through pcscd and turns cards into pass events.

One background thread blocks in ``SCardGetStatusChange`` on every matching reader plus the PnP
pseudo-reader ``\\\\?PnP?\\Notification`` (so readers plugged in later are picked up). Events go to the
callback on that thread. What it survives, and how:

* a reader unplugged / plugged back: the reader's state turns UNKNOWN/UNAVAILABLE or the PnP entry
  changes; the list is re-read and ReaderDetached / ReaderAttached are sent;
* pcscd stopped or restarted: calls fail with SCARD_E_NO_SERVICE / SERVICE_STOPPED; the context is
  dropped and re-established with a back-off until the daemon is back;
* a card left on the reader: one PassRead per presence, however long it lies there. Presence is
  remembered across a daemon restart: the same card still lying there afterwards is not reported again.

Stopping cancels the blocked call with ``SCardCancel`` (pcscd must still be running then).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from drivers.cardreader.events import (
    EventCallback,
    ForeignCardRead,
    PassRead,
    PassRemoved,
    ReaderAttached,
    ReaderDetached,
    ReaderEvent,
    short_hash,
)
from drivers.cardreader.mapping import Mapped, PassMapping
from drivers.cardreader.ndef import find_ndef_message, ndef_text_records
from drivers.errors import DeviceConfigurationError, DeviceConnectionError

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]  # PC/SC Part 3 §3.2.2.1.3 GET DATA, P1=00: UID
# PC/SC Part 3 storage-card ATRs carry the registered application provider id of PC/SC: A0 00 00 03 06.
_PCSC_STORAGE_RID = bytes.fromhex("A000000306")
_MAX_NDEF_PAGES = 231  # NTAG216, the largest common Type 2 tag


def import_scard() -> ModuleType:
    """Import pyscard's low-level module, or say what to install."""
    try:
        from smartcard import scard
    except ImportError as exc:
        raise DeviceConfigurationError(
            "the PC/SC pass reader needs pyscard: pip install pyscard==2.3.1 (building it needs "
            "libpcsclite-dev, gcc and pkg-config) and the pcscd service (apt-get install pcscd)"
        ) from exc
    return scard  # type: ignore[no-any-return]


def list_readers() -> list[str]:
    """Names of the PC/SC readers pcscd knows. Raises DeviceConnectionError if pcscd is not running."""
    scard = import_scard()
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise DeviceConnectionError(f"PC/SC service unavailable: {scard.SCardGetErrorMessage(hresult)}")
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise DeviceConnectionError(f"listing readers failed: {scard.SCardGetErrorMessage(hresult)}")
        return list(readers)
    finally:
        scard.SCardReleaseContext(context)


class PcscPassReader:
    """Watches the PC/SC readers whose name contains ``name_filter`` (all readers if empty)."""

    def __init__(
        self,
        name_filter: str,
        mapping: PassMapping,
        on_event: EventCallback,
        storage_cards_only: bool = False,
        poll_timeout: float = 1.0,
    ) -> None:
        self._scard = import_scard()
        self.name_filter = name_filter
        self.mapping = mapping
        self._on_event = on_event
        self._storage_only = storage_cards_only
        self._timeout_ms = int(poll_timeout * 1000)
        self._stop = threading.Event()
        self._context: Any = None
        self._lock = threading.Lock()
        self._attached: set[str] = set()
        self._state: dict[str, int] = {}
        # reader → identity of the card lying on it (a hash of ATR + UID), kept across daemon restarts
        self._present: dict[str, str] = {}
        self._pnp_state = 0
        self._service_down_reported = False
        self._thread = threading.Thread(target=self._run, name="pcsc-pass-reader", daemon=True)
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop watching: cancel the blocked PC/SC call and wait for the thread."""
        self._stop.set()
        with self._lock:
            if self._context is not None:
                self._scard.SCardCancel(self._context)
        if threading.current_thread() is not self._thread:  # close() may be called from a callback
            self._thread.join(timeout=5.0)
            self._release_context()

    def __enter__(self) -> PcscPassReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def readers(self) -> list[str]:
        """The matching readers currently attached."""
        return sorted(self._attached)

    # -- thread ------------------------------------------------------------------------------------

    def _emit(self, event: ReaderEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # the consumer's bug must not kill the reader thread
            log.exception("pass reader event callback failed on %s", type(event).__name__)

    def _release_context(self) -> None:
        with self._lock:
            context, self._context = self._context, None
        if context is not None:
            self._scard.SCardReleaseContext(context)

    def _service_lost(self, hresult: int) -> None:
        self._release_context()
        for reader in sorted(self._attached):
            self._emit(ReaderDetached(reader, "PC/SC service stopped"))
        self._attached.clear()
        self._state.clear()
        self._pnp_state = 0
        if not self._service_down_reported:
            log.warning("PC/SC service unavailable (%s); retrying", self._scard.SCardGetErrorMessage(hresult))
            self._service_down_reported = True

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            if self._stop.is_set():
                self._release_context()

    def _loop(self) -> None:
        scard = self._scard
        backoff = 0.1
        while not self._stop.is_set():
            if self._context is None:
                hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if hresult != scard.SCARD_S_SUCCESS:
                    self._service_lost(hresult)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                with self._lock:
                    self._context = context
                if self._service_down_reported:
                    log.info("PC/SC service available again")
                self._service_down_reported = False
                backoff = 0.1
            try:
                self._watch_once()
            except Exception:  # never let the thread die: log (no card data) and start over
                log.exception("pass reader loop failed; reconnecting")
                self._release_context()
                self._stop.wait(0.5)

    def _refresh_readers(self) -> bool:
        """Re-read the reader list; returns False if the service went away."""
        scard = self._scard
        hresult, names = scard.SCardListReaders(self._context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif hresult != scard.SCARD_S_SUCCESS:
            self._service_lost(hresult)
            return False
        matching = {n for n in names if self.name_filter.lower() in n.lower()}
        for gone in sorted(self._attached - matching):
            self._attached.discard(gone)
            self._state.pop(gone, None)
            if self._present.pop(gone, None) is not None:
                self._emit(PassRemoved(gone))
            self._emit(ReaderDetached(gone, "reader unplugged"))
        for new in sorted(matching - self._attached):
            self._attached.add(new)
            self._emit(ReaderAttached(new))
        return True

    def _watch_once(self) -> None:
        scard = self._scard
        if not self._refresh_readers():
            return
        states = [(r, self._state.get(r, scard.SCARD_STATE_UNAWARE)) for r in sorted(self._attached)]
        states.append((PNP_READER, self._pnp_state))
        hresult, new_states = scard.SCardGetStatusChange(self._context, self._timeout_ms, states)
        if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
            return
        if hresult == scard.SCARD_E_UNKNOWN_READER:
            # a reader vanished between listing and waiting (or PnP is not supported): list again,
            # after a pause so that a daemon without PnP cannot make this loop spin
            self._stop.wait(0.05)
            return
        if hresult != scard.SCARD_S_SUCCESS:
            self._service_lost(hresult)
            self._stop.wait(0.1)
            return
        for name, event_state, atr in new_states:
            if name == PNP_READER:
                self._pnp_state = event_state & ~scard.SCARD_STATE_CHANGED
                continue
            if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                continue  # the reader went away; the next _refresh_readers reports it
            self._state[name] = event_state & ~scard.SCARD_STATE_CHANGED
            self._reader_state(name, event_state, bytes(atr))

    def _reader_state(self, reader: str, state: int, atr: bytes) -> None:
        scard = self._scard
        if state & scard.SCARD_STATE_EMPTY:
            if self._present.pop(reader, None) is not None:
                self._emit(PassRemoved(reader))
            return
        if not state & scard.SCARD_STATE_PRESENT:
            return
        if state & scard.SCARD_STATE_MUTE:
            identity = "mute:" + atr.hex()
            if self._present.get(reader) != identity:
                self._present[reader] = identity
                self._emit(ForeignCardRead("the card does not respond", reader))
            return
        event, uid = self._read_card(reader, atr)
        identity = f"atr:{atr.hex()}:{short_hash(uid or b'')}"
        if self._present.get(reader) == identity:
            return  # the same card still lying there (e.g. after a daemon restart): no repeat
        if reader in self._present:
            self._emit(PassRemoved(reader))  # another card took its place while nobody was looking
        self._present[reader] = identity
        self._emit(event)

    # -- card --------------------------------------------------------------------------------------

    def _read_card(self, reader: str, atr: bytes) -> tuple[ReaderEvent, bytes | None]:
        scard = self._scard
        if not atr:
            return ForeignCardRead("the card gave no ATR", reader), None
        if self._storage_only and _PCSC_STORAGE_RID not in atr:
            return ForeignCardRead("unknown card type (not a contactless storage card)", reader), None
        hresult, card, protocol = scard.SCardConnect(
            self._context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
            return ForeignCardRead("the card was taken away before it could be read", reader), None
        if hresult != scard.SCARD_S_SUCCESS:
            return ForeignCardRead("the card could not be read", reader), None
        pci = scard.SCARD_PCI_T1 if protocol == scard.SCARD_PROTOCOL_T1 else scard.SCARD_PCI_T0

        def transmit(apdu: list[int]) -> tuple[bytes, int]:
            hresult, response = scard.SCardTransmit(card, pci, apdu)
            if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
                raise DeviceConnectionError("transmit failed")
            return bytes(response[:-2]), (response[-2] << 8) | response[-1]

        try:
            uid: bytes | None = None
            try:
                data, sw = transmit(GET_UID)
                uid = data if sw == 0x9000 and data else None
            except DeviceConnectionError:
                return ForeignCardRead("the card could not be read", reader), None
            result = self.mapping.map_card(uid, lambda: read_ndef_text(transmit))
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        if isinstance(result, Mapped):
            log.info("pass %s presented on %s (rule %s)", short_hash(result.number), reader, result.rule)
            return PassRead(result.number, reader, result.rule, result.check), uid
        log.info("card on %s is not a pass: %s", reader, result.reason)
        return ForeignCardRead(result.reason, reader), uid


def read_ndef_text(transmit: Callable[[list[int]], tuple[bytes, int]]) -> str | None:
    """Read the first NDEF text record of a Type 2 tag with PC/SC Part 3 READ BINARY (4 pages a time)."""
    data = b""
    page = 4
    needed = 16
    while len(data) < needed and page < _MAX_NDEF_PAGES:
        chunk, sw = transmit([0xFF, 0xB0, 0x00, page, 0x10])
        if sw != 0x9000 or not chunk:
            return None  # not a Type 2 tag (or a protected one): no NDEF here
        data += chunk
        page += len(chunk) // 4 or 1
        needed = _tlv_bytes_needed(data)
    message = find_ndef_message(data)
    if message is None:
        return None
    texts = ndef_text_records(message)
    return texts[0].strip() if texts else None


def _tlv_bytes_needed(data: bytes) -> int:
    """How many bytes of the data area are needed to hold the first NDEF TLV (as far as known)."""
    i = 0
    while i < len(data):
        tag = data[i]
        if tag == 0x00:  # NULL TLV
            i += 1
            continue
        if tag == 0xFE:  # terminator: nothing more to read
            return len(data)
        if i + 2 > len(data):
            return i + 2
        length, header = data[i + 1], 2
        if length == 0xFF:
            if i + 4 > len(data):
                return i + 4
            length, header = int.from_bytes(data[i + 2 : i + 4], "big"), 4
        end = i + header + length
        if tag == 0x03:
            return end
        i = end  # lock / memory control TLVs come before the NDEF TLV: skip them
    return i + 1
