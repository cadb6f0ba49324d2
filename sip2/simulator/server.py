"""``IlsSimulator``: a SIP2 ACS over TCP on 127.0.0.1, one thread per connection, shared state.

    sim = IlsSimulator(host="127.0.0.1", port=0, users={"kiosk": "secret"}, state_file=None)
    sim.start()            # binds; port 0 picks a free port, kept across stop()/start()
    sim.port, sim.library, sim.faults
    sim.stop()             # closes the listener and every connection; the library stays

With ``state_file`` the library is loaded from that JSON file at start (demo data when it does not
exist yet) and written back after every applied transaction, so the books survive a process restart.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from sip2.errors import Sip2ConfigurationError
from sip2.simulator.demo import INSTITUTION, LIBRARIES
from sip2.simulator.dialects import SimDialect
from sip2.simulator.faults import Faults
from sip2.simulator.library import Library
from sip2.simulator.session import AcsSession

log = logging.getLogger(__name__)

#: Login users of the default demo setup (``config.toml``'s ``[sip2]`` user and password).
DEMO_USERS: Mapping[str, str] = {"kiosk": "demo"}
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class IlsSimulator:
    """A simulated ILS speaking SIP2 2.00 (plus OCLC Wise SIP2+ 41/42) over TCP.

    ``users`` maps login user ids (CN) to passwords (CO); ``None`` means :data:`DEMO_USERS`, an empty
    mapping means no login is required.  ``tls`` (a server-side :class:`ssl.SSLContext`) serves SIP2
    over TLS, as stunnel or edge-sip2's ``netServerOptions.ssl`` would.  Only loopback addresses may be
    bound unless ``allow_non_loopback`` is set.  ``library`` defaults to :meth:`Library.demo`.
    ``dialect`` (``default``, ``evergreen``, ``3m``, ``koha``, ``wise``) and ``strict`` choose how it
    speaks (:mod:`sip2.simulator.dialects`): fee-line format, padded lists, UTC dates, refusals.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        users: Mapping[str, str] | None = None,
        state_file: str | Path | None = None,
        *,
        library: Library | None = None,
        institution: str = INSTITUTION,
        encoding: str = "cp850",
        wise_sip2plus: bool = True,
        idle_timeout: float | None = None,
        faults: Faults | None = None,
        tls: ssl.SSLContext | None = None,
        allow_non_loopback: bool = False,
        dialect: str | SimDialect = "default",
        strict: bool = False,
    ) -> None:
        if host not in _LOOPBACK and not allow_non_loopback:
            raise Sip2ConfigurationError(f"the simulator binds loopback only, not {host!r}")
        self.host = host
        self.port = port
        self.users: dict[str, str] = dict(DEMO_USERS if users is None else users)
        self.state_file = Path(state_file) if state_file is not None else None
        self.institution = institution
        self.library_name = LIBRARIES.get(institution, institution)
        self.encoding = encoding
        self.wise_sip2plus = wise_sip2plus
        self.idle_timeout = idle_timeout
        self.tls = tls
        self.faults = faults or Faults()
        #: The dialect switch and strict mode (:mod:`sip2.simulator.dialects`).
        self.dialect = dialect if isinstance(dialect, SimDialect) else SimDialect.named(dialect, strict)
        self.library = library or Library.demo()
        self.requests: Counter[str] = Counter()
        self.connections_accepted = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._sessions: dict[int, tuple[AcsSession, threading.Thread]] = {}
        self._state_loaded = False
        self._persist_lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._listener is not None

    @property
    def url(self) -> str:
        """``tcp://host:port`` for the kiosk's ``[sip2] url``."""
        return f"{'tls' if self.tls else 'tcp'}://{self.host}:{self.port}"

    def start(self) -> IlsSimulator:
        """Listen (again) on ``host:port``; returns self.  Loads the state file the first time."""
        if self._listener is not None:
            return self
        if not self._state_loaded:
            self._load_state()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
        except OSError:
            listener.close()
            raise
        listener.listen(64)
        self.port = int(listener.getsockname()[1])
        self._listener = listener
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"ils-sim-accept-{self.port}", daemon=True
        )
        self._accept_thread.start()
        log.info("ILS simulator listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop listening and close every connection (an ILS outage); the library is kept."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        try:
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        listener.close()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5)
        self.drop_connections()
        log.info("ILS simulator on port %d stopped", self.port)

    def drop_connections(self) -> None:
        """Close every open connection now (the listener stays)."""
        with self._lock:
            sessions = list(self._sessions.values())
        for session, _ in sessions:
            session.close()
        for _, thread in sessions:
            thread.join(timeout=5)

    @property
    def open_connections(self) -> int:
        """How many SC connections are currently open."""
        with self._lock:
            return len(self._sessions)

    def __enter__(self) -> IlsSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals -----------------------------------------------------------------------------------

    def count_request(self, code: str) -> None:
        """Count one handled request by message code (``sim.requests["11"]``)."""
        with self._lock:
            self.requests[code] += 1

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return  # the listener was closed by stop()
            if self.faults.reset_on_connect:
                sock.close()
                continue
            with self._lock:
                self.connections_accepted += 1
                number = self.connections_accepted
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = AcsSession(self, sock, number)
            thread = threading.Thread(
                target=self._serve, args=(session,), name=f"ils-sim-conn-{number}", daemon=True
            )
            with self._lock:
                self._sessions[number] = (session, thread)
            thread.start()

    def _serve(self, session: AcsSession) -> None:
        try:
            if self.tls is not None and not session.start_tls(self.tls):
                return
            session.serve()
        except Exception:  # a bug must not kill the server; the SC sees a dropped connection
            log.exception("connection %d failed", session.number)
        finally:
            with self._lock:
                self._sessions.pop(session.number, None)

    def _load_state(self) -> None:
        self._state_loaded = True
        if self.state_file is None:
            return
        if self.state_file.exists():
            self.library.load(self.state_file)
        else:
            self.library.save(self.state_file)
        self.library.listeners.append(self._persist)

    def _persist(self) -> None:
        """Write the state file (called under the library lock after each applied transaction)."""
        if self.state_file is not None:
            with self._persist_lock:
                self.library.save(self.state_file)
