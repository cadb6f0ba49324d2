"""Services that carry out the session's effects: circulation (SIP2 + offline queue), payments,
receipts, monitoring. Each runs its I/O off the UI thread and posts result events back."""
