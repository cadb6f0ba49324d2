"""TLS: CA-verified server certificate (on by default), hostname check, optional client certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sip2.client import Sip2Client
from sip2.errors import Sip2ConfigurationError, Sip2ConnectionError
from tests.sip2.conftest import ITEM, FakeAcs, settings_for


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    ca: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name, issuer_key = issuer if issuer else (name, key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None = None) -> None:
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate and a foreign CA."""
    root = tmp_path_factory.mktemp("pki")
    ca_key, other_key = _key(), _key()
    ca = _cert("Test CA", ca_key, None, ca=True)
    _write(root / "ca", ca)
    _write(root / "other-ca", _cert("Other CA", other_key, None, ca=True))
    server_key, client_key = _key(), _key()
    _write(root / "server", _cert("localhost", server_key, (ca.subject, ca_key)), server_key)
    _write(root / "client", _cert("kiosk", client_key, (ca.subject, ca_key)), client_key)
    return root


def _server_context(pki: Path, require_client_cert: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.crt", pki / "server.key")
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki / "ca.crt")
    return context


def test_tls_with_ca_file_verifies_and_works(pki: Path) -> None:
    server = FakeAcs(tls=_server_context(pki)).start()
    client = Sip2Client(settings_for(server.port, tls=True, tls_ca_file=str(pki / "ca.crt")))
    client.connect()
    assert client.item_information(ITEM).item_id == ITEM
    client.close()
    server.stop()


def test_tls_rejects_a_server_signed_by_another_ca(pki: Path) -> None:
    server = FakeAcs(tls=_server_context(pki)).start()
    client = Sip2Client(settings_for(server.port, tls=True, tls_ca_file=str(pki / "other-ca.crt")))
    with pytest.raises(Sip2ConnectionError, match="TLS"):
        client.connect()
    assert server.received == []
    server.stop()


def test_tls_hostname_is_checked(pki: Path) -> None:
    server = FakeAcs(tls=_server_context(pki)).start()
    client = Sip2Client(
        settings_for(
            server.port, tls=True, tls_ca_file=str(pki / "ca.crt"), tls_server_name="ils.example.org"
        )
    )
    with pytest.raises(Sip2ConnectionError):
        client.connect()
    unverified = Sip2Client(
        settings_for(server.port, tls=True, tls_verify=False, tls_server_name="ils.example.org")
    )
    unverified.connect()  # verification explicitly off: accepted
    unverified.close()
    server.stop()


def test_tls_client_certificate(pki: Path) -> None:
    server = FakeAcs(tls=_server_context(pki, require_client_cert=True)).start()
    with_cert = Sip2Client(
        settings_for(
            server.port,
            tls=True,
            tls_ca_file=str(pki / "ca.crt"),
            tls_cert_file=str(pki / "client.crt"),
            tls_key_file=str(pki / "client.key"),
        )
    )
    with_cert.connect()
    assert with_cert.online
    with_cert.close()
    without = Sip2Client(settings_for(server.port, tls=True, tls_ca_file=str(pki / "ca.crt")))
    with pytest.raises(Sip2ConnectionError):
        without.connect()
    server.stop()


def test_missing_ca_file_is_a_configuration_error(pki: Path) -> None:
    server = FakeAcs(tls=_server_context(pki)).start()
    client = Sip2Client(settings_for(server.port, tls=True, tls_ca_file=str(pki / "missing.crt")))
    with pytest.raises(Sip2ConfigurationError):
        client.connect()
    server.stop()
