"""SIP2 over TLS: the simulator wraps connections when given a server SSLContext."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from sip2.client import ClientSettings, Sip2Client
from sip2.codec import decode_frame, encode
from sip2.errors import Sip2ConnectionError
from sip2.messages import LoginRequest, LoginResponse
from sip2.simulator import IlsSimulator
from sip2.simulator import demo as d
from tests.simulator.rawsip import USERS
from tests.simulator.tlscert import server_context


def test_raw_tls_round_trip_and_plain_tcp_is_rejected(tmp_path: Path) -> None:
    context, ca = server_context(tmp_path)
    with IlsSimulator(users=USERS, tls=context) as sim:
        assert sim.url.startswith("tls://")
        client_ctx = ssl.create_default_context(cafile=str(ca))
        with (
            socket.create_connection(("127.0.0.1", sim.port), timeout=15) as raw,
            client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            tls.sendall(encode(LoginRequest(user_id="kiosk", password="secret"), sequence=0))
            data = b""
            while not data.endswith(b"\r"):
                data += tls.recv(4096)
            reply = decode_frame(data).message
            assert isinstance(reply, LoginResponse) and reply.ok
        with socket.create_connection(("127.0.0.1", sim.port), timeout=15) as plain:
            plain.sendall(encode(LoginRequest(user_id="kiosk", password="secret"), sequence=0))
            try:
                answer = plain.recv(4096)
            except ConnectionResetError:
                answer = b""
            assert b"941" not in answer  # a failed handshake (alert or reset), never a SIP2 reply


def test_client_over_tls_verifies_the_certificate(tmp_path: Path) -> None:
    context, ca = server_context(tmp_path)
    with IlsSimulator(users=USERS, tls=context) as sim:
        settings = ClientSettings(
            host="127.0.0.1",
            port=sim.port,
            user="kiosk",
            password=USERS["kiosk"],
            institution=d.INSTITUTION,
            keepalive_interval=0,
            connect_timeout=15.0,  # the default 1.5 s bounds TCP + TLS + login: too tight on loaded CI
            read_timeout=15.0,
            tls=True,
            tls_ca_file=str(ca),
        )
        with Sip2Client(settings) as client:
            assert client.checkout(d.NORMAL, d.AVAILABLE).ok
        untrusted = ClientSettings(
            host="127.0.0.1",
            port=sim.port,
            user="kiosk",
            password=USERS["kiosk"],
            keepalive_interval=0,
            tls=True,
        )
        with pytest.raises(Sip2ConnectionError):
            Sip2Client(untrusted).connect()
