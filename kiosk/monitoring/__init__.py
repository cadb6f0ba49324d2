"""Fleet monitoring: a health snapshot of the kiosk, Prometheus metrics and webhook alerts.

Nothing here ever carries personal data: a :class:`~kiosk.monitoring.health.HealthSnapshot` has no
field that could hold a pass number, name or title; it describes devices, the ILS link and the queue.
"""
