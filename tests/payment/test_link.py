"""The link layer against a hand-driven peer on a real pty / socket: ACK, NAK, repeats, T1, fragmentation,
and the simulator's auto-reversal when the kiosk never acknowledges."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import socket
import struct
import termios
import threading
import time
import tty
from collections.abc import Iterator

import pytest

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.payment import Commit, Outcome, StatusEvent, StatusInformation, open_terminal
from drivers.payment import messages as m
from drivers.payment.codec import ACK, NAK, Apdu, EventKind, FrameParser, encode_apdu, encode_frame
from drivers.payment.link import (
    FdChannel,
    LinkFaults,
    NoAcknowledgeError,
    SerialChannel,
    SerialLink,
    SocketChannel,
    TcpLink,
)
from drivers.payment.sim_books import REVERSED
from tests.foundation.waiting import wait_until
from tests.payment.conftest import (
    QUIET_T4,
    SILENT_TIMERS,
    SIM_SETTINGS,
    TEST_TIMERS,
    make_rig,
)


class Peer:
    """The far end of a pty pair, driven byte by byte by the test."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self.channel = FdChannel(self.master)
        self.parser = FrameParser()

    def read_events(self, until: int = 1, timeout: float = 30.0) -> list[EventKind]:
        """Read until ``until`` events arrived, or nothing more arrives once ``timeout`` has passed.

        What is already on the line is always read (a reader held up past the deadline still gets it).
        """
        kinds: list[EventKind] = []
        deadline = time.monotonic() + timeout
        while len(kinds) < until:
            data = self.channel.read(0.05)
            if data:
                kinds += [e.kind for e in self.parser.feed(data)]
            elif time.monotonic() >= deadline:
                break
        return kinds

    def close(self) -> None:
        self.channel.close()
        os.close(self._slave)


def receive_nothing_until_nak(link: SerialLink, peer: Peer, slice_s: float, bound: float = 30.0) -> None:
    """Let the link receive (in ``slice_s`` slices, each giving nothing) until the peer sees its NAK.

    A single short ``receive`` could return before the link even read the line if its thread is held
    up; repeating the slices until the NAK arrives does not depend on that.
    """

    def received_nothing_and_peer_saw() -> list[EventKind]:
        assert link.receive(slice_s) is None
        return peer.read_events(1, timeout=0.0)

    kinds = wait_until(received_nothing_and_peer_saw, what="the NAK at the peer", timeout=bound, interval=0)
    assert kinds == [EventKind.NAK]


@pytest.fixture
def peer() -> Iterator[Peer]:
    p = Peer()
    yield p
    p.close()


@pytest.fixture
def link(peer: Peer) -> Iterator[SerialLink]:
    lk = SerialLink(SerialChannel(peer.path), TEST_TIMERS)  # pyserial on a pty: modem lines raise ENOTTY
    yield lk
    lk.close()


def test_send_repeats_after_nak(peer: Peer, link: SerialLink) -> None:
    sender = threading.Thread(target=link.send, args=(m.status_enquiry("123456"),))
    sender.start()
    assert peer.read_events(1) == [EventKind.FRAME]
    peer.channel.write(bytes((NAK,)))
    assert peer.read_events(1) == [EventKind.FRAME]  # the repeat
    peer.channel.write(bytes((ACK,)))
    sender.join(30)
    assert not sender.is_alive()


def test_no_ack_after_two_repeats_raises(peer: Peer, link: SerialLink) -> None:
    link.timers = SILENT_TIMERS  # the peer never answers: a short T2 can only run out rightly
    with pytest.raises(NoAcknowledgeError):
        link.send(m.ack_apdu())
    # all three are on the line once send() gave up; a fourth would have to come within 0.3 s
    assert peer.read_events(until=4, timeout=0.3) == [EventKind.FRAME] * 3  # first send + 2 repeats


def test_receiver_naks_bad_crc_and_acks_good_frame(peer: Peer, link: SerialLink) -> None:
    frame = encode_frame(m.intermediate_status(0x0A))
    peer.channel.write(frame[:-1] + bytes((frame[-1] ^ 0x55,)))
    receive_nothing_until_nak(link, peer, 0.1)
    peer.channel.write(frame)
    assert link.receive(30.0) == m.intermediate_status(0x0A)
    assert peer.read_events(1) == [EventKind.ACK]


def test_receiver_naks_after_t1_inter_character_timeout(peer: Peer, link: SerialLink) -> None:
    link.timers = SILENT_TIMERS  # the rest of the frame never comes: a short T1 runs out rightly
    frame = encode_frame(m.completion())
    peer.channel.write(frame[:4])
    receive_nothing_until_nak(link, peer, SILENT_TIMERS.t1 * 3)
    peer.channel.write(frame)
    assert link.receive(30.0) == m.completion()


def test_frames_arriving_while_waiting_for_ack_are_kept(peer: Peer, link: SerialLink) -> None:
    sender = threading.Thread(target=link.send, args=(m.abort_request(),))
    sender.start()
    assert peer.read_events(1) == [EventKind.FRAME]
    peer.channel.write(encode_frame(m.intermediate_status(0x17)) + bytes((ACK,)))
    sender.join(30)
    assert not sender.is_alive()
    assert link.receive(30.0) == m.intermediate_status(0x17)


def test_tcp_link_reassembles_fragments() -> None:
    ours, theirs = socket.socketpair()
    link = TcpLink(SocketChannel(ours), TEST_TIMERS)
    try:
        raw = encode_apdu(m.print_line("x" * 300)) + encode_apdu(m.completion())
        for i in range(0, len(raw), 7):
            theirs.sendall(raw[i : i + 7])
        assert link.receive(30.0) == m.print_line("x" * 300)
        assert link.receive(30.0) == Apdu(6, 0x0F)
        theirs.close()
        with pytest.raises(DeviceConnectionError):
            link.receive(30.0)
    finally:
        link.close()


def test_kiosk_never_acks_status_information_terminal_auto_reverses() -> None:
    # The kiosk swallows the Status-Information on purpose, so only the waits on that silence are short:
    # the terminal's T2 from "please wait" on (its last message the kiosk acknowledges), and the
    # kiosk's T4 (its Completion never comes).
    rig = make_rig("pty", kiosk_timers=dataclasses.replace(TEST_TIMERS, t4=QUIET_T4))
    try:
        faults = LinkFaults(swallow_hook=lambda apdu: apdu.command == m.STATUS_INFORMATION)
        rig.term.link.faults = faults  # type: ignore[attr-defined]

        def on_status(event: object) -> None:
            if isinstance(event, StatusEvent) and event.key == "please_wait":
                assert rig.sim._link is not None  # its ACK of "please wait" came already
                rig.sim._link.timers = SILENT_TIMERS

        rig.term.on_status = on_status
        result = rig.term.authorize(400)
        assert result.outcome is Outcome.UNKNOWN
        wait_until(lambda: [(t.amount, t.state) for t in rig.sim.books.payments()] == [(400, REVERSED)],
                   what="the terminal reversed the payment nobody acknowledged")  # fmt: skip
        assert rig.sim._link is not None
        rig.sim._link.timers = TEST_TIMERS
        faults.swallow_hook = None
        assert rig.term.repeat_receipt() is None  # recovery: never reached the terminal's memory
    finally:
        rig.term.close()


@pytest.mark.parametrize("transport", ["pty", "tcp"])
def test_vending_timeout_terminal_auto_reverses(transport: str) -> None:
    # The kiosk answers only after the terminal's commit window ran out: that window is short (the
    # kiosk is silent on purpose), and so is the kiosk's T4 (the terminal says nothing more).
    settings = dataclasses.replace(SIM_SETTINGS, commit_timeout=0.5)
    rig = make_rig(transport, settings=settings, kiosk_timers=dataclasses.replace(TEST_TIMERS, t4=QUIET_T4))
    try:

        def reversed_by_the_terminal() -> bool:
            return [(t.amount, t.state) for t in rig.sim.books.payments()] == [(400, REVERSED)]

        def slow_decision(si: StatusInformation) -> Commit:
            # the SIP2 fee paid took too long: the answer comes once the terminal has given up
            wait_until(reversed_by_the_terminal, what="the terminal's commit window ran out")
            return Commit()

        result = rig.term.authorize(400, decide=slow_decision)
        assert result.outcome is Outcome.UNKNOWN  # never "declined", never "paid"
        assert reversed_by_the_terminal()
    finally:
        rig.term.close()


def test_open_terminal_urls() -> None:
    for url in ("fake://", "zvt+sim://?step_delay=0&tid=12345678"):
        term = open_terminal(url, password="123456", timers=TEST_TIMERS)
        try:
            assert term.register().tid in ("52523535", "12345678")
            assert term.authorize(100).outcome is Outcome.APPROVED_COMMITTED
        finally:
            term.close()
    bad = [
        "http://x",
        "zvt+serial://",
        "zvt+serial:///dev/ttyS0?baud=fast",
        "zvt+serial:///dev/ttyS0?speed=9600",
        "zvt+tcp://host:99999",
        "zvt+sim://?scenario=explode",
    ]
    for url in bad:
        with pytest.raises(DeviceConfigurationError):
            open_terminal(url, password="123456")
    with pytest.raises(DeviceConfigurationError):
        open_terminal("fake://", password="12345")
    with pytest.raises(DeviceConnectionError):
        open_terminal("zvt+serial:///dev/does-not-exist-zvt", password="123456")
    with pytest.raises(DeviceConnectionError):
        open_terminal(f"zvt+tcp://127.0.0.1:{_closed_port()}", password="123456")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_line_noise_gets_no_naks_and_the_link_survives(peer: Peer, link: SerialLink) -> None:
    import random

    rng = random.Random(20007)
    noise = bytes(rng.randrange(256) for _ in range(2000)).replace(b"\x10\x02", b"\x10\x05")
    peer.channel.write(noise)
    while link.receive(TEST_TIMERS.t1 * 2) is not None:
        pass  # noise that happens to contain a whole valid frame would be delivered; none does here
    kinds = set(peer.read_events(until=10**6, timeout=0.3))
    assert kinds == set()  # bytes outside a frame are discarded (and logged once), never NAKed
    peer.channel.write(encode_frame(m.completion()))
    assert link.receive(30.0) == m.completion()


def test_t1_counts_across_short_receive_slices(peer: Peer, link: SerialLink) -> None:
    link.timers = SILENT_TIMERS  # the rest of the frame never comes: a short T1 runs out rightly
    frame = encode_frame(m.completion())
    peer.channel.write(frame[:3])
    # the command layer polls in slices shorter than T1: if T1 started again with each slice, no NAK ever
    receive_nothing_until_nak(link, peer, SILENT_TIMERS.t1 / 4)


def waiting_bytes(fd: int) -> int:
    """How many bytes can be read from ``fd`` now (FIONREAD)."""
    return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])


def test_a_frame_already_on_the_line_is_read_even_with_no_time_left(peer: Peer, link: SerialLink) -> None:
    # A thread held up past its deadline still looks at the line once: a waiting frame is not silence.
    frame = encode_frame(m.completion())
    peer.channel.write(frame)
    # A pty hands bytes over asynchronously: wait until the whole frame can be read (nothing consumed).
    fd = link.channel.port.fileno()  # type: ignore[attr-defined]
    wait_until(lambda: waiting_bytes(fd) >= len(frame), what="the frame on the kiosk's side of the line")
    got = link.receive(0.0)
    assert got is not None and got.command == m.completion().command
    assert peer.read_events(1) == [EventKind.ACK]


def test_tcp_link_reads_a_waiting_apdu_with_no_time_left() -> None:
    ours, theirs = socket.socketpair()
    link = TcpLink(SocketChannel(ours))
    try:
        theirs.sendall(encode_apdu(m.completion()))
        got = link.receive(0.0)
        assert got is not None and got.command == m.completion().command
    finally:
        link.close()
        theirs.close()
