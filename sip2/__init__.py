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

Higher layers: :mod:`sip2.connection` (sans-IO sequence/resend logic), :mod:`sip2.client`
(blocking TCP/TLS client), :mod:`sip2.wise` (OCLC Wise SIP2+ 41/42), :mod:`sip2.redact` (log form).
"""
