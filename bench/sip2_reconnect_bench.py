"""Reconnect storm benchmark (issue 11 item 5): connection attempts per minute the kiosk makes against
an ILS that will not let it work. Prints figures; not part of the test suite; loopback only.

The kiosk's own circulation service (``kiosk.services.circulation.CirculationService`` with a fresh
``sip2.client.Sip2Client`` per attempt, as ``kiosk run`` assembles it: client keepalive off, idle probe
every second) runs against the ILS simulator behind a counting proxy, for ``--seconds`` per scenario:

1. a server that refuses the login (wrong password: ``940``);
2. a server that drops every connection after the first request (the 93 is answered, then EOF);
3. a server that drops every connection after the first request past the setup (93 and 99 are
   answered, the next request -- the probe, an item lookup -- sees EOF): the 45-55/s storm.

Each figure is attempts per minute over the whole run and over its second half (once backed off; goal
<= 10/min), and as a ratio to the baseline measured in the same run: a loop that reconnects at once
(no backoff at all). The script uses only APIs that exist before and after the fix, so the same file
measures the old code (run it from a checkout of main).

Run: ``.venv/bin/python bench/sip2_reconnect_bench.py [--seconds 25]``
"""

from __future__ import annotations

import argparse
import logging
import socket
import tempfile
import threading
import time
from pathlib import Path

from kiosk.services.circulation import CirculationService, OfflinePolicy
from kiosk.store.queue import TransactionQueue
from sip2.client import ClientSettings, Sip2Client
from sip2.errors import Sip2Error
from sip2.simulator import IlsSimulator


class CountingProxy:
    """Forwards to the simulator, counts accepted connections (with their times) and, when
    ``close_after`` is set, closes each connection after that many replies."""

    def __init__(self, target: int, close_after: int = 0) -> None:
        self.target = target
        self.close_after = close_after
        self.attempts: list[float] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.attempts.append(time.monotonic())
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, server, 0), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.close_after), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, close_after: int) -> None:
        replies = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
                replies += data.count(b"\r")
                if close_after and replies >= close_after:
                    break
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def _settings(port: int, password: str = "demo") -> ClientSettings:
    return ClientSettings(
        "127.0.0.1",
        port,
        user="kiosk",
        password=password,
        institution="WIERDEN",
        location="KIOSK1",
        connect_timeout=5.0,
        read_timeout=5.0,
        keepalive_interval=0,
    )


def _per_minute(times: list[float], start: float, end: float) -> float:
    count = sum(1 for t in times if start <= t < end)
    return count * 60.0 / max(end - start, 1e-9)


def kiosk_run(proxy: CountingProxy, password: str, seconds: float) -> tuple[int, float, float]:
    """Attempts, per minute over the run, per minute over its second half."""
    settings = _settings(proxy.port, password)
    with tempfile.TemporaryDirectory() as tmp:
        store = TransactionQueue(Path(tmp) / "q.db", Path(tmp) / "q.key")
        service = CirculationService(
            lambda: Sip2Client(settings),
            store,
            OfflinePolicy(),
            lambda event: None,
            validate_pass=lambda number: True,
            probe_interval=1.0,
        )
        start = time.monotonic()
        service.start()
        time.sleep(seconds)  # the measurement window itself (a benchmark, not a test)
        end = time.monotonic()
        service.stop()
        store.close()
    times = list(proxy.attempts)
    return (
        sum(1 for t in times if start <= t < end),
        _per_minute(times, start, end),
        _per_minute(times, start + (end - start) / 2, end),
    )


def naive_baseline(port: int, seconds: float) -> float:
    """Attempts per minute of a loop that reconnects at once after every failure (no backoff)."""
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        client = Sip2Client(_settings(port, "wrong"))
        try:
            client.connect()
        except Sip2Error:
            pass
        client.close()
        count += 1
    return count * 60.0 / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=25.0, help="length of each scenario (default 25)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    sim = IlsSimulator(users={"kiosk": "demo"}).start()
    try:
        baseline_proxy = CountingProxy(sim.port)
        baseline = naive_baseline(baseline_proxy.port, 3.0)
        baseline_proxy.close()
        print(f"baseline (reconnect at once, no backoff): {baseline:8.0f} attempts/min")
        scenarios = [
            ("refusing server (wrong password)", "wrong", 0),
            ("drops after the first request (93)", "demo", 1),
            ("drops after the first request past setup (93, 99, EOF)", "demo", 2),
        ]
        for name, password, close_after in scenarios:
            proxy = CountingProxy(sim.port, close_after)
            attempts, rate, settled = kiosk_run(proxy, password, args.seconds)
            proxy.close()
            print(
                f"{name:56s} {attempts:5d} attempts in {args.seconds:.0f} s = {rate:7.1f}/min "
                f"(second half {settled:6.1f}/min; {rate / baseline:.4f} x baseline; goal <= 10/min "
                f"once backed off)"
            )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
