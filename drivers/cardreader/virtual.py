"""A virtual library pass for the vsmartcard ``vpcd`` reader driver: tests, benchmarks, technicians.

vpcd (a pcscd driver) listens on TCP; a "card" connects to insert itself and disconnects to be removed.
Protocol (vsmartcard vpcd; notes/test-infra.md §2): every message is a 2-byte big-endian length and a
payload. A 1-byte payload is a control message — ``00`` power off, ``01`` power on, ``02`` reset,
``04`` ATR request (only ``04`` is answered, with the ATR). Longer payloads are command APDUs, answered
with response data + SW1 SW2.

The card answers like a contactless library pass behind a PC/SC Part 3 reader:

* ``FF CA 00 00 00`` (GET DATA, UID) → the UID + ``90 00``; other ``FF CA`` → ``6A 81``;
* ``FF B0 00 pp Le`` (READ BINARY, page ``pp`` of a Type 2 tag) → the memory + ``90 00``;
* anything else → ``6D 00`` (instruction not supported).

vpcd sends length and APDU as two segments, so Nagle plus delayed ACK would stall every APDU by about
40 ms: the socket sets ``TCP_NODELAY`` and re-arms ``TCP_QUICKACK`` after every ``recv``.

Run ``python -m drivers.cardreader.virtual --pass 2…`` to put a pass on the virtual reader by hand.
"""

from __future__ import annotations

import argparse
import socket
import threading
from dataclasses import dataclass

from drivers.cardreader.ndef import text_record, type2_memory
from drivers.errors import DeviceConnectionError

VPCD_PORT = 35963  # reader "Virtual PCD 00 00"; reader 00 01 listens on the next port
# PC/SC Part 3 ATR of a contactless storage card, standard 03 (ISO 14443 A part 3), card name 0001
# (MIFARE Classic 1K) / 0003 (MIFARE Ultralight, a Type 2 tag).
ATR_MIFARE_1K = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
ATR_ULTRALIGHT = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")
SW_OK, SW_WRONG_P1P2, SW_INS_NOT_SUPPORTED = b"\x90\x00", b"\x6a\x81", b"\x6d\x00"
SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"


@dataclass(frozen=True)
class VirtualCardSpec:
    """What the virtual card is: its UID (``None`` = answers no UID), ATR and optional NDEF text."""

    uid: bytes | None = bytes.fromhex("04A1B2C3D4E580")
    atr: bytes = ATR_ULTRALIGHT
    ndef_text: str | None = None
    broken: bool = False  # answers every APDU with 6F 00: an unreadable card


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        data += chunk
        _quickack(sock)
    return data


def _quickack(sock: socket.socket) -> None:
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
        except OSError:
            pass


class VirtualPass:
    """A library pass on a vpcd reader slot: :meth:`insert` it, :meth:`remove` it, insert it again."""

    def __init__(self, spec: VirtualCardSpec | None = None, slot: int = 0, host: str = "127.0.0.1") -> None:
        self.spec = spec or VirtualCardSpec()
        self.slot = slot
        self.host = host
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._memory = type2_memory(
            self.spec.uid or b"", text_record(self.spec.ndef_text) if self.spec.ndef_text else None
        )
        self.apdu_count = 0

    @property
    def inserted(self) -> bool:
        """Whether the card is on the reader (connected to vpcd)."""
        return self._sock is not None

    def insert(self, timeout: float = 5.0) -> None:
        """Put the card on the reader (connect to vpcd). Raises DeviceConnectionError if vpcd is absent."""
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, VPCD_PORT + self.slot), timeout=timeout)
        except OSError as exc:
            raise DeviceConnectionError(
                f"vpcd is not listening on port {VPCD_PORT + self.slot}: {exc}"
            ) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _quickack(sock)
        sock.settimeout(None)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="virtual-pass", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Take the card off the reader (disconnect from vpcd)."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def answer(self, apdu: bytes) -> bytes:
        """The card's answer to one command APDU (pure, for unit tests)."""
        self.apdu_count += 1
        if self.spec.broken:
            return SW_NO_PRECISE_DIAGNOSIS
        if len(apdu) >= 4 and apdu[0] == 0xFF and apdu[1] == 0xCA:
            if apdu[2:4] == b"\x00\x00" and self.spec.uid is not None:
                return self.spec.uid + SW_OK
            return SW_WRONG_P1P2
        if len(apdu) == 5 and apdu[0] == 0xFF and apdu[1] == 0xB0:
            start = apdu[3] * 4
            length = apdu[4] or 16
            if start + length > len(self._memory):
                return SW_WRONG_P1P2
            return self._memory[start : start + length] + SW_OK
        return SW_INS_NOT_SUPPORTED

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                length = int.from_bytes(_recv_exact(sock, 2), "big")
                payload = _recv_exact(sock, length)
                if length == 1:
                    if payload[0] == 0x04:  # ATR request; power on/off/reset need no answer
                        reply = self.spec.atr
                    else:
                        continue
                else:
                    reply = self.answer(payload)
                sock.sendall(len(reply).to_bytes(2, "big") + reply)
        except (OSError, ConnectionError):
            return  # removed, or vpcd went away (pcscd stopped)

    def __enter__(self) -> VirtualPass:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def main(argv: list[str] | None = None) -> int:
    """Hold a virtual pass on the vpcd reader until Enter is pressed (for technicians)."""
    parser = argparse.ArgumentParser(description="Put a virtual library pass on the vpcd reader.")
    parser.add_argument("--uid", default="04A1B2C3D4E580", help="card UID in hex")
    parser.add_argument("--pass", dest="pass_number", default=None, help="pass number as NDEF text")
    parser.add_argument("--slot", type=int, default=0, help="vpcd reader slot (0 or 1)")
    args = parser.parse_args(argv)
    card = VirtualPass(
        VirtualCardSpec(uid=bytes.fromhex(args.uid), ndef_text=args.pass_number), slot=args.slot
    )
    card.insert()
    try:
        input("card on the reader; press Enter to remove it ")
    finally:
        card.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
