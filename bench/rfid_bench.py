"""Benchmark: inventory + read of 1, 10 and 30 tags through each reader protocol, against the air-time floor.

The FEIG and 3M device simulators run on a pty (FEIG also on TCP) with realistic timing: every answer
leaves no earlier than the ISO 15693 air time of its command (:mod:`drivers.rfid.airtime`: 1-out-of-4
coding at 26.48 kbit/s, high-data-rate answers, SOF/EOF, t1/t2, 16-slot inventories). The driver then
finds the tags and reads 8 blocks (32 bytes, the Danish basic block) of each, as the pad does when a
stack is put down. The floor is the air time alone (collision-free anticollision); the ratio shows what
the host protocol, the serial link, the frame codecs and the Python around them add.

Usage: ``python bench/rfid_bench.py [--repeat 7]``. Goal: median ≤ 1.3 × floor for every reader kind.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.rfid import airtime, open_reader
from drivers.rfid.scenarios import make_field
from drivers.rfid.sim_host import DeviceHost, make_device

GOAL = 1.3
BLOCKS = 8
LINKS = ("feig-pty", "feig-tcp", "3m-pty")


def measure(link: str, n_tags: int, repeat: int) -> list[float]:
    """Seconds for inventory + read of every tag, ``repeat`` times (after one warm-up round)."""
    kind, transport = link.split("-")
    host = DeviceHost(
        make_device(kind, make_field(f"stack{n_tags}" if n_tags > 1 else "single_book")), realistic=True
    )
    try:
        if transport == "tcp":
            url = f"rfid+feig+tcp://127.0.0.1:{host.start_tcp()}?timeout=5"
        else:
            url = f"rfid+{kind}://{host.start_pty()}?timeout=5"
        reader = open_reader(url)
        times: list[float] = []
        try:
            for round_ in range(repeat + 1):
                start = time.perf_counter()
                uids = reader.inventory()
                for uid in uids:
                    reader.read_blocks(uid, 0, BLOCKS)
                elapsed = time.perf_counter() - start
                if len(uids) != n_tags:
                    raise SystemExit(f"{link}: found {len(uids)} of {n_tags} tags")
                if round_:
                    times.append(elapsed)
        finally:
            reader.close()
        return times
    finally:
        host.stop()


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(
        f"RFID inventory + read of {BLOCKS} blocks per tag, realistic ISO 15693 air time, "
        f"median of {args.repeat}; goal ≤ {GOAL} × floor"
    )
    worst = 0.0
    for link in LINKS:
        for n in (1, 10, 30):
            floor = airtime.inventory_and_read(n, BLOCKS)
            median = statistics.median(measure(link, n, args.repeat))
            ratio = median / floor
            worst = max(worst, ratio)
            print(
                f"  {link:9s} {n:2d} tags: median {median * 1000:7.1f} ms  floor {floor * 1000:7.1f} ms  "
                f"ratio {ratio:4.2f}"
            )
    print(f"  goal: every ratio ≤ {GOAL}: {'met' if worst <= GOAL else 'NOT met'} (worst {worst:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
