"""ZVT commands and replies as values: builders for what either side sends, parsers for what it receives.

Sans-IO. Layouts from PA00P015 (Commands, Bitmaps, Error Messages) chapters 2-3; see docs/payment.md.
The Status-Information (``04 0F``), the one message with card data in it, has its own module:
:mod:`drivers.payment.status_information`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.errors import DeviceProtocolError
from drivers.payment.codec import Apdu
from drivers.payment.fields import (
    Bitmaps,
    bcd_decode,
    bcd_encode,
    bcd_text,
    encode_bmp,
    encode_tlv,
    find_tlv,
    parse_bitmaps,
    parse_tlv,
    password_bcd,
    var_length_prefix,
    walk_tlv,
)

log = logging.getLogger(__name__)

# Command bytes (CLASS INSTR).
REGISTRATION = b"\x06\x00"
AUTHORIZATION = b"\x06\x01"
LOG_OFF = b"\x06\x02"
COMPLETION = b"\x06\x0f"
ABORT_FROM_PT = b"\x06\x1e"
REPEAT_RECEIPT = b"\x06\x20"
REVERSAL = b"\x06\x30"
END_OF_DAY = b"\x06\x50"
ABORT_REQUEST = b"\x06\xb0"
PRINT_LINE = b"\x06\xd1"
TEXT_BLOCK = b"\x06\xd3"
STATUS_ENQUIRY = b"\x05\x01"
STATUS_INFORMATION = b"\x04\x0f"
INTERMEDIATE_STATUS = b"\x04\xff"

EUR = 978
TEXT_ENCODING = "cp437"  # the character set ZVT terminals print with

# Config byte of Registration (P015 §2.1, Table 1): the kiosk prints payment and administration receipts
# (02, 04) that arrive as Print Lines (80), wants Intermediate Status (08) for its screen, and blocks
# amount entry (10) and administration (20) on the unattended terminal.
CONFIG_KIOSK = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x80

# Result codes (P015 chapter 10) the driver acts on.
RESULT_OK = 0x00
RESULT_DECLINED = 0x05
RESULT_ABORT = 0x6C  # abort by timeout or abort key
RESULT_PLEASE_WAIT = 0x9C
RESULT_ALREADY_REVERSED = 0xB4
RESULT_REVERSAL_IMPOSSIBLE = 0xB5
RESULT_PRINTER_NOT_READY = 0xCC
RESULT_SYSTEM_ERROR = 0xFF
# The code the kiosk answers an approved 04 0F with to make the terminal reverse it (84 yy, yy ≠ 00, 9C).
RESULT_ECR_REFUSES = 0x6C


# --- builders: ECR → PT -------------------------------------------------------------------------------


def ack_apdu() -> Apdu:
    """``80 00 00``: positive answer (to a command, a Status-Information, a Print Line, a Completion)."""
    return Apdu(0x80, 0x00)


def negative_apdu(code: int, data: bytes = b"") -> Apdu:
    """``84 xx``: negative answer; to an approved 04 0F in vending mode it makes the terminal reverse."""
    return Apdu(0x84, code, data)


def ask_again_apdu() -> Apdu:
    """``84 9C 00``: "ask again" (vending mode, P015 §2.2.6); the terminal repeats its 04 0F."""
    return Apdu(0x84, RESULT_PLEASE_WAIT)


def registration(password: str, config: int = CONFIG_KIOSK, currency: int | None = EUR) -> Apdu:
    """``06 00 <pw> <config> [<CC>]``: log on and set what the terminal sends (V6)."""
    data = password_bcd(password) + bytes((config,))
    if currency is not None:
        data += bcd_encode(currency, 2)  # "CC" without BMP tag, directly after the config byte
    return Apdu(0x06, 0x00, data)


def authorization(
    amount_cents: int,
    currency: int | None = EUR,
    vending_timeout: int | None = None,
    max_status_infos: int | None = None,
) -> Apdu:
    """``06 01 04<amount> [49<CC>] [01<timeout>] [02<max SI>]`` (V10, V13).

    ``vending_timeout``/``max_status_infos`` switch on issue-of-goods: the terminal waits that many
    seconds for the kiosk's answer to the approved 04 0F and lets it ask "again" that often. The kiosk
    never sends BMP 1F70, so no terminal offers it a partial approval.
    """
    if not 0 < amount_cents < 10**12:
        raise ValueError("amount must be 1..999999999999 cents")
    data = encode_bmp(0x04, bcd_encode(amount_cents, 6))
    if currency is not None:
        data += encode_bmp(0x49, bcd_encode(currency, 2))
    if vending_timeout is not None:
        data += encode_bmp(0x01, bytes((min(max(vending_timeout, 1), 255),)))
    if max_status_infos is not None:
        data += encode_bmp(0x02, bytes((min(max(max_status_infos, 1), 255),)))
    return Apdu(0x06, 0x01, data)


def reversal(password: str, receipt_no: int, amount_cents: int | None = None) -> Apdu:
    """``06 30 <pw> 87<receipt> [04<amount>]`` (V23)."""
    data = password_bcd(password) + encode_bmp(0x87, bcd_encode(receipt_no, 2))
    if amount_cents is not None:
        data += encode_bmp(0x04, bcd_encode(amount_cents, 6))
    return Apdu(0x06, 0x30, data)


def repeat_receipt(password: str, resend_status_information: bool = True) -> Apdu:
    """``06 20 <pw> [03 01]``: service byte bit 0 makes the terminal resend the last 04 0F (recovery)."""
    data = password_bcd(password)
    if resend_status_information:
        data += encode_bmp(0x03, b"\x01")
    return Apdu(0x06, 0x20, data)


def end_of_day(password: str) -> Apdu:
    """``06 50 <pw>`` (V24)."""
    return Apdu(0x06, 0x50, password_bcd(password))


def status_enquiry(password: str | None) -> Apdu:
    """``05 01 [<pw>]`` (V3)."""
    return Apdu(0x05, 0x01, password_bcd(password) if password else b"")


def log_off() -> Apdu:
    """``06 02 00``: Log-Off; the terminal resets its config byte to 86."""
    return Apdu(0x06, 0x02)


def abort_request() -> Apdu:
    """``06 B0 00``: ask the terminal to abort (a request; the terminal may refuse or be too late)."""
    return Apdu(0x06, 0xB0)


# --- builders: PT → ECR (the simulator) --------------------------------------------------------------


def intermediate_status(code: int, t4_minutes: int | None = None) -> Apdu:
    """``04 FF <status> [<T4 minutes>]`` (V21)."""
    return Apdu(0x04, 0xFF, bytes((code,)) + (bytes((t4_minutes,)) if t4_minutes is not None else b""))


def print_line(text: str, last: bool = False) -> Apdu:
    """``06 D1 <attr> <text>``; attribute bit 8 marks the last line (V22)."""
    return Apdu(0x06, 0xD1, bytes((0x80 if last else 0x00,)) + text.encode(TEXT_ENCODING, "replace"))


def abort_from_terminal(result: int, receipt_no: int | None = None) -> Apdu:
    """``06 1E <result> [87<receipt>]`` (V20, V25)."""
    extra = encode_bmp(0x87, bcd_encode(receipt_no, 2)) if receipt_no is not None else b""
    return Apdu(0x06, 0x1E, bytes((result,)) + extra)


def completion(tid: str | None = None, status: int | None = None, sw_version: str | None = None) -> Apdu:
    """``06 0F``: empty (V19), after Registration ``19 <status> 29 <tid> 49 0978`` (V9), after Status
    Enquiry ``<sw LLL> <terminal status>`` (V2)."""
    if sw_version is not None:
        raw = sw_version.encode("ascii", "replace")
        return Apdu(0x06, 0x0F, var_length_prefix(len(raw), 3) + raw + bytes((status or 0,)))
    data = b""
    if status is not None:
        data += encode_bmp(0x19, bytes((status,)))
    if tid is not None:
        data += encode_bmp(0x29, bytes.fromhex(tid)) + encode_bmp(0x49, bcd_encode(EUR, 2))
    return Apdu(0x06, 0x0F, data)


# --- parsers ------------------------------------------------------------------------------------------


def decode_text(value: bytes) -> str:
    """A text field as the terminal sent it: code page 437, NUL padding and blanks removed."""
    return value.rstrip(b"\x00").decode(TEXT_ENCODING, "replace").strip()


@dataclass(frozen=True)
class AbortInfo:
    """A ``06 1E`` from the terminal: result code, optional receipt number and extended error text."""

    result_code: int
    receipt_no: int | None = None
    error_text: str | None = None


def parse_abort(data: bytes) -> AbortInfo:
    """Parse the data of ``06 1E`` (V20, V25)."""
    if not data:
        raise DeviceProtocolError("06 1E without result code")
    bmps = parse_bitmaps(data[1:], lenient=True)
    receipt = bmps.get(0x87)
    receipt_no = None
    if receipt is not None and receipt.hex().isdigit():  # FFFF means "none" (V25)
        receipt_no = bcd_decode(receipt)
    text = None
    if (tlv := bmps.get(0x06)) is not None:
        try:  # the extended error text is a detail: an unreadable one never hides the abort itself
            t = find_tlv(parse_tlv(tlv), 0x1F17)
        except DeviceProtocolError as exc:
            log.warning("06 1E: TLV container unreadable (%s), skipped", exc)
            t = None
        text = decode_text(t.value) if t is not None else None
    return AbortInfo(data[0], receipt_no, text)


def parse_intermediate_status(data: bytes) -> tuple[int, int | None]:
    """``04 FF`` → ``(status code, new T4 in minutes or None)`` (V21)."""
    if not data:
        raise DeviceProtocolError("04 FF without status code")
    t4 = data[1] if len(data) >= 2 and data[1] != 0x06 else None
    return data[0], t4


def parse_print_line(data: bytes) -> tuple[str, bool]:
    """``06 D1 <attr> <text>`` → ``(text, is last line)`` (V22)."""
    if not data:
        raise DeviceProtocolError("06 D1 without attribute")
    return data[1:].decode(TEXT_ENCODING, "replace").rstrip(), bool(data[0] & 0x80)


def parse_text_block(data: bytes) -> list[str]:
    """``06 D3 06<TLV 25 {07 line}*>`` → the lines of a Text-Block."""
    bmps = parse_bitmaps(data, lenient=True)
    tlv = bmps.get(0x06)
    if tlv is None:
        return []
    return [decode_text(t.value) for t in walk_tlv(parse_tlv(tlv)) if t.tag == 0x07]


@dataclass(frozen=True)
class CompletionInfo:
    """A ``06 0F``: terminal id and status after Registration, software version after Status Enquiry."""

    tid: str | None = None
    status: int | None = None
    sw_version: str | None = None


def parse_completion(data: bytes) -> CompletionInfo:
    """Parse ``06 0F`` in either of its forms (V2, V5, V9, V19)."""
    if data and data[0] >> 4 == 0xF:  # LLLVAR software version, then the terminal status byte
        if len(data) < 3:
            raise DeviceProtocolError("06 0F software version cut off")
        digits = [b & 0x0F for b in data[:3]]
        if any(b >> 4 != 0xF for b in data[:3]) or any(d > 9 for d in digits):
            raise DeviceProtocolError("bad length in 06 0F software version")
        n = digits[0] * 100 + digits[1] * 10 + digits[2]
        if len(data) < 3 + n + 1:
            raise DeviceProtocolError("06 0F without terminal status")
        return CompletionInfo(sw_version=decode_text(data[3 : 3 + n]), status=data[3 + n])
    bmps: Bitmaps = parse_bitmaps(data, lenient=True)
    tid = bmps.get(0x29)
    status = bmps.get(0x19)
    return CompletionInfo(
        tid=bcd_text(tid) if tid is not None else None, status=status[0] if status is not None else None
    )


def tlv_permitted_commands(commands: list[bytes], msg_seq: int | None = None) -> bytes:
    """BMP 06 value with TLV 26 (list of permitted ZVT commands) and optional 1F73 (V26)."""
    inner = b"".join(encode_tlv(0x0A, c) for c in commands)
    out = bytes((0x26,)) + bytes((len(inner),)) + inner
    if msg_seq is not None:
        out += encode_tlv(0x1F73, msg_seq.to_bytes(3, "big"))
    return out
