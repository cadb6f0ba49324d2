"""Device drivers: one small interface per device kind, backends chosen by URL, a fake for each.

Never imports from ``kiosk``. Optional libraries (pyscard, python-escpos, pyserial) are imported lazily,
when a backend is opened, so a missing library fails with a message saying what to install.
"""
