"""Where the ILS is and how to reach it: from the ``[sip2]`` configuration to a SIP2 client (one place,
used by the runtime and the CLI; :mod:`kiosk.payments.ils` is the payment flow's fee calls instead).

``sim://`` means the embedded ILS simulator (:class:`sip2.simulator.IlsSimulator`), started in this
process on 127.0.0.1 with a free port; ``tcp://host:port`` and ``tls://host:port`` are a real ILS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from kiosk.config_schema import Sip2Config
from kiosk.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IlsAddress:
    """Where the ILS listens: ``scheme`` is ``sim``, ``tcp`` or ``tls``."""

    scheme: str
    host: str = ""
    port: int = 0

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}" if self.host else f"{self.scheme}://"


def ils_address(sip2: Sip2Config) -> IlsAddress:
    """Parse ``[sip2] url`` (already validated by the config loader)."""
    parts = urlsplit(sip2.url)
    if parts.scheme == "sim":
        return IlsAddress("sim")
    if parts.scheme in ("tcp", "tls") and parts.hostname and parts.port:
        return IlsAddress(parts.scheme, parts.hostname, parts.port)
    raise ConfigError(f"[sip2] url: expected sim://, tcp://HOST:PORT or tls://HOST:PORT, got {sip2.url!r}")


def start_embedded_ils(sip2: Sip2Config, state_file: Path | None = None) -> Any:
    """Start the ILS simulator for ``sim://`` with the configured login; the caller stops it.

    ``state_file`` keeps the demo library's books (loans, paid fees) across restarts of the kiosk.
    """
    from sip2.simulator import IlsSimulator

    simulator = IlsSimulator(
        port=0,
        users={sip2.user: sip2.password},
        state_file=state_file,
        institution=sip2.institution,
        encoding=sip2.encoding,
        wise_sip2plus=True,
    )
    simulator.start()
    log.info("embedded ILS simulator listening on 127.0.0.1:%d", simulator.port)
    return simulator


def client_settings(sip2: Sip2Config, address: IlsAddress, **overrides: Any) -> Any:
    """Build :class:`sip2.client.ClientSettings` from ``[sip2]``; ``overrides`` replace single fields."""
    from sip2.client import ClientSettings
    from sip2.dialect import Dialect, ErrorDetection, Terminator, TimestampZone

    values: dict[str, Any] = {
        "host": address.host,
        "port": address.port,
        "user": sip2.user,
        "password": sip2.password,
        "location": sip2.location,
        "institution": sip2.institution,
        "dialect": Dialect(
            terminator=cast("Terminator", sip2.terminator),  # the config schema checks the choices
            encoding=sip2.encoding,
            error_detection=cast("ErrorDetection", sip2.error_detection),
            timestamps=cast("TimestampZone", sip2.timestamps),
            wise_sip2plus=sip2.wise_sip2plus,
            fee_format=sip2.fee_format,
        ),
        "connect_timeout": sip2.connect_timeout,
        "read_timeout": sip2.read_timeout,
        "keepalive_interval": sip2.keepalive_interval,
        "retries": sip2.retries,
        "tls": address.scheme == "tls",
        "tls_ca_file": sip2.tls_ca_file or None,
        "tls_cert_file": sip2.tls_cert_file or None,
        "tls_key_file": sip2.tls_key_file or None,
        "tls_verify": sip2.tls_verify,
    }
    values.update(overrides)
    return ClientSettings(**values)
