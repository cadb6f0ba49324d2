"""Device drivers: one small interface per device kind, backends chosen by URL, a fake for each.

Which backend opens which URL scheme is one table, :mod:`drivers.registry` (``open_device(kind, url)``,
``schemes(kind)``); the URL grammar is :mod:`drivers.url`; every error is in the tree of
:mod:`drivers.errors`. Never imports from ``kiosk``. Optional libraries (pyscard, python-escpos, pyserial)
are imported lazily, when a backend is opened, so a missing library fails with a message saying what to
install.
"""
