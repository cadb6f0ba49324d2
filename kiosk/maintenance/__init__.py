"""Maintenance mode: technician access (card or gesture, then PIN with lockout), status, device tests,
queue actions, the recent log. The logic here is pure; the screens are in :mod:`kiosk.ui`."""
