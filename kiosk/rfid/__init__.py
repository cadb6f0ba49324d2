"""Items on the RFID pad in the running kiosk: the pad watcher, the tag security service (with its durable
"security pending" record) and the wiring into the kiosk runtime. The decisions (what is lent, what is
switched when) live in :mod:`kiosk.core.pad`; this package does the tag I/O. See docs/rfid.md
"Borrowing and returning with the pad".
"""
