"""The Status-Information (``04 0F``): what the terminal says about a payment, parsed and built.

Sans-IO. Layout from PA00P015 §3.2 (BMPs in chapter 3); see docs/payment.md.
Privacy: :class:`StatusInformation` never keeps the masked PAN, only its last four digits for the
receipt line (and those are excluded from ``repr``); the raw ``04 0F`` is never kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from drivers.errors import DeviceProtocolError
from drivers.payment.codec import Apdu
from drivers.payment.fields import (
    bcd_decode,
    bcd_encode,
    bcd_text,
    encode_bmp,
    find_tlv,
    parse_bitmaps,
    parse_tlv,
)
from drivers.payment.messages import RESULT_OK, TEXT_ENCODING, decode_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusInformation:
    """The fields of a ``04 0F`` the kiosk uses (P015 §3.2). Never holds the PAN, track data or expiry."""

    result_code: int | None = None
    amount: int | None = None
    currency: int | None = None
    trace: int | None = None
    receipt_no: int | None = None
    turnover: int | None = None
    tid: str | None = None
    date: str | None = None  # "MM-DD" (BMP 0D has no year)
    time: str | None = None  # "HH:MM:SS"
    card_name: str | None = None
    card_type: int | None = None
    payment_type: int | None = None
    auth_attribute: str | None = None
    text: str | None = None
    long_trace: int | None = None
    #: A BMP we do not know (its length unknown) stopped the parsing here: the fields from it on were
    #: not read (issue 12: never a reason to refuse an approval; see payment_flow).
    unparsed: int | None = None
    # Last four digits of the masked PAN, for the receipt line only: never store or log (repr=False).
    pan_last4: str | None = field(default=None, repr=False)

    @property
    def approved(self) -> bool:
        """True if the terminal reports result 00."""
        return self.result_code == RESULT_OK

    def receipt_pan(self) -> str | None:
        """The card number as printed on a receipt: ``xxxxxxxxxxxx8074``."""
        return f"{'x' * 12}{self.pan_last4}" if self.pan_last4 else None


def _pan_last4(value: bytes) -> str | None:
    digits = value.hex().upper().rstrip("F")  # odd-length PANs are padded with nibble F
    tail = digits[-4:]
    return tail if len(tail) == 4 and tail.isdigit() else None


def parse_status_information(data: bytes) -> StatusInformation:
    """Parse the data of a ``04 0F``.

    A BMP we do not know ends what we can read (its length is unknown): the fields before it are kept
    and :attr:`StatusInformation.unparsed` names it. A TLV container (BMP 06) we cannot read is
    skipped the same way: it only ever adds details (long trace number), never the result or amount.
    Known fields that are malformed raise :class:`DeviceProtocolError`.
    """
    bmps = parse_bitmaps(data, lenient=True)
    kw: dict[str, object] = {"unparsed": bmps.unknown}
    if bmps.unknown is not None:
        log.warning("Status-Information: unknown BMP %02X, the rest of it is unparsed", bmps.unknown)
    simple = {0x27: "result_code", 0x8A: "card_type", 0x19: "payment_type"}
    for bmp, name in simple.items():
        v = bmps.get(bmp)
        if v is not None:
            kw[name] = v[0]
    numbers = {0x04: "amount", 0x49: "currency", 0x0B: "trace", 0x87: "receipt_no", 0x88: "turnover"}
    for bmp, name in numbers.items():
        v = bmps.get(bmp)
        if v is not None:
            kw[name] = bcd_decode(v)
    if (v := bmps.get(0x29)) is not None:
        kw["tid"] = bcd_text(v)
    if (v := bmps.get(0x0D)) is not None:
        d = bcd_text(v)
        kw["date"] = f"{d[:2]}-{d[2:]}"
    elif (v := bmps.get(0xAA)) is not None:  # YYMMDD: the same "MM-DD" as BMP 0D
        d = bcd_text(v)
        kw["date"] = f"{d[2:4]}-{d[4:]}"
    if (v := bmps.get(0x0C)) is not None:
        t = bcd_text(v)
        kw["time"] = f"{t[:2]}:{t[2:4]}:{t[4:]}"
    if (v := bmps.get(0x8B)) is not None:
        kw["card_name"] = decode_text(v)
    if (v := bmps.get(0x3B)) is not None:
        kw["auth_attribute"] = decode_text(v)
    if (v := bmps.get(0x3C)) is not None:
        kw["text"] = decode_text(v)
    if (v := bmps.get(0x22)) is not None:
        kw["pan_last4"] = _pan_last4(v)
    if (v := bmps.get(0x06)) is not None:
        try:
            long_trace = find_tlv(parse_tlv(v), 0x1F2B)
        except DeviceProtocolError as exc:
            log.warning("Status-Information: TLV container unreadable (%s), skipped", exc)
            long_trace = None
        if long_trace is not None and long_trace.value:
            kw["long_trace"] = int.from_bytes(long_trace.value, "big")
    return StatusInformation(**kw)  # type: ignore[arg-type]


def build_status_information(si: StatusInformation, masked_pan: str | None = None) -> Apdu:
    """Encode a ``04 0F`` (used by the simulator). ``masked_pan`` like ``559883EEEEEE8074``."""
    out = b""
    if si.result_code is not None:
        out += encode_bmp(0x27, bytes((si.result_code,)))
    if si.amount is not None:
        out += encode_bmp(0x04, bcd_encode(si.amount, 6))
    if si.currency is not None:
        out += encode_bmp(0x49, bcd_encode(si.currency, 2))
    if si.trace is not None:
        out += encode_bmp(0x0B, bcd_encode(si.trace, 3))
    if si.time is not None:
        out += encode_bmp(0x0C, bytes.fromhex(si.time.replace(":", "")))
    if si.date is not None:
        out += encode_bmp(0x0D, bytes.fromhex(si.date.replace("-", "")))
    if masked_pan is not None:
        out += encode_bmp(0x22, bytes.fromhex(masked_pan + ("F" if len(masked_pan) % 2 else "")))
    if si.tid is not None:
        out += encode_bmp(0x29, bytes.fromhex(si.tid))
    if si.receipt_no is not None:
        out += encode_bmp(0x87, bcd_encode(si.receipt_no, 2))
    if si.turnover is not None:
        out += encode_bmp(0x88, bcd_encode(si.turnover, 3))
    if si.payment_type is not None:
        out += encode_bmp(0x19, bytes((si.payment_type,)))
    if si.card_type is not None:
        out += encode_bmp(0x8A, bytes((si.card_type,)))
    if si.card_name is not None:
        out += encode_bmp(0x8B, si.card_name.encode(TEXT_ENCODING, "replace") + b"\x00")
    if si.text is not None:
        out += encode_bmp(0x3C, si.text.encode(TEXT_ENCODING, "replace"))
    return Apdu(0x04, 0x0F, out)
