"""Benchmark: a 10-item stack on the pad, lent (and returned) and every tag verified, vs the floor.

The whole kiosk runs as in production (:func:`kiosk.assembly.build_kiosk`): the session core, the
circulation service over SIP2 to our ILS simulator on 127.0.0.1 with 50 ms latency per answer, and the
pad (watcher + security service) on a simulated FEIG reader over TCP that answers only after the real
ISO 15693 air time (:mod:`drivers.rfid.airtime`).

Measured, from the moment the stack lies on the pad:

* **lend**: until all 10 items are lent and every tag's release is verified (AFI written, read back);
* **return**: the same stack, returned and every tag secured and verified;
* **one item**: until its line is on the screen (the view the UI renders has it).

Floor: max(10 × the SIP2 round trip measured in the same run, the pad's air time for one inventory,
10 reads, 10 AFI writes and 10 read-backs). Goal ≤ 1.2 × floor: tag I/O overlaps the ILS round trips
(the next tag is read, and the previous item's tag switched, while the next checkout is in flight).
The pad's inventory interval (``--poll``, default the kiosk's 0.3 s) is in the figures: a stack put down
just after an inventory waits for the next one.

Usage: ``python bench/rfid_stack_bench.py [--repeat 5] [--poll 0.3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.rfid import airtime
from drivers.rfid.scenarios import item_blocks, memory
from drivers.rfid.sim_host import DeviceHost, make_device
from drivers.rfid.tagfield import TagField, VirtualTag
from kiosk.assembly import Kiosk, build_kiosk
from kiosk.config import parse_config
from kiosk.core import Screen
from kiosk.core import events as ev
from kiosk.core.view import LineKind, LineStatus, SessionView
from sip2.client import Sip2Client
from sip2.settings import ClientSettings
from sip2.simulator import IlsSimulator
from sip2.simulator.models import Item

GOAL = 1.2
LATENCY = 0.05
N = 10
JAN = "20301000010015"
LIMIT = 60.0


def _until(condition: object, what: str) -> None:
    end = time.monotonic() + LIMIT
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            raise SystemExit(f"bench: never reached {what}")
        time.sleep(0.001)


def sip2_round_trip(port: int, repeat: int = 10) -> float:
    """Median seconds of one SIP2 request/answer at the simulator's latency (item information)."""
    client = Sip2Client(
        ClientSettings(
            "127.0.0.1",
            port,
            user="kiosk",
            password="demo",
            institution="WIERDEN",
            location="KIOSK1",
            keepalive_interval=0,
        )
    )
    client.connect()
    try:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.item_information("30301000500013")
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        client.close()


def pad_floor(n: int) -> float:
    """Air time of one inventory, n reads of 8 blocks, n AFI writes and n read-backs (system info)."""
    return airtime.inventory_and_read(n, 8) + n * (airtime.write_afi() + airtime.system_info())


class Bench:
    """One kiosk, one ILS, one pad with the stack's tags (off the pad until put down)."""

    def __init__(self, poll: float, tmp: Path) -> None:
        self.sim = IlsSimulator(host="127.0.0.1", port=0)
        self.items = [f"3030100090{i:04d}" for i in range(1, N + 1)]
        for i, item in enumerate(self.items):
            self.sim.library.items[item] = Item(item, "WIERDEN", f"Bench item {i + 1}", "boek")
        self.sim.start()
        self.rtt = sip2_round_trip(self.sim.port)  # without latency: the simulator's own cost
        self.sim.faults.latency = LATENCY
        self.rtt = sip2_round_trip(self.sim.port)
        self.field = TagField(
            [
                VirtualTag(f"E0040150990{i:05d}", memory(item_blocks(item)), present=False)
                for i, item in enumerate(self.items)
            ]
        )
        self.host = DeviceHost(make_device("feig", self.field), realistic=True)
        port = self.host.start_tcp()
        config = parse_config(
            f'[store]\npath = "{tmp}/kiosk.db"\nkey_file = "{tmp}/queue.key"\n'
            f'[devices]\nprinter = "file://{tmp}/receipts"\nrfid = "rfid+feig+tcp://127.0.0.1:{port}?timeout=5"\n'
            f'terminal = "zvt+sim://?state={tmp}/terminal.json"\n'
            f'[sip2]\nurl = "tcp://127.0.0.1:{self.sim.port}"\npassword = "demo"\nconnect_timeout = 15.0\n'
            f"read_timeout = 15.0\noffline_after = 30.0\n[session]\npin = 'never'\n"
            f"[payment]\nenabled = false\n"
            f'[rfid]\nown_isils = ["NL-0001"]\npoll_interval = {poll}\n',
            base_dir=tmp,
        )
        self.kiosk: Kiosk = build_kiosk(config)
        self.seen: dict[str, float] = {}
        self.kiosk.runtime.subscribe(self._on_view)

    def _on_view(self, view: SessionView) -> None:
        now = time.perf_counter()
        for line in view.items:
            self.seen.setdefault(f"{line.kind.value}:{line.item_id}", now)

    def close(self) -> None:
        self.kiosk.stop()
        self.host.stop()
        self.sim.stop()

    def screen(self, event: ev.Event, screen: Screen) -> None:
        self.kiosk.runtime.send(event)
        _until(lambda: self.kiosk.runtime.view.screen is screen, screen.value)

    def to_idle(self) -> None:
        """End the session (no receipt)."""
        end = time.monotonic() + LIMIT
        while self.kiosk.runtime.view.in_session:
            if time.monotonic() > end:
                raise SystemExit("bench: the session did not end")
            if self.kiosk.runtime.view.screen is Screen.RECEIPT:
                self.kiosk.runtime.send(ev.ReceiptChoice(False))
            else:
                self.kiosk.runtime.send(ev.Finish())
            self.kiosk.runtime.settle(LIMIT, quiet=self.kiosk.idle)

    def place(self, present: bool, items: list[str] | None = None) -> float:
        with self.field.lock:
            start = time.perf_counter()
            for tag in self.field.tags:
                if items is None or tag.uid in items:
                    tag.present = present
        return start

    def all_done(self, kind: LineKind, afi: int, verified: int) -> bool:
        lines = [x for x in self.kiosk.runtime.view.items if x.kind is kind and x.status is LineStatus.DONE]
        return (
            len(lines) == N
            and all(t.afi == afi for t in self.field.tags)
            and self.kiosk.pad.security.verified >= verified
        )

    def round(self) -> tuple[float, float]:
        """One member lends the stack, a return session takes it back; seconds for each."""
        _until(lambda: self.kiosk.circulation.online, "ILS online")
        self.screen(ev.PassPresented(JAN), Screen.MENU)
        self.screen(ev.StartBorrow(), Screen.BORROW)
        verified = self.kiosk.pad.security.verified
        start = self.place(True)
        _until(lambda: self.all_done(LineKind.LOAN, 0xC2, verified + N), "all lent and released")
        lend = time.perf_counter() - start
        self.place(False)
        _until(lambda: not self.kiosk.pad.watcher.contents, "pad empty")
        self.to_idle()
        self.screen(ev.StartReturn(), Screen.RETURN)
        start = self.place(True)
        _until(lambda: self.all_done(LineKind.RETURN, 0x07, verified + 2 * N), "all returned and secured")
        back = time.perf_counter() - start
        self.place(False)
        _until(lambda: not self.kiosk.pad.watcher.contents, "pad empty")
        self.to_idle()
        return lend, back

    def one_item(self) -> float:
        """Seconds from one item put down to its line in the view."""
        _until(lambda: self.kiosk.circulation.online, "ILS online")
        self.screen(ev.PassPresented(JAN), Screen.MENU)
        self.screen(ev.StartBorrow(), Screen.BORROW)
        item, uid = self.items[0], self.field.tags[0].uid
        self.seen.pop(f"loan:{item}", None)
        start = self.place(True, [uid])
        _until(lambda: f"loan:{item}" in self.seen, "the line")
        took = self.seen[f"loan:{item}"] - start
        _until(lambda: self.field.tags[0].afi == 0xC2 and self.kiosk.pad.idle, "released and verified")
        self.place(False, [uid])
        _until(lambda: not self.kiosk.pad.watcher.contents, "pad empty")
        self.to_idle()  # an item lent in a session is not returned by the same session (kiosk/core/pad.py)
        self.screen(ev.StartReturn(), Screen.RETURN)
        self.place(True, [uid])
        _until(lambda: self.field.tags[0].afi == 0x07 and self.kiosk.pad.idle, "returned and verified")
        self.place(False, [uid])
        _until(lambda: not self.kiosk.pad.watcher.contents, "pad empty")
        self.to_idle()
        return took


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--poll", type=float, default=0.3, help="the pad's inventory interval (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args.poll, Path(tmp))
        try:
            lends, backs, ones = [], [], []
            for _ in range(args.repeat):
                lend, back = bench.round()
                lends.append(lend)
                backs.append(back)
                ones.append(bench.one_item())
        finally:
            bench.close()
    floor_ils = N * bench.rtt
    floor = max(floor_ils, pad_floor(N))
    print(
        f"RFID stack of {N} on a simulated FEIG pad (realistic air time), "
        f"ILS latency {LATENCY * 1000:.0f} ms, "
        f"pad inventory every {args.poll * 1000:.0f} ms, median of {args.repeat}; goal ≤ {GOAL} × floor"
    )
    print(
        f"  SIP2 round trip {bench.rtt * 1000:.1f} ms → 10 × = {floor_ils * 1000:.0f} ms; pad air time "
        f"{pad_floor(N) * 1000:.0f} ms; floor {floor * 1000:.0f} ms"
    )
    worst = 0.0
    for name, times in (("lend + release verified", lends), ("return + secure verified", backs)):
        median = statistics.median(times)
        worst = max(worst, median / floor)
        print(f"  {name:25s} median {median * 1000:7.1f} ms  ratio {median / floor:4.2f}")
    # What no overlap can hide: the stack's first inventory and first read before any item id is known,
    # and the last item's write + read-back after the last ILS answer.
    edges = airtime.inventory(N) + airtime.read_blocks(8) + airtime.write_afi() + airtime.system_info()
    print(
        f"  with the unavoidable edges ({edges * 1000:.0f} ms of air: first inventory + read, last write + "
        f"read-back) the floor is {(floor + edges) * 1000:.0f} ms: ratios "
        f"{statistics.median(lends) / (floor + edges):4.2f} / "
        f"{statistics.median(backs) / (floor + edges):4.2f}"
    )
    print(
        f"  one item → its line on screen: median {statistics.median(ones) * 1000:6.1f} ms "
        f"(poll interval {args.poll * 1000:.0f} ms, air time of one inventory + read "
        f"{airtime.inventory_and_read(1, 8) * 1000:.1f} ms)"
    )
    print(f"  goal: ratio ≤ {GOAL}: {'met' if worst <= GOAL else 'NOT met'} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
