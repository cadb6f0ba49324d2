"""Benchmark: time spent in our code per payment, against the simulated terminal's own delays.

Runs N approved payments (issue-of-goods mode, a commit decision) with the driver and the simulator
over a real pty pair (serial framing, ACK/NAK) and over TCP on 127.0.0.1, and prints per payment:

* wall: total wall time of ``authorize()``;
* sim sleeps: the simulator's deliberate delays (``step_delay`` per terminal step);
* overhead: wall minus sim sleeps = our driver + link + the simulator's own processing (goal ≤ 20 ms);
* driver CPU: CPU time of the calling thread inside ``authorize()`` (``time.thread_time``).

Plus the sans-IO codec alone: frames encoded and parsed per second.

Usage: ``python bench/payment_bench.py [--payments 50] [--step-delay 0.01]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from drivers.payment import Commit, Outcome, ZvtTerminal
from drivers.payment.codec import FrameParser, encode_frame
from drivers.payment.link import SerialChannel, SerialLink, TcpLink, Timers, connect_tcp
from drivers.payment.sim_scenarios import SimSettings
from drivers.payment.simulator import TerminalSimulator
from drivers.payment.status_information import (
    StatusInformation,
    build_status_information,
    parse_status_information,
)

GOAL_MS = 20.0


def run_payments(transport: str, n: int, step_delay: float) -> dict[str, float]:
    """N payments over ``transport``; figures in milliseconds per payment."""
    timers = Timers()  # the spec's timers: nothing expires in a healthy run
    sim = TerminalSimulator(SimSettings(password="123456", step_delay=step_delay), timers=timers)
    if transport == "pty":
        link: SerialLink | TcpLink = SerialLink(SerialChannel(sim.start_pty()), timers)
    else:
        link = TcpLink(connect_tcp("127.0.0.1", sim.start_tcp()), timers)
    term = ZvtTerminal(link, password="123456", on_close=sim.stop)
    try:
        term.register()
        walls, cpus, sleeps = [], [], []
        for i in range(n):
            slept_before = sim.slept
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            result = term.authorize(100 + i, vending=True, decide=lambda si: Commit())
            cpus.append(time.thread_time() - cpu0)
            walls.append(time.perf_counter() - wall0)
            sleeps.append(sim.slept - slept_before)
            if result.outcome is not Outcome.APPROVED_COMMITTED:
                raise SystemExit(f"payment {i} ended {result.outcome}: {result.error}")
    finally:
        term.close()
    overhead = [w - s for w, s in zip(walls, sleeps, strict=True)]
    return {
        "wall": statistics.mean(walls) * 1000,
        "sleeps": statistics.mean(sleeps) * 1000,
        "overhead": statistics.mean(overhead) * 1000,
        "overhead_p95": sorted(overhead)[int(0.95 * (len(overhead) - 1))] * 1000,
        "cpu": statistics.mean(cpus) * 1000,
    }


def codec_rate(seconds: float = 0.5) -> float:
    """Approved Status-Information frames encoded + parsed byte-wise per second."""
    si = StatusInformation(
        result_code=0, amount=1250, currency=978, trace=1, receipt_no=1, tid="52523535", card_name="Maestro"
    )
    apdu = build_status_information(si, "676389EEEEEE1230")
    count, end = 0, time.perf_counter() + seconds
    parser = FrameParser()
    while time.perf_counter() < end:
        for ev in parser.feed(encode_frame(apdu)):
            parse_status_information(ev.payload[3:])
        count += 1
    return count / seconds


def main() -> None:
    """Run and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--payments", type=int, default=50)
    ap.add_argument("--step-delay", type=float, default=0.01, help="simulator delay per terminal step (s)")
    args = ap.parse_args()
    delay_ms = args.step_delay * 1000
    print(f"payment_bench: {args.payments} payments per transport, simulator step delay {delay_ms:.0f} ms")
    for transport in ("pty", "tcp"):
        f = run_payments(transport, args.payments, args.step_delay)
        verdict = "ok" if f["overhead"] <= GOAL_MS else "OVER GOAL"
        print(
            f"  {transport:3}: wall {f['wall']:7.2f} ms/payment, sim sleeps {f['sleeps']:6.2f} ms, "
            f"overhead {f['overhead']:5.2f} ms (p95 {f['overhead_p95']:5.2f}), driver CPU {f['cpu']:5.2f} ms "
            f"[goal <= {GOAL_MS:.0f} ms: {verdict}]"
        )
    print(f"  codec: {codec_rate():,.0f} Status-Information frames encoded+parsed per second")


if __name__ == "__main__":
    main()
