"""Every complete test vector of notes/zvt.md §8 (V1-V26, V28; V27 is truncated in its source).

Framed vectors are checked three ways: our encoder reproduces them byte for byte, the whole-frame
decoder takes them (also with trailing data), and the incremental parser takes them byte by byte.
"""

from __future__ import annotations

import pytest

from drivers.errors import DeviceProtocolError
from drivers.payment import messages as m
from drivers.payment.codec import (
    Apdu,
    EventKind,
    FrameParser,
    crc16_kermit,
    decode_apdu,
    decode_frame,
    encode_apdu,
    encode_frame,
)
from drivers.payment.fields import parse_bitmaps, parse_tlv
from drivers.payment.status_information import parse_status_information


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (name, frame, APDU the frame carries)
FRAMED = [
    ("V2", "1002 060F0B F0F0F7322E31342E3135 00 1003 B111", "060F0B F0F0F7322E31342E3135 00"),
    ("V3", "1002 050103 123456 1003 E043", "050103 123456"),
    ("V4", "1002 800000 1003 F51F", "800000"),
    (
        "V5",
        "1002 060F15 F0F1F730363130323261204D2049435F20537464 00 1003 E451",
        "060F15 F0F1F730363130323261204D2049435F20537464 00",
    ),
    ("V6", "1002 060006 123456 BA 0978 1003 24C3", "060006 123456 BA 0978"),
    ("V9", "1002 060F0A 1900 2952523535 490978 1003 7440", "060F0A 1900 2952523535 490978"),
    ("V10", "1002 06010A 04000000001250 490978 1003 131D", "06010A 04000000001250 490978"),
    ("V11", "1002 06010C 04000000001250 490978 0600 1003 D671", "06010C 04000000001250 490978 0600"),
    ("V15", "1002 06010C 040000000010101010 490978 0600 1003 BFBD", "06010C 04000000001010 490978 0600"),
    ("V19", "1002 060F00 1003 C633", "060F00"),
    ("V20", "1002 061E01 6C 1003 C9F2", "061E01 6C"),
    ("V21", "1002 04FF01 0A 1003 F57D", "04FF01 0A"),
    ("V23", "1002 063006 123456 870004 1003 8EC9", "063006 123456 870004"),
]


def test_v1_crc_check_value() -> None:
    assert crc16_kermit(b"123456789") == 0x2189


def test_v2_crc_is_kermit_not_xmodem() -> None:
    # CRC over APDU + ETX of V2; the frame carries B1 11 (low byte first) = 0x11B1.
    assert crc16_kermit(h("060F0B F0F0F7322E31342E3135 00 03")) == 0x11B1


@pytest.mark.parametrize(("name", "frame", "apdu"), FRAMED, ids=[f[0] for f in FRAMED])
def test_framed_vector_encode(name: str, frame: str, apdu: str) -> None:
    assert encode_frame(decode_apdu(h(apdu))) == h(frame)


@pytest.mark.parametrize(("name", "frame", "apdu"), FRAMED, ids=[f[0] for f in FRAMED])
def test_framed_vector_decode_whole_and_trailing(name: str, frame: str, apdu: str) -> None:
    got, rest = decode_frame(h(frame))
    assert encode_apdu(got) == h(apdu) and rest == b""
    got, rest = decode_frame(h(frame) + b"\x06\x10\x02")
    assert encode_apdu(got) == h(apdu) and rest == b"\x06\x10\x02"


@pytest.mark.parametrize(("name", "frame", "apdu"), FRAMED, ids=[f[0] for f in FRAMED])
def test_framed_vector_byte_by_byte(name: str, frame: str, apdu: str) -> None:
    parser = FrameParser()
    events = []
    data = h(frame) + h(frame)  # twice: the parser is ready for the next frame
    for i in range(len(data)):
        events += parser.feed(data[i : i + 1])
    assert [e.kind for e in events] == [EventKind.FRAME, EventKind.FRAME]
    assert all(e.payload == h(apdu) for e in events)


@pytest.mark.parametrize(("name", "frame", "apdu"), FRAMED, ids=[f[0] for f in FRAMED])
def test_framed_vector_crc_flip_is_rejected(name: str, frame: str, apdu: str) -> None:
    bad = bytearray(h(frame))
    bad[-1] ^= 0x01
    with pytest.raises(DeviceProtocolError):
        decode_frame(bytes(bad))
    assert [e.kind for e in FrameParser().feed(bytes(bad))] == [EventKind.ERROR]


def test_builders_reproduce_ecr_vectors() -> None:
    assert encode_apdu(m.status_enquiry("123456")) == h("050103 123456")  # V3
    assert encode_apdu(m.ack_apdu()) == h("800000")  # V4
    assert encode_apdu(m.registration("123456", 0xBA)) == h("060006 123456 BA 0978")  # V6
    assert encode_apdu(m.registration("123456", 0xDE)) == h("060006 123456 DE 0978")  # V7
    assert encode_apdu(m.registration("987654", 0x41, None)) == h("060004 987654 41")  # V8
    assert encode_apdu(m.authorization(1250)) == h("06010A 04000000001250 490978")  # V10
    assert encode_apdu(m.authorization(1000, None)) == h("060107 04000000001000")  # V12
    assert encode_apdu(m.authorization(3300, None, None, 10)) == h("060109 04000000003300 020A")  # V13
    assert encode_apdu(m.ask_again_apdu()) == h("849C00")  # V14
    assert encode_apdu(m.negative_apdu(0x9D, h("04000000002200"))) == h("849D07 04000000002200")  # V14
    assert encode_apdu(m.reversal("123456", 4)) == h("063006 123456 870004")  # V23
    assert encode_apdu(m.end_of_day("123456")) == h("065003 123456")  # V24
    assert encode_apdu(m.completion()) == h("060F00")  # V19
    assert encode_apdu(m.abort_from_terminal(0x6C)) == h("061E01 6C")  # V20
    assert encode_apdu(m.intermediate_status(0x0A)) == h("04FF01 0A")  # V21
    assert encode_apdu(m.completion(tid="52523535", status=0)) == h("060F0A 1900 2952523535 490978")  # V9
    assert encode_apdu(m.completion(sw_version="2.14.15", status=0)) == h("060F0B F0F0F7322E31342E3135 00")


def test_v8_registration_with_service_byte_parses() -> None:
    apdu = decode_apdu(h("060008 777777 A0 0978 030A"))
    assert apdu.data[:3] == h("777777") and apdu.data[3] == 0xA0
    assert parse_bitmaps(apdu.data[6:]).get(0x03) == b"\x0a"


def test_v2_v5_status_enquiry_completion() -> None:
    info = m.parse_completion(decode_apdu(h("060F0B F0F0F7322E31342E3135 00")).data)
    assert (info.sw_version, info.status) == ("2.14.15", 0)
    info = m.parse_completion(decode_apdu(h("060F15 F0F1F730363130323261204D2049435F20537464 00")).data)
    assert (info.sw_version, info.status) == ("061022a M IC_ Std", 0)


def test_v9_registration_completion() -> None:
    info = m.parse_completion(h("1900 2952523535 490978"))
    assert (info.tid, info.status) == ("52523535", 0)


V16 = (
    "040F5A2700040000000025004909780C2255580D040522F0F8559883EEEEEE80748702313B37353030373100000B000975"
    "196029525235350E24058A068C018BF1F14D617374657243617264002A383034303131393236202020202020"
)
V17 = (
    "040F772700040000000020400B0004700C2239530D10060E2512170001197022F0F8EEEEEEEEEEEE477129280048692A3130"
    "303436313736332020202020203B36313138303400003CF0F1F447454E2E4E522E3A363131383034490978870470880004708A"
    "2E8BF1F74465626974204D61737465726361726400"
)
V18 = "040F25 2705 2929000274 3CF0F0F9416267656C65686E74 8A06 060D240B0709416267656C65686E74"


def test_v16_approved_status_information() -> None:
    si = parse_status_information(decode_apdu(h(V16)).data)
    assert si.approved and si.amount == 2500 and si.currency == 978
    assert (si.receipt_no, si.trace, si.tid) == (231, 975, "52523535")
    assert (si.auth_attribute, si.card_name, si.payment_type) == ("750071", "MasterCard", 0x60)
    assert (si.date, si.time) == ("04-05", "22:55:58")
    assert si.receipt_pan() == "xxxxxxxxxxxx8074"
    assert "8074" not in repr(si) and "559883" not in repr(si)


def test_v17_approved_status_information() -> None:
    si = parse_status_information(decode_apdu(h(V17)).data)
    assert si.approved and si.amount == 2040
    assert (si.receipt_no, si.trace, si.turnover, si.tid) == (470, 470, 470, "28004869")
    assert si.card_name == "Debit Mastercard" and si.text == "GEN.NR.:611804"
    assert si.pan_last4 == "4771"


def test_v18_declined_then_abort() -> None:
    si = parse_status_information(decode_apdu(h(V18)).data)
    assert si.result_code == 0x05 and not si.approved and si.text == "Abgelehnt" and si.tid == "29000274"
    tlv = parse_tlv(parse_bitmaps(decode_apdu(h(V18)).data).get(0x06) or b"")
    assert tlv[0].tag == 0x24 and tlv[0].children[0].tag == 0x07 and tlv[0].children[0].value == b"Abgelehnt"
    abort = m.parse_abort(decode_apdu(h("061E0105")).data)
    assert abort.result_code == 0x05


def test_v20_abort_with_extended_error() -> None:
    real = (
        "061E2E6C062B1F1605FF000014411F1720416262727563682064757263682065787465726E6573204B6F6D6D616E646F21"
    )
    abort = m.parse_abort(decode_apdu(h(real)).data)
    assert abort.result_code == 0x6C and abort.error_text == "Abbruch durch externes Kommando!"


def test_v21_intermediate_status() -> None:
    for text, code in (("04FF01 0A", 0x0A), ("04FF01 0E", 0x0E), ("04FF01 17", 0x17)):
        assert m.parse_intermediate_status(decode_apdu(h(text)).data) == (code, None)


def test_v22_print_line() -> None:
    text, last = m.parse_print_line(
        decode_apdu(h("06D117 00 202020202020202020 4B617373656E7363686E697474")).data
    )
    assert text == " " * 9 + "Kassenschnitt" and not last
    assert m.parse_print_line(encode_apdu(m.print_line("Ende", last=True))[3:]) == ("Ende", True)


def test_v24_end_of_day() -> None:
    assert decode_apdu(h("065003 123456")) == Apdu(0x06, 0x50, h("123456"))


def test_v25_no_open_preauthorisations() -> None:
    abort = m.parse_abort(decode_apdu(h("061E04 B8 87FFFF")).data)
    assert abort.result_code == 0xB8 and abort.receipt_no is None


def test_v26_message_sequence_id() -> None:
    reg = decode_apdu(h("060014 000000 9E 0978 060C 26040A0206D3 1F7303000000"))
    tlv = parse_tlv(parse_bitmaps(reg.data[6:]).get(0x06) or b"")
    assert tlv[0].tag == 0x26 and tlv[0].children[0].value == h("06D3")
    assert tlv[1].tag == 0x1F73 and tlv[1].value == h("000000")
    assert m.tlv_permitted_commands([h("06D3")], 0) == h("26040A0206D3 1F7303000000")
    # The spec prints LEN 0C for 20 data bytes: a strict decoder refuses, a stream decoder sees trailing data.
    misprinted = h("06010C 04000000000100 490978 1944 0606 1F7303000001")
    with pytest.raises(DeviceProtocolError):
        decode_apdu(misprinted)
    assert len(decode_apdu(misprinted, allow_trailing=True).data) == 12
    fixed = Apdu(0x06, 0x01, misprinted[3:])
    assert encode_apdu(fixed)[2] == 20


def test_v28_masked_pan_bmp() -> None:
    si = parse_status_information(h("22 F0F8 676389EEEEEE1230"))
    assert si.pan_last4 == "1230" and si.receipt_pan() == "xxxxxxxxxxxx1230"
