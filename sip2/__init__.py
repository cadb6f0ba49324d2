"""A complete SIP2 2.00 library (codec, sans-IO connection, blocking client, ILS simulator).

Usable without the kiosk: nothing here imports from ``kiosk`` or ``drivers``.
"""
