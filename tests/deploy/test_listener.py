"""/metrics and /healthz on one listener, plain and with TLS + client-certificate auth; metric names
checked by promtool when it is installed (make deploy-check installs it)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.monitoring.health import DeviceHealth, HealthSnapshot
from kiosk.monitoring.listener import ListenerTls
from kiosk.monitoring.metrics import KioskMetrics, start_metrics_server


def _snapshot() -> HealthSnapshot:
    return HealthSnapshot(
        ils_online=True,
        queue_depth=2,
        printer_paper="out",
        devices=(DeviceHealth("printer", "error", "paper"),),
        payment_enabled=True,
    )


def test_healthz_says_starting_until_the_first_snapshot_then_serves_it(free_port: int) -> None:
    metrics = KioskMetrics()
    current: dict[str, Any] = {}
    server = start_metrics_server(metrics, "127.0.0.1", free_port, lambda: current.get("snap"))
    assert server is not None
    try:
        first = requests.get(f"http://127.0.0.1:{free_port}/healthz", timeout=15)
        current["snap"] = _snapshot().to_json()
        second = requests.get(f"http://127.0.0.1:{free_port}/healthz", timeout=15)
        metrics_text = requests.get(f"http://127.0.0.1:{free_port}/metrics", timeout=15).text
        missing = requests.get(f"http://127.0.0.1:{free_port}/nothing", timeout=15)
    finally:
        server.close()
    assert first.status_code == 503 and first.json()["status"] == "starting"
    assert second.status_code == 200
    assert second.json()["health"]["queue_depth"] == 2
    assert second.json()["health"]["devices"]["printer"]["state"] == "error"
    assert "kiosk_build_info" in metrics_text
    assert missing.status_code == 404


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: Any = None) -> None:
    data = cert.public_bytes(serialization.Encoding.PEM)
    path.write_bytes(data)
    if key is not None:
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


def test_tls_with_client_certificates_refuses_strangers(tmp_path: Path, free_port: int) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("fleet CA", ca_key, "fleet CA", ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    _write(tmp_path / "ca.pem", ca)
    _write(tmp_path / "server.pem", _cert("kiosk", server_key, "fleet CA", ca_key), server_key)
    _write(tmp_path / "client.pem", _cert("prometheus", client_key, "fleet CA", ca_key), client_key)
    tls = ListenerTls(str(tmp_path / "server.pem"), str(tmp_path / "server.key"), str(tmp_path / "ca.pem"))
    server = start_metrics_server(KioskMetrics(), "127.0.0.1", free_port, lambda: {"ok": 1}, tls)
    assert server is not None
    url = f"https://127.0.0.1:{free_port}"
    try:
        ok = requests.get(
            f"{url}/metrics",
            timeout=15,
            verify=str(tmp_path / "ca.pem"),
            cert=(str(tmp_path / "client.pem"), str(tmp_path / "client.key")),
        )
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.get(f"{url}/healthz", timeout=15, verify=str(tmp_path / "ca.pem"))  # no client cert
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://127.0.0.1:{free_port}/metrics", timeout=15)  # plain HTTP
    finally:
        server.close()
    assert ok.status_code == 200 and "kiosk_build_info" in ok.text


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (make deploy-check)")
def test_metric_names_pass_promtool(free_port: int) -> None:
    metrics = KioskMetrics()
    metrics.update(_snapshot())
    metrics.count_transaction("loan", "ok")
    metrics.observe_ils_latency(0.2)
    server = start_metrics_server(metrics, "127.0.0.1", free_port)
    assert server is not None
    try:
        text = requests.get(f"http://127.0.0.1:{free_port}/metrics", timeout=15).text
    finally:
        server.close()
    result = subprocess.run(
        ["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result
