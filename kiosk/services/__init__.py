"""Services that carry out the session's effects: circulation (SIP2 + offline queue), receipts.
Each runs its I/O off the UI thread and posts result events back. Payments have their own package
(:mod:`kiosk.payments`, its worker thread in :mod:`kiosk.payments.worker`); monitoring is
:mod:`kiosk.monitoring`."""
