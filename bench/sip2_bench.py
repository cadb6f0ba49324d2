"""SIP2 benchmarks (prints figures; not part of the test suite).

1. Codec: encode + decode messages/s of ``sip2.codec`` side by side with pysip2 0.1.0's codec on the
   same messages (goal: >= 1.5x pysip2).
2. Client round trip (17 item information) vs a raw-socket client against the same small in-bench
   server, at 0, 5 and 50 ms server latency (goal: <= 1.05x the raw client). Raw and client run in
   turn, 5 times, each warmed up first; the figures are the medians, with the range of the ratios.
   The last line is the pure codec work per request, which no parsing client can avoid.
3. Time to a definite "offline": nothing listening; a server that accepts but never answers; and a
   call while offline (goal: <= 2 s).

Run: ``.venv/bin/python bench/sip2_bench.py [--quick]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import threading
import time
import timeit
from decimal import Decimal
from typing import Any

import pysip2

from sip2.client import ClientSettings, Sip2Client
from sip2.codec import FrameBuffer, decode, decode_frame, encode
from sip2.dialect import Dialect
from sip2.errors import Sip2ConnectionError
from sip2.fields import PatronStatus, timestamp
from sip2.messages import (
    ACSStatus,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    ItemInformationResponse,
    LoginResponse,
    Message,
    PatronInformationRequest,
    PatronInformationResponse,
    supported_messages_field,
)

TS = timestamp()
MESSAGES: list[Message] = [
    CheckoutRequest(
        transaction_date=TS,
        nb_due_date=TS,
        institution_id="WIERDEN",
        patron_id="21000000001001",
        item_id="31000000050001",
        terminal_password="",
        patron_password="1234",
    ),
    CheckoutResponse(
        ok=True,
        renewal_ok=False,
        magnetic_media=False,
        desensitize=True,
        transaction_date=TS,
        institution_id="WIERDEN",
        patron_id="21000000001001",
        item_id="31000000050001",
        title="Het diner",
        due_date="20261215    235900",
        screen_messages=("Veel leesplezier",),
    ),
    CheckinResponse(
        ok=True,
        resensitize=True,
        magnetic_media=False,
        alert=False,
        transaction_date=TS,
        institution_id="WIERDEN",
        item_id="31000000050001",
        permanent_location="Centrale",
        title="Het diner",
        sort_bin="A1",
    ),
    PatronInformationRequest(
        transaction_date=TS,
        summary="  Y       ",
        institution_id="WIERDEN",
        patron_id="21000000001001",
        terminal_password="",
        patron_password="1234",
        start_item=1,
        end_item=10,
    ),
    PatronInformationResponse(
        patron_status=PatronStatus(),
        transaction_date=TS,
        charged_items_count=3,
        institution_id="WIERDEN",
        patron_id="21000000001001",
        personal_name="Jan Jansen",
        valid_patron=True,
        valid_patron_password=True,
        currency="EUR",
        fee_amount=Decimal("2.50"),
        charged_items=("31000000050005", "31000000050006", "31000000050007"),
    ),
    ItemInformationResponse(
        circulation_status="04",
        security_marker="02",
        fee_type="01",
        transaction_date=TS,
        due_date="20261215    235900",
        item_id="31000000050001",
        title="Het diner",
        media_type="001",
    ),
    ACSStatus(
        date_time_sync=TS,
        institution_id="WIERDEN",
        library_name="Bibliotheek Wierden",
        supported_messages=supported_messages_field({"checkout", "checkin", "login", "sc_status"}),
    ),
    LoginResponse(ok=True),
]


def bench_codec(seconds: float) -> None:
    dialect = Dialect()
    wires = [encode(m, dialect, sequence=i % 10) for i, m in enumerate(MESSAGES)]
    theirs = [(pysip2.decode_message(w).message, i % 10) for i, w in enumerate(wires)]
    for ours, wire in zip(MESSAGES, wires, strict=True):  # both codecs agree on every message
        assert decode(wire, dialect) == ours

    # Per message type, the best of several timed repeats (robust on a shared, noisy machine);
    # messages/s = message types / sum of best per-message times.
    number = max(200, int(seconds * 400))
    ours_total = theirs_total = 0.0
    for i, (message, (model, seq)) in enumerate(zip(MESSAGES, theirs, strict=True)):
        sequence = i % 10

        def run_ours(message: Message = message, sequence: int = sequence) -> None:
            decode_frame(encode(message, dialect, sequence=sequence), dialect)

        def run_pysip2(model: Any = model, seq: int = seq) -> None:
            pysip2.decode_message(pysip2.encode_message(model, sequence_number=seq, checksum=True))

        ours_total += min(timeit.repeat(run_ours, number=number, repeat=7)) / number
        theirs_total += min(timeit.repeat(run_pysip2, number=number, repeat=7)) / number
    rates = {"sip2": len(MESSAGES) / ours_total, "pysip2": len(MESSAGES) / theirs_total}
    print(f"codec encode+decode ({len(MESSAGES)} message types, AY/AZ on):")
    print(f"  sip2.codec   {rates['sip2']:>10,.0f} messages/s")
    print(f"  pysip2 0.1.0 {rates['pysip2']:>10,.0f} messages/s")
    print(f"  ratio        {rates['sip2'] / rates['pysip2']:.2f}x   (goal >= 1.5x)")


class BenchServer:
    """Logs in anyone, answers 99 with 98 and 17 with a fixed 18, after *latency* seconds.

    Runs in its own process, so that the client under test does not share the GIL with it.
    """

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.dialect = Dialect()
        self.process = multiprocessing.get_context("fork").Process(target=self._accept, daemon=True)
        self.process.start()
        self.listener.close()  # the child keeps its copy

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        buffer = FrameBuffer()
        replies = {b"93": LoginResponse(ok=True), b"99": MESSAGES[6], b"17": MESSAGES[5]}
        with sock:
            while data := sock.recv(4096):
                for frame in buffer.feed(data):
                    sequence = decode_frame(frame, self.dialect).sequence
                    if self.latency:
                        time.sleep(self.latency)
                    sock.sendall(encode(replies[frame[:2]], self.dialect, sequence=sequence))


def raw_round_trips(port: int, count: int, warmup: int = 0) -> list[float]:
    """A minimal client: one prebuilt 17 frame, the full reply read up to its CR, no parsing.

    The same bytes the client sends (its 17 with AY/AZ), on a blocking TCP_NODELAY socket: the least
    any SIP2 client must do per request. *warmup* exchanges first, untimed.
    """
    request = encode(_item_request(), Dialect(), sequence=0)
    times = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for n in range(warmup + count):
            start = time.perf_counter()
            sock.sendall(request)
            data = b""
            while not data.endswith(b"\r"):
                data += sock.recv(4096)
            if n >= warmup:
                times.append(time.perf_counter() - start)
    return times


def _item_request() -> Message:
    from sip2.messages import ItemInformationRequest

    return ItemInformationRequest(transaction_date=TS, institution_id="WIERDEN", item_id="31000000050001")


def client_round_trips(port: int, count: int, warmup: int = 0) -> list[float]:
    """``Sip2Client.item_information`` (builds, encodes, sends, reads, checks and decodes) *count* times."""
    client = Sip2Client(
        ClientSettings(host="127.0.0.1", port=port, user="kiosk", password="x", keepalive_interval=0)
    )
    client.connect()
    times = []
    for n in range(warmup + count):
        start = time.perf_counter()
        client.item_information("31000000050001")
        if n >= warmup:
            times.append(time.perf_counter() - start)
    client.close()
    return times


def codec_floor_us() -> float:
    """Microseconds of pure codec work per request: encode the 17 and decode the 18 reply (best of 7)."""
    dialect = Dialect()
    request, reply = _item_request(), encode(MESSAGES[5], dialect, sequence=0)

    def work() -> None:
        encode(request, dialect, sequence=0)
        decode_frame(reply, dialect)

    return min(timeit.repeat(work, number=2000, repeat=7)) / 2000 * 1e6


def bench_round_trip(quick: bool) -> None:
    """Raw and client alternate in several runs on the same server; the figure is the median run."""
    runs = 5
    print(f"client round trip (17 item information) vs raw socket; median of {runs} alternating runs:")
    for latency, count in (
        (0.0, 300 if quick else 1000),
        (0.005, 20 if quick else 60),
        (0.05, 4 if quick else 10),
    ):
        server = BenchServer(latency)
        warmup = 10 if latency else 200
        ratios, raw_medians, client_medians = [], [], []
        for _ in range(runs):
            raw = statistics.median(raw_round_trips(server.port, count, warmup))
            ours = statistics.median(client_round_trips(server.port, count, warmup))
            raw_medians.append(raw)
            client_medians.append(ours)
            ratios.append(ours / raw)
        raw, ours = statistics.median(raw_medians), statistics.median(client_medians)
        print(
            f"  latency {latency * 1000:>3.0f} ms  raw {raw * 1000:8.3f} ms  client {ours * 1000:8.3f} ms  "
            f"(+{(ours - raw) * 1e6:5.1f} us)  ratio {statistics.median(ratios):.3f}x "
            f"[{min(ratios):.3f}-{max(ratios):.3f}]   (goal <= 1.05x, {runs} x N={count})"
        )
        server.stop()
    print(
        f"  floor: encoding the 17 and decoding its 18 alone take {codec_floor_us():.1f} us per request "
        f"(a client that reads its reply cannot be faster than raw + that)"
    )


def bench_dead_ils() -> None:
    settings = ClientSettings(host="127.0.0.1", port=1, keepalive_interval=0)  # defaults otherwise
    print(f"dead ILS detection (defaults: connect_timeout {settings.connect_timeout} s):")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    free = probe.getsockname()[1]
    probe.close()
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (kernel backlog) but never answers
    cases = (("nothing listening", free), ("accepts, never answers", silent.getsockname()[1]))
    for name, port in cases:
        client = Sip2Client(ClientSettings(host="127.0.0.1", port=port, keepalive_interval=0))
        start = time.perf_counter()
        try:
            client.connect()
        except Sip2ConnectionError:
            pass
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        try:
            client.item_information("31000000050001")
        except Sip2ConnectionError:
            pass
        offline_call = time.perf_counter() - start
        print(
            f"  {name:<24} offline after {elapsed:6.3f} s; next call fails in {offline_call * 1000:6.2f} ms"
            f"   (goal <= 2 s)"
        )
    silent.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    bench_codec(1.0 if args.quick else 3.0)
    bench_round_trip(args.quick)
    bench_dead_ils()


if __name__ == "__main__":
    main()
