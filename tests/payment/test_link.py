"""The link layer against a hand-driven peer on a real pty / socket: ACK, NAK, repeats, T1, fragmentation,
and the simulator's auto-reversal when the kiosk never acknowledges."""

from __future__ import annotations

import os
import socket
import threading
import time
import tty
from collections.abc import Iterator

import pytest

from drivers.errors import DeviceConfigurationError, DeviceConnectionError
from drivers.payment import Commit, Outcome, StatusInformation, open_terminal
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
from tests.payment.conftest import TEST_TIMERS, make_rig


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

    def read_events(self, until: int = 1, timeout: float = 3.0) -> list[EventKind]:
        """Read until ``until`` events arrived (or the timeout passed)."""
        kinds: list[EventKind] = []
        deadline = time.monotonic() + timeout
        while len(kinds) < until and time.monotonic() < deadline:
            kinds += [e.kind for e in self.parser.feed(self.channel.read(0.05))]
        return kinds

    def close(self) -> None:
        self.channel.close()
        os.close(self._slave)


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
    sender.join(3)
    assert not sender.is_alive()


def test_no_ack_after_two_repeats_raises(peer: Peer, link: SerialLink) -> None:
    with pytest.raises(NoAcknowledgeError):
        link.send(m.ack_apdu())
    assert peer.read_events(until=4, timeout=0.3) == [EventKind.FRAME] * 3  # first send + 2 repeats


def test_receiver_naks_bad_crc_and_acks_good_frame(peer: Peer, link: SerialLink) -> None:
    frame = encode_frame(m.intermediate_status(0x0A))
    peer.channel.write(frame[:-1] + bytes((frame[-1] ^ 0x55,)))
    assert link.receive(0.3) is None
    assert peer.read_events(1) == [EventKind.NAK]
    peer.channel.write(frame)
    assert link.receive(1.0) == m.intermediate_status(0x0A)
    assert peer.read_events(1) == [EventKind.ACK]


def test_receiver_naks_after_t1_inter_character_timeout(peer: Peer, link: SerialLink) -> None:
    frame = encode_frame(m.completion())
    peer.channel.write(frame[:4])
    assert link.receive(TEST_TIMERS.t1 * 3) is None
    assert peer.read_events(1) == [EventKind.NAK]
    peer.channel.write(frame)
    assert link.receive(1.0) == m.completion()


def test_frames_arriving_while_waiting_for_ack_are_kept(peer: Peer, link: SerialLink) -> None:
    sender = threading.Thread(target=link.send, args=(m.abort_request(),))
    sender.start()
    assert peer.read_events(1) == [EventKind.FRAME]
    peer.channel.write(encode_frame(m.intermediate_status(0x17)) + bytes((ACK,)))
    sender.join(3)
    assert link.receive(0.5) == m.intermediate_status(0x17)


def test_tcp_link_reassembles_fragments() -> None:
    ours, theirs = socket.socketpair()
    link = TcpLink(SocketChannel(ours), TEST_TIMERS)
    try:
        raw = encode_apdu(m.print_line("x" * 300)) + encode_apdu(m.completion())
        for i in range(0, len(raw), 7):
            theirs.sendall(raw[i : i + 7])
        assert link.receive(1.0) == m.print_line("x" * 300)
        assert link.receive(1.0) == Apdu(6, 0x0F)
        theirs.close()
        with pytest.raises(DeviceConnectionError):
            link.receive(1.0)
    finally:
        link.close()


def test_kiosk_never_acks_status_information_terminal_auto_reverses() -> None:
    rig = make_rig("pty")
    try:
        faults = LinkFaults(swallow_hook=lambda apdu: apdu.command == m.STATUS_INFORMATION)
        rig.term.link.faults = faults  # type: ignore[attr-defined]
        result = rig.term.authorize(400)
        assert result.outcome is Outcome.UNKNOWN
        assert [(t.amount, t.state) for t in rig.sim.books.payments()] == [(400, REVERSED)]
        faults.swallow_hook = None
        assert rig.term.repeat_receipt() is None  # recovery: never reached the terminal's memory
    finally:
        rig.term.close()


@pytest.mark.parametrize("transport", ["pty", "tcp"])
def test_vending_timeout_terminal_auto_reverses(transport: str) -> None:
    rig = make_rig(transport)
    try:

        def slow_decision(si: StatusInformation) -> Commit:
            time.sleep(rig.sim.settings.commit_timeout * 2)  # the SIP2 fee paid took too long
            return Commit()

        result = rig.term.authorize(400, decide=slow_decision)
        assert result.outcome is Outcome.UNKNOWN  # never "declined", never "paid"
        assert [(t.amount, t.state) for t in rig.sim.books.payments()] == [(400, REVERSED)]
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


def test_line_noise_only_gets_naks_and_the_link_survives(peer: Peer, link: SerialLink) -> None:
    import random

    rng = random.Random(20007)
    noise = bytes(rng.randrange(256) for _ in range(2000)).replace(b"\x10\x02", b"\x10\x05")
    peer.channel.write(noise)
    while link.receive(TEST_TIMERS.t1 * 2) is not None:
        pass  # noise that happens to contain a whole valid frame would be delivered; none does here
    kinds = set(peer.read_events(until=10**6, timeout=0.3))
    assert kinds == {EventKind.NAK}
    peer.channel.write(encode_frame(m.completion()))
    assert link.receive(1.0) == m.completion()


def test_t1_counts_across_short_receive_slices(peer: Peer, link: SerialLink) -> None:
    frame = encode_frame(m.completion())
    peer.channel.write(frame[:3])
    for _ in range(20):  # the command layer polls in slices shorter than T1
        assert link.receive(TEST_TIMERS.t1 / 4) is None
    assert peer.read_events(1) == [EventKind.NAK]
