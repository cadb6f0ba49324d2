"""NDEF on NFC Forum Type 2 tags: just enough to read (and, for the virtual pass, write) a text record.

A library that writes the pass number onto the card does so as an NDEF *text* record. On a Type 2 tag
(MIFARE Ultralight / NTAG) the NDEF message sits in a TLV from page 4 on:

    "NDEF Message TLV: T = 03h, L = length (1 byte, or FFh + 2 bytes), V = the NDEF message;
     Terminator TLV: FEh; NULL TLV: 00h"                      (NFC Forum Type 2 Tag spec, §2.3)

and a text record is ``header, type length 1, payload length, "T", status byte, language, text`` where the
status byte's bit 7 selects UTF-16 and bits 5..0 give the language code length (NFC Forum RTD Text §3.2.1).
"""

from __future__ import annotations

from drivers.errors import NdefError as NdefError  # re-export

TLV_NULL, TLV_NDEF, TLV_TERMINATOR = 0x00, 0x03, 0xFE
PAGE_SIZE = 4
FIRST_DATA_PAGE = 4

# Record header bits (NDEF spec §3.2): MB, ME, CF, SR, IL, then TNF in the low 3 bits.
_MB, _ME, _SR, _IL = 0x80, 0x40, 0x10, 0x08
_TNF_WELL_KNOWN = 0x01


def text_record(text: str, language: str = "nl") -> bytes:
    """One short NDEF message holding a single UTF-8 text record."""
    lang = language.encode("ascii")
    payload = bytes([len(lang)]) + lang + text.encode("utf-8")
    if len(payload) > 255:
        raise NdefError("text too long for a short record")
    return bytes([_MB | _ME | _SR | _TNF_WELL_KNOWN, 1, len(payload)]) + b"T" + payload


def type2_memory(uid: bytes, message: bytes | None, pages: int = 45) -> bytes:
    """Type 2 tag memory (NTAG213-sized by default) holding ``message`` in an NDEF TLV from page 4."""
    header = bytearray(16)
    header[0 : min(len(uid), 9)] = uid[:9]
    # Capability container (page 3): magic E1, version 1.0, data area size / 8, read/write access.
    data_size = (pages - FIRST_DATA_PAGE) * PAGE_SIZE
    header[12:16] = bytes([0xE1, 0x10, data_size // 8, 0x00])
    body = b""
    if message is not None:
        length = len(message)
        body = (
            bytes([TLV_NDEF, length])
            if length < 0xFF
            else bytes([TLV_NDEF, 0xFF]) + length.to_bytes(2, "big")
        )
        body += message + bytes([TLV_TERMINATOR])
    if len(body) > data_size:
        raise NdefError("NDEF message does not fit the tag")
    return bytes(header) + body + bytes(data_size - len(body))


def find_ndef_message(data: bytes) -> bytes | None:
    """Walk the TLVs of a Type 2 data area (memory from page 4) and return the first NDEF message."""
    i = 0
    while i < len(data):
        tag = data[i]
        if tag == TLV_NULL:
            i += 1
            continue
        if tag == TLV_TERMINATOR:
            return None
        if i + 1 >= len(data):
            raise NdefError("TLV length missing")
        length = data[i + 1]
        i += 2
        if length == 0xFF:
            if i + 2 > len(data):
                raise NdefError("TLV length missing")
            length = int.from_bytes(data[i : i + 2], "big")
            i += 2
        if i + length > len(data):
            raise NdefError("TLV runs past the end of the tag")
        if tag == TLV_NDEF:
            return data[i : i + length]
        i += length
    return None


def ndef_text_records(message: bytes) -> list[str]:
    """Decode every text record of an NDEF message (other record types are skipped)."""
    texts: list[str] = []
    i = 0
    while i < len(message):
        if i + 3 > len(message):
            raise NdefError("record header truncated")
        header, type_length = message[i], message[i + 1]
        i += 2
        if header & _SR:
            payload_length = message[i]
            i += 1
        else:
            if i + 4 > len(message):
                raise NdefError("record length truncated")
            payload_length = int.from_bytes(message[i : i + 4], "big")
            i += 4
        id_length = 0
        if header & _IL:
            id_length = message[i]
            i += 1
        record_type = message[i : i + type_length]
        i += type_length + id_length
        payload = message[i : i + payload_length]
        if len(payload) != payload_length:
            raise NdefError("record payload truncated")
        i += payload_length
        if header & 0x07 == _TNF_WELL_KNOWN and record_type == b"T" and payload:
            status = payload[0]
            lang_length = status & 0x3F
            encoding = "utf-16" if status & 0x80 else "utf-8"
            try:
                texts.append(payload[1 + lang_length :].decode(encoding))
            except UnicodeDecodeError as exc:
                raise NdefError("text record is not valid text") from exc
        if header & _ME:
            break
    return texts
