"""Issue 12 item 1: one NAK per bad frame, never per stray byte, over real ptys.

* line noise between the terminal's frames is discarded (no NAK), so the terminal never reads stale
  NAKs, never repeats frames, and the kiosk never processes copies (the receipt has its lines once);
* a frame paused past T1 half-way gets one NAK, not one per byte of its tail;
* a frame repeated because our ACK got lost is acknowledged again but delivered once.
"""

from __future__ import annotations

import os
import random
import threading
import tty
from collections.abc import Iterator

import pytest

from drivers.payment import ZvtTerminal
from drivers.payment import messages as m
from drivers.payment.codec import ACK, DLE, NAK, EventKind, encode_frame
from drivers.payment.link import FdChannel, LinkFaults, SerialChannel, SerialLink
from drivers.payment.sim_books import COMMITTED, Books
from drivers.payment.simulator import TerminalSimulator
from tests.foundation.waiting import wait_until
from tests.payment.conftest import PASSWORD, SILENT_TIMERS, SIM_SETTINGS, TEST_TIMERS
from tests.payment.test_link import Peer, receive_nothing_until_nak


class NoisyChannel:
    """The terminal's end of a noisy line: a burst of junk goes out before every frame it sends."""

    def __init__(self, inner: FdChannel, seed: int = 12) -> None:
        self.inner = inner
        self.rng = random.Random(seed)
        self.bursts = 0

    def write(self, data: bytes) -> None:
        if len(data) > 1:  # a frame (single bytes are ACK/NAK)
            junk = bytes(self.rng.choice([b for b in range(256) if b not in (DLE, ACK, NAK)])
                         for _ in range(self.rng.randrange(1, 9)))  # fmt: skip
            self.bursts += 1
            data = junk + data
        self.inner.write(data)

    def read(self, timeout: float) -> bytes:
        return self.inner.read(timeout)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def peer() -> Iterator[Peer]:
    p = Peer()
    yield p
    p.close()


@pytest.fixture
def noisy() -> Iterator[tuple[ZvtTerminal, TerminalSimulator, NoisyChannel]]:
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    sim = TerminalSimulator(SIM_SETTINGS, Books(), TEST_TIMERS)
    channel = NoisyChannel(FdChannel(master))
    sim_link = SerialLink(channel, TEST_TIMERS, LinkFaults())  # type: ignore[arg-type]
    sim_link.strict_ack = True  # a stale NAK would be a failed try: it must never come
    thread = threading.Thread(target=sim.serve, args=(sim_link,), daemon=True)
    thread.start()
    term = ZvtTerminal(SerialLink(SerialChannel(os.ttyname(slave)), TEST_TIMERS), password=PASSWORD)
    try:
        yield term, sim, channel
    finally:
        term.close()
        sim.stop()
        thread.join(timeout=10)
        channel.close()
        os.close(slave)


def test_noise_between_frames_gets_no_nak_and_the_receipt_comes_once(
    noisy: tuple[ZvtTerminal, TerminalSimulator, NoisyChannel],
) -> None:
    term, sim, channel = noisy
    term.register()
    sim.push("receipt")
    result = term.authorize(1250, vending=False)
    assert result.paid
    assert result.receipt_lines == sim.settings.receipt_lines  # each line once, not once per copy
    assert [p.state for p in sim.books.payments()] == [COMMITTED]
    assert channel.bursts >= 8  # noise really came before each of the terminal's frames
    sim_link = sim._link
    assert isinstance(sim_link, SerialLink) and sim_link.failed_tries == 0  # never a stale NAK


def test_a_frame_paused_past_t1_gets_one_nak(peer: Peer) -> None:
    link = SerialLink(SerialChannel(peer.path), SILENT_TIMERS)  # T1 0.1 s: the pause is on purpose
    try:
        text = "x" * 40 + "\x06\x15" + "y" * 20  # its tail holds the bytes of ACK and NAK
        frame = encode_frame(m.print_line(text))
        peer.channel.write(frame[:20])
        # the kiosk gives up on the paused frame: one NAK (receiving in slices until it comes)
        receive_nothing_until_nak(link, peer, SILENT_TIMERS.t1 / 2)
        peer.channel.write(frame[20:])  # the rest of the paused frame arrives late
        assert link.receive(SILENT_TIMERS.t1 * 5) is None
        assert peer.read_events(10**6, timeout=0.5) == []  # no NAK for its tail, no false ACK either
        peer.channel.write(frame)  # the terminal repeats the whole frame after our NAK
        got = link.receive(30.0)
        assert got == m.print_line(text)
        assert peer.read_events(1) == [EventKind.ACK]
    finally:
        link.close()


def test_a_frame_repeated_after_a_lost_ack_is_acked_but_processed_once(peer: Peer) -> None:
    link = SerialLink(SerialChannel(peer.path), TEST_TIMERS)
    try:
        line = encode_frame(m.print_line("------"))
        peer.channel.write(line)
        assert link.receive(30.0) == m.print_line("------")
        assert peer.read_events(1) == [EventKind.ACK]
        peer.channel.write(line)  # our ACK was lost: the terminal sends the same frame again

        def received_nothing_and_peer_saw() -> list[EventKind]:
            assert link.receive(0.1) is None
            return peer.read_events(1, timeout=0.0)

        # receiving in slices: nothing is delivered, until the repeat is acknowledged
        acks = wait_until(received_nothing_and_peer_saw, what="the repeat acknowledged", interval=0)
        assert acks == [EventKind.ACK] and link.repeats_dropped == 1
        assert link.receive(0.3) is None
        # once we answered, an equal frame is a new message (a second "------" receipt line)
        sender = threading.Thread(target=link.send, args=(m.ack_apdu(),))
        sender.start()
        assert peer.read_events(1) == [EventKind.FRAME]
        peer.channel.write(bytes((ACK,)))
        sender.join(timeout=30)
        peer.channel.write(line)
        assert link.receive(30.0) == m.print_line("------")
    finally:
        link.close()
