"""An ILS simulator: a SIP2 ACS over TCP on 127.0.0.1 with realistic Dutch library data.

``IlsSimulator`` (:mod:`sip2.simulator.server`) serves many connections with one persistent
:class:`~sip2.simulator.library.Library`; ``sim.faults`` switches fault modes at runtime.
"""

from __future__ import annotations

from sip2.simulator.faults import Faults
from sip2.simulator.library import Library, PatronView
from sip2.simulator.server import DEMO_USERS, IlsSimulator

__all__ = ["DEMO_USERS", "Faults", "IlsSimulator", "Library", "PatronView"]
