"""The kiosk's one monitoring listener: ``/metrics`` (Prometheus text format) and ``/healthz`` (JSON).

Plain HTTP on the configured address by default (keep it on the management network or 127.0.0.1); with a
certificate and key it speaks TLS, and with a client CA it also demands a client certificate signed by
that CA (the fleet's Prometheus), so nobody else on the library's network can read it.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

log = logging.getLogger(__name__)

HealthSource = Callable[[], dict[str, Any] | None]


@dataclass(frozen=True)
class ListenerTls:
    """TLS for the listener: server certificate and key; ``client_ca_file`` turns on client-cert auth."""

    cert_file: str = ""
    key_file: str = ""
    client_ca_file: str = ""

    def context(self) -> ssl.SSLContext | None:
        """The server's TLS context, or None for plain HTTP."""
        if not self.cert_file:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.cert_file, self.key_file or None)
        if self.client_ca_file:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=self.client_ca_file)
        return ctx


class _QuietHandler(WSGIRequestHandler):
    """No access log line per scrape (a scrape every 15 s would flood the journal)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def monitoring_app(
    registry: CollectorRegistry, health: HealthSource | None
) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: /metrics from ``registry``, /healthz from ``health()`` (None = not yet)."""
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            snapshot = health() if health is not None else None
            status = "200 OK" if snapshot is not None else "503 Service Unavailable"
            body = json.dumps(
                {"status": "ok" if snapshot is not None else "starting", "health": snapshot}, default=str
            ).encode()
            start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [body]
        if path in ("/metrics", "/"):
            return metrics_app(environ, start_response)  # type: ignore[no-any-return]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics or /healthz\n"]

    return app


@dataclass
class MonitoringListener:
    """A running listener; ``close()`` stops it."""

    server: ThreadingWSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.server.server_address[1])

    def close(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_listener(
    registry: CollectorRegistry,
    address: str,
    port: int,
    health: HealthSource | None = None,
    tls: ListenerTls | None = None,
) -> MonitoringListener:
    """Serve /metrics and /healthz on ``address:port`` (port 0 here means any free port) in a thread."""
    server = make_server(
        address, port, monitoring_app(registry, health), ThreadingWSGIServer, handler_class=_QuietHandler
    )
    ctx = (tls or ListenerTls()).context()
    if ctx is not None:
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="monitoring-listener", daemon=True)
    thread.start()
    scheme = "https" if ctx is not None else "http"
    log.info("monitoring on %s://%s:%d/metrics and /healthz", scheme, address, int(server.server_address[1]))
    return MonitoringListener(server, thread)
