"""Benchmarks of the kiosk core (prints figures; asserts nothing).

1. A 10-item stack against the ILS simulator with 50 ms latency: the kiosk's overhead per item (session
   machine + circulation service + SIP2 client + result back into the session) over the raw round trip
   of the same checkout message on a plain socket. Goal: <= 5 ms per item.
2. Replaying 10,000 queued transactions (5,000 loans + 5,000 returns, with query-safe bookkeeping, batch
   commits, AES-GCM decryption) vs sending the same 10,000 frames on a raw socket. Goal: <= 1.2x. The
   line after it splits the time: the SIP2 client alone (another package) vs the queue bookkeeping; a
   last run repeats it with 2 ms ILS latency, closer to a real ILS. The simulator runs in its own
   process for these runs. Both links are warmed up first; each figure is the median of 3 rounds
   (kiosk, bare client and raw socket timed one after the other on fresh items), with the range.

Run: ``.venv/bin/python bench/core_bench.py`` (about a minute).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk.core import events as ev
from kiosk.core.machine import Session
from kiosk.core.state import SessionSettings
from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store import CHECKIN, CHECKOUT, TransactionQueue
from kiosk.store.replay import Replayer
from sip2 import codec, fields
from sip2.client import Sip2Client
from sip2.dialect import Dialect
from sip2.messages import CheckinRequest, CheckoutRequest, ItemInformationRequest
from sip2.settings import ClientSettings
from sip2.simulator import IlsSimulator, demo
from sip2.simulator.models import Item
from sip2.simulator.passes import item_barcode


def _simulator(items: list[str]) -> IlsSimulator:
    sim = IlsSimulator(host="127.0.0.1", port=0)
    with sim.library.lock:
        for item in items:
            sim.library.items[item] = Item(item, "WIERDEN", "Bench", "boek")
    sim.start()
    return sim


def _serve(items: list[str], latency: float, conn: Any) -> None:
    """Child process: an ILS simulator of its own (no GIL shared with the kiosk), until told to stop."""
    sim = _simulator(items)
    sim.faults.latency = latency
    conn.send(sim.port)
    conn.recv()
    sim.stop()


def _settings(port: int) -> ClientSettings:
    return ClientSettings(
        "127.0.0.1",
        port,
        user="kiosk",
        password="demo",
        institution="WIERDEN",
        location="KIOSK1",
        keepalive_interval=0,
        read_timeout=10.0,
    )


class RawLink:
    """A plain socket speaking pre-built SIP2 frames (no checksums: the simulator answers in kind)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.exchange(b"9300CNkiosk|COdemo|CPKIOSK1|\r")

    def exchange(self, frame: bytes) -> bytes:
        """Send one frame, return the reply (up to its CR)."""
        self.sock.sendall(frame)
        while b"\r" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        reply, _, self.buffer = self.buffer.partition(b"\r")
        return reply


def _checkout(patron: str, item: str, stamp: str, no_block: bool) -> bytes:
    return f"11N{'Y' if no_block else 'N'}{stamp}{stamp}AOWIERDEN|AA{patron}|AB{item}|AC|\r".encode()


def _checkin(item: str, stamp: str) -> bytes:
    return f"09Y{stamp}{stamp}APKIOSK1|AOWIERDEN|AB{item}|AC|\r".encode()


def stack_bench(rounds: int = 3) -> None:
    """Goal 1: the kiosk\'s overhead per item of a 10-item stack over the raw round trip."""
    items = [item_barcode("0301", 80000 + n) for n in range(20 * rounds)]
    sim = _simulator(items)
    sim.faults.latency = 0.05
    raw_times: list[float] = []
    kiosk_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        results: queue.Queue[ev.Event] = queue.Queue()
        store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        service = CirculationService(
            lambda: Sip2Client(_settings(sim.port)),
            store,
            OfflinePolicy(),
            results.put,
            validate_pass=lambda n: True,
            probe_interval=1.0,
            offline_after=1.5,
        )
        service.start()
        while not service.online:
            results.get(timeout=10)
        session = Session(SessionSettings(pin="never", languages=("nl", "en"), default_language="nl"))
        raw = RawLink(sim.port)
        helper = Sip2Client(_settings(sim.port))
        helper.connect()
        for r in range(rounds):
            stack = items[20 * r : 20 * r + 10]
            raw_stack = items[20 * r + 10 : 20 * r + 20]
            for item in raw_stack:
                started = time.perf_counter()
                reply = raw.exchange(_checkout(demo.NORMAL, item, fields.timestamp(), False))
                raw_times.append(time.perf_counter() - started)
                assert reply.startswith(b"121"), reply
            for item in raw_stack:  # returned again (untimed): the patron stays under the loan limit
                helper.checkin(item)
            session.handle(ev.Tick(0.0))
            for effect in session.handle(ev.PassPresented(demo.NORMAL)):
                service.submit(effect)
            session.handle(results.get(timeout=10))
            session.handle(ev.StartBorrow())
            for item in stack:
                started = time.perf_counter()
                for effect in session.handle(ev.ItemPresented(item)):
                    service.submit(effect)
                while True:
                    event = results.get(timeout=10)
                    session.handle(event)
                    if isinstance(event, ev.ResultEvent):
                        break
                kiosk_times.append(time.perf_counter() - started)
            assert all(line.status.value == "done" for line in session.view.items), session.view.items
            session.handle(ev.Finish())
            session.handle(ev.ReceiptChoice(False))
            for item in stack:
                helper.checkin(item)
        helper.close()
        service.stop()
        store.close()
    sim.stop()
    raw_ms, kiosk_ms = statistics.median(raw_times) * 1000, statistics.median(kiosk_times) * 1000
    print(
        f"stack: 10 items x {rounds} rounds, ILS latency 50 ms: raw round trip {raw_ms:.2f} ms/item, "
        f"kiosk {kiosk_ms:.2f} ms/item, overhead {kiosk_ms - raw_ms:.2f} ms/item (goal <= 5 ms)"
    )


def _frames(items: list[str], base: float) -> list[bytes]:
    """The exact frames the SIP2 client sends for the replay (same fields, AY/AZ): the fair baseline."""
    out: list[bytes] = []
    messages: list[object] = []
    for n, item in enumerate(items):
        stamp = fields.timestamp(dt.datetime.fromtimestamp(base + n))
        messages.append(
            CheckoutRequest(
                renewal_policy=False,
                no_block=True,
                transaction_date=stamp,
                nb_due_date=stamp,
                institution_id="WIERDEN",
                patron_id=demo.NORMAL,
                item_id=item,
                terminal_password="",
            )
        )
    for n, item in enumerate(items):
        stamp = fields.timestamp(dt.datetime.fromtimestamp(base + len(items) + n))
        messages.append(
            CheckinRequest(
                no_block=True,
                transaction_date=stamp,
                return_date=stamp,
                current_location="KIOSK1",
                institution_id="WIERDEN",
                item_id=item,
                terminal_password="",
            )
        )
    for n, message in enumerate(messages):
        out.append(codec.encode(message, Dialect(), sequence=n % 10))  # type: ignore[arg-type]
    return out


def _warm_up(client: Sip2Client, raw: RawLink, item: str, times: int = 50) -> None:
    """Untimed 17 exchanges on both links first: code paths, caches and the simulator's threads warm."""
    frame = codec.encode(
        ItemInformationRequest(institution_id="WIERDEN", item_id=item), Dialect(), sequence=0
    )
    for _ in range(times):
        client.item_information(item)
        raw.exchange(frame)


def _replay_round(port: int, sets: list[list[str]], base: float) -> tuple[float, float, float]:
    """One round: (kiosk replay, bare SIP2 client, raw socket) seconds, each on its own items."""
    half = len(sets[0])
    raw = RawLink(port)
    with tempfile.TemporaryDirectory() as tmp:
        store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        for n, item in enumerate(sets[0]):
            store.enqueue(CHECKOUT, item, demo.NORMAL, base + n)
        for n, item in enumerate(sets[0]):
            store.enqueue(CHECKIN, item, None, base + half + n)
        client = Sip2Client(_settings(port))
        client.connect()
        _warm_up(client, raw, sets[0][0])
        # 1. the kiosk's replay: queue -> Replayer -> SIP2 client
        started = time.perf_counter()
        report = Replayer(store, client).replay()
        replay_s = time.perf_counter() - started
        assert report.confirmed == 2 * half and report.remaining == 0, report
        store.close()
        # 2. the same transactions through the SIP2 client alone (no queue): where the time goes
        started = time.perf_counter()
        for n, item in enumerate(sets[1]):
            client.checkout(
                demo.NORMAL, item, no_block=True, transaction_date=dt.datetime.fromtimestamp(base + n)
            )
        for n, item in enumerate(sets[1]):
            client.checkin(item, no_block=True, transaction_date=dt.datetime.fromtimestamp(base + half + n))
        client_s = time.perf_counter() - started
        client.close()
    # 3. the same frames, byte for byte, on a raw socket (built beforehand: the raw side only does I/O)
    frames = _frames(sets[2], base)
    started = time.perf_counter()
    for frame in frames:
        raw.exchange(frame)
    raw_s = time.perf_counter() - started
    raw.sock.close()
    return replay_s, client_s, raw_s


def replay_bench(count: int = 10_000, latency: float = 0.0, rounds: int = 3) -> None:
    """Goal 2: replaying ``count`` queued transactions vs the same frames on a raw socket.

    ``rounds`` rounds, each timing the kiosk, the bare client and the raw socket one after the other on
    fresh items; the figures are the medians over the rounds (a shared machine's load drifts).
    """
    half = count // 2
    base = time.time() - 3600
    sets = [[item_barcode("0302", 100000 * (k + 1) + n) for n in range(half)] for k in range(3 * rounds)]
    # The ILS runs in its own process, as a real one would: no GIL contention with the kiosk.
    parent, child = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=([item for items in sets for item in items], latency, child), daemon=True
    )
    server.start()
    port = parent.recv()
    results = [_replay_round(port, sets[3 * r : 3 * r + 3], base) for r in range(rounds)]
    parent.send("stop")
    server.join(timeout=10)
    ratios = sorted(replay_s / raw_s for replay_s, _, raw_s in results)
    replay_s = statistics.median(r[0] for r in results)
    client_s = statistics.median(r[1] for r in results)
    raw_s = statistics.median(r[2] for r in results)
    us = 1e6 / count
    where = f"ILS latency {latency * 1000:.0f} ms" if latency else "ILS in its own process"
    print(
        f"replay ({where}): {count} transactions, median of {rounds} rounds: kiosk {replay_s:.2f} s "
        f"({replay_s * us:.0f} us each), raw socket {raw_s:.2f} s ({raw_s * us:.0f} us each): "
        f"ratio {statistics.median(ratios):.2f}x [{ratios[0]:.2f}-{ratios[-1]:.2f}] (goal <= 1.2x)"
    )
    print(
        f"replay: of which the SIP2 client alone takes {client_s:.2f} s ({client_s * us:.0f} us each, "
        f"{client_s / raw_s:.2f}x raw); queue + replay bookkeeping {(replay_s - client_s) * us:.0f} us each "
        f"({replay_s / client_s:.2f}x the bare client)"
    )


if __name__ == "__main__":
    stack_bench()
    replay_bench()
    replay_bench(1_000, latency=0.002)  # a library's ILS over the LAN/WAN answers in milliseconds
