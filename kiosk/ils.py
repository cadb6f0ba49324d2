"""Old name of :mod:`kiosk.ils_connection` (from ``[sip2]`` to a SIP2 client)."""

# old name, kept for branches in flight; remove after merge
from kiosk.ils_connection import IlsAddress, client_settings, ils_address, start_embedded_ils

__all__ = ["IlsAddress", "client_settings", "ils_address", "start_embedded_ils"]
