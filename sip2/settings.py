"""Settings of the SIP2 client (what the kiosk reads from the ``[sip2]`` config section)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sip2.dialect import Dialect
from sip2.errors import Sip2ConfigurationError


@dataclass(frozen=True)
class ClientSettings:
    """Everything the client needs; the kiosk fills it from the ``[sip2]`` config section."""

    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    location: str = ""
    institution: str = ""
    dialect: Dialect = field(default_factory=Dialect)
    connect_timeout: float = 1.5
    read_timeout: float = 5.0
    keepalive_interval: float = 60.0
    retries: int = 3
    tls: bool = False
    tls_ca_file: str | None = None
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    tls_verify: bool = True
    tls_server_name: str | None = None
    terminal_password: str = field(default="", repr=False)
    language: str = "000"
    max_print_width: int = 40
    resend_timeout: float | None = None
    reconnect_backoff_max: float = 60.0
    #: Per-ILS corrections of the 98 ``BX`` field, e.g. ``{"checkin": True}`` (BX can be wrong).
    supported_overrides: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.host or not 0 < self.port < 65536:
            raise Sip2ConfigurationError(f"invalid SIP2 address {self.host!r}:{self.port}")
        for name in ("connect_timeout", "read_timeout"):
            if getattr(self, name) <= 0:
                raise Sip2ConfigurationError(f"{name} must be positive")
        if self.retries < 0:
            raise Sip2ConfigurationError("retries must not be negative")
        if len(self.language) != 3:
            raise Sip2ConfigurationError("language must be a 3-digit SIP2 language code")

    @classmethod
    def from_url(cls, url: str, **settings: Any) -> ClientSettings:
        """Settings from a ``tcp://host:port`` or ``tls://host:port`` URL plus keyword settings.

        ``tls://`` switches TLS on.  (``sim://``, the kiosk's embedded simulator, is resolved by the
        kiosk before it gets here.)
        """
        parts = urlsplit(url)
        if parts.scheme not in ("tcp", "tls") or not parts.hostname:
            raise Sip2ConfigurationError(f"SIP2 URL must be tcp://host:port or tls://host:port, not {url!r}")
        try:
            port = parts.port
        except ValueError as exc:
            raise Sip2ConfigurationError(f"invalid port in SIP2 URL {url!r}") from exc
        if port is None:
            raise Sip2ConfigurationError(f"SIP2 URL {url!r} needs a port")
        settings.setdefault("tls", parts.scheme == "tls")
        return cls(host=parts.hostname, port=port, **settings)
