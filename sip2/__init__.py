"""A complete SIP2 2.00 library (codec, sans-IO connection, blocking client, ILS simulator).

Usable without the kiosk: nothing here imports from ``kiosk`` or ``drivers``.

Quick API summary
-----------------
Messages are frozen dataclasses in :mod:`sip2.messages`, one per message code, both directions
(``CheckoutRequest`` 11 / ``CheckoutResponse`` 12, ``ACSStatus`` 98, ...; ``MESSAGE_TYPES`` maps
code -> class).  Fixed fields are typed attributes (``bool`` for Y/N and 1/0, ``bool | None`` for
Y/N/U, ``int | None`` for counts, ``str`` of exact width for timestamps/codes, ``PatronStatus`` for
the 14 flags); variable fields are ``str`` (required), ``str | None`` (optional), ``tuple[str, ...]``
(repeatable: AF ``screen_messages``, AG ``print_lines``, AU ``charged_items``...), ``Decimal | None``
(BV/CC), ``bool | None`` (BL/CQ/BO/BI/CI) or ``int | None`` (BP/BQ/BR/CF/BZ/CA/CB).  Unknown and
vendor fields are kept as ``extra_fields = (("GG", "..."), ...)``.  Every attribute has a default.

Encode / decode::

    from sip2.codec import encode, decode, decode_frame, FrameBuffer
    from sip2.dialect import Dialect
    from sip2.messages import CheckoutRequest, CheckoutResponse
    from sip2.fields import timestamp, PatronStatus

    dialect = Dialect(terminator="cr", encoding="cp850", error_detection="on", timestamps="local")
    wire = encode(CheckoutRequest(institution_id="WIERDEN", patron_id="2100...", item_id="3100..."),
                  dialect, sequence=3)            # bytes incl. AY3AZxxxx and the terminator
    frame = decode_frame(wire, dialect)           # Frame(message, sequence=3, checksum, checksum_valid)
    message = decode(wire, dialect)               # just the message; raises Sip2ChecksumError on bad AZ

Framing a byte stream (CR, CRLF or LF terminated; one recv() is not one message)::

    buffer = FrameBuffer()
    for raw in buffer.feed(sock.recv(4096)):      # complete frames, terminator stripped
        frame = decode_frame(raw, dialect)

Errors: everything raised derives from :class:`sip2.errors.Sip2Error`; malformed input raises
``Sip2ProtocolError`` (``Sip2UnknownMessageError`` for an unknown code, ``Sip2ChecksumError``),
invalid values on encode raise ``Sip2ValueError``.  ``encode`` without ``sequence`` emits AZ only
(as 96/97 should be sent); with ``error_detection="off"`` neither AY nor AZ.  ACS side: reply with
the request's ``frame.sequence``; ``sip2.messages.supported_messages_field({...})`` builds ``BX``.

Client (blocking, thread-safe, one request in flight)::

    from sip2.client import Sip2Client, ClientSettings
    client = Sip2Client(ClientSettings(host="127.0.0.1", port=6001, user="kiosk", password="secret",
                                       location="KIOSK1", institution="WIERDEN", dialect=dialect))
    client.connect()                                  # 93 login + 99 status, or Sip2ConnectionError
    reply = client.checkout(patron_id, item_id, pin=pin)   # CheckoutResponse; reply.ok, .due_date ...
    client.supports("fee_paid"); client.online; client.last_round_trip; client.close()

A lost reply to 11/09/29/37 is settled by reconnecting and querying the ILS (``docs/sip2-recovery.md``);
when even that cannot tell, ``Sip2OutcomeUnknown`` (deliberately not a ``Sip2ConnectionError``) is
raised: queue it.
A reply the client reconstructed that way has ``recovered=True``.

Modules: :mod:`sip2.dialect` (site settings), :mod:`sip2.fields` (codes, timestamps, patron status
flags), :mod:`sip2.messages`, :mod:`sip2.codec`, :mod:`sip2.connection` (sans-IO sequence/resend
logic), :mod:`sip2.transport` (sockets, TLS), :mod:`sip2.recovery`, :mod:`sip2.client` (the typed calls,
over :mod:`sip2.link`: connection, keepalive, recovery; :mod:`sip2.settings`),
:mod:`sip2.wise` (OCLC Wise SIP2+ 41/42 fee records),
:mod:`sip2.redact` (log-safe text: CO/AC/AD removed, ids hashed), :mod:`sip2.framing` (FrameBuffer),
:mod:`sip2.simulator` (an ILS), ``python -m sip2 decode|checksum`` (offline tools).
"""
