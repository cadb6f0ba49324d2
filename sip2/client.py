"""The SIP2 client: the library's calls (checkout, checkin, fee paid, ...) over one composed link.

Usage::

    from sip2.client import Sip2Client, ClientSettings
    client = Sip2Client(ClientSettings(host="127.0.0.1", port=6001, user="kiosk", password="secret",
                                       location="KIOSK1", institution="WIERDEN"))
    client.connect()                      # TCP/TLS + 93 login + 99 status, or Sip2ConnectionError
    reply = client.checkout("2100...", "3100...")   # a CheckoutResponse
    if reply.ok: ...

Each call builds its request from the settings (institution, location, terminal password, language,
timestamps in the dialect's zone) and returns the typed reply.  A refusal is a normal reply
(``ok``/``payment_accepted`` false, with ``screen_messages``), never an exception.  The connection,
keepalive, reconnect backoff and safe recovery after a lost reply are the link's
(:mod:`sip2.link`); the client composes one (:attr:`Sip2Client.link`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from sip2 import fields
from sip2.errors import Sip2ConfigurationError
from sip2.link import Sip2Link
from sip2.messages import (
    ACSStatus,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    Message,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
    WiseUnpaidRegistrationsRequest,
    WiseUnpaidRegistrationsResponse,
)
from sip2.reconnect import ReconnectBackoff
from sip2.settings import ClientSettings
from sip2.wise import WiseFee, parse_fees

log = logging.getLogger(__name__)


class Sip2Client:
    """A thread-safe blocking SIP2 client: typed library calls over one composed :class:`Sip2Link`."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        #: The connection: login, keepalive, reconnect backoff, safe recovery (:mod:`sip2.link`).
        self.link = Sip2Link(settings)
        self._typed = self.link.typed

    # ---------------------------------------------------------------------------- the link's state
    @property
    def online(self) -> bool:
        """Whether a logged-in connection is open (false during connection setup)."""
        return self.link.online

    @property
    def last_round_trip(self) -> float | None:
        """Seconds the last successful request took (send to reply), ``None`` before the first."""
        return self.link.last_round_trip

    @property
    def acs_status(self) -> ACSStatus | None:
        """The last 98 ACS status received."""
        return self.link.acs_status

    @property
    def backoff(self) -> ReconnectBackoff:
        """When the next connection attempt may be made (:mod:`sip2.reconnect`); assignable, so a kiosk
        that makes a fresh client per attempt shares one backoff between them."""
        return self.link.backoff

    @backoff.setter
    def backoff(self, value: ReconnectBackoff) -> None:
        self.link.backoff = value

    @property
    def fee_format(self) -> str:
        """The site's fee-line format (the dialect's ``fee_format``: generic, 3m, koha, ...)."""
        return self.settings.dialect.fee_format or "generic"

    def supports(self, message: str) -> bool:
        """Whether the ILS supports *message* (``"fee_paid"``, ``"renew_all"``...): overrides, then BX."""
        return self.link.supports(message)

    def connect(self) -> None:
        """Open the connection, log in (93), fetch the ACS status (99/98); see :meth:`Sip2Link.connect`."""
        self.link.connect()

    def close(self) -> None:
        """Close the connection and stop the keepalive thread."""
        self.link.close()

    def abort(self) -> None:
        """Break off a hanging request from another thread (see :meth:`Sip2Link.abort`)."""
        self.link.abort()

    def request(self, message: Message) -> Message:
        """Send any request and return its reply, with reconnects and safe recovery."""
        return self.link.request(message)

    def __enter__(self) -> Sip2Client:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ the calls
    def _require(self, message: str) -> None:
        """Refuse to send a message the ILS's ``BX`` marks unsupported (notes: SIPServer closes the
        connection on a 37 it does not support).  ``supported_overrides`` corrects a wrong BX."""
        if self.link.acs_status is not None and not self.supports(message):
            raise Sip2ConfigurationError(
                f"the ILS does not support {message} (98 BX); set supported_overrides if it does"
            )

    def _now(self) -> str:
        return self.link.now()

    def _stamp(self, when: dt.datetime | None) -> str:
        if when is None:
            return self._now()
        return fields.timestamp(when, utc=self.settings.dialect.timestamps == "utc")

    def sc_status(self) -> ACSStatus:
        """99 SC status -> 98; also refreshes :meth:`supports`."""
        return self.link.status()

    def patron_status(self, patron_id: str, pin: str | None = None) -> PatronStatusResponse:
        """23 patron status (validates the pass and, with *pin*, the PIN: ``valid_patron_password``)."""
        s = self.settings
        return self._typed(
            PatronStatusRequest(
                language=s.language,
                transaction_date=self._now(),
                institution_id=s.institution,
                patron_id=patron_id,
                terminal_password=s.terminal_password,
                patron_password=pin or "",
            ),
            PatronStatusResponse,
        )

    def patron_information(
        self, patron_id: str, pin: str | None = None, summary: str = "", start: int = 1, end: int = 10
    ) -> PatronInformationResponse:
        """63 patron information; *summary* names one list: hold, overdue, charged, fine, recall,
        unavailable_holds (or a raw 10-character summary field)."""
        s = self.settings
        field_value = summary if len(summary) == 10 else fields.summary(summary or None)
        return self._typed(
            PatronInformationRequest(
                language=s.language,
                transaction_date=self._now(),
                summary=field_value,
                institution_id=s.institution,
                patron_id=patron_id,
                terminal_password=s.terminal_password,
                patron_password=pin,
                start_item=start,
                end_item=end,
            ),
            PatronInformationResponse,
        )

    def item_information(self, item_id: str) -> ItemInformationResponse:
        """17 item information."""
        s = self.settings
        return self._typed(
            ItemInformationRequest(
                transaction_date=self._now(),
                institution_id=s.institution,
                item_id=item_id,
                terminal_password=s.terminal_password,
            ),
            ItemInformationResponse,
        )

    def checkout(
        self,
        patron_id: str,
        item_id: str,
        pin: str | None = None,
        no_block: bool = False,
        transaction_date: dt.datetime | None = None,
        fee_acknowledged: bool = False,
    ) -> CheckoutResponse:
        """11 checkout.  A refusal is ``reply.ok == False`` with ``screen_messages``, not an error."""
        s = self.settings
        stamp = self._stamp(transaction_date)
        return self._typed(
            CheckoutRequest(
                renewal_policy=False,
                no_block=no_block,
                transaction_date=stamp,
                nb_due_date=stamp,
                institution_id=s.institution,
                patron_id=patron_id,
                item_id=item_id,
                terminal_password=s.terminal_password,
                patron_password=pin,
                fee_acknowledged=True if fee_acknowledged else None,
            ),
            CheckoutResponse,
        )

    def checkin(
        self,
        item_id: str,
        no_block: bool = False,
        transaction_date: dt.datetime | None = None,
        return_date: dt.datetime | None = None,
    ) -> CheckinResponse:
        """09 checkin at this kiosk's location."""
        s = self.settings
        stamp = self._stamp(transaction_date)
        return self._typed(
            CheckinRequest(
                no_block=no_block,
                transaction_date=stamp,
                return_date=self._stamp(return_date) if return_date else stamp,
                current_location=s.location,
                institution_id=s.institution,
                item_id=item_id,
                terminal_password=s.terminal_password,
            ),
            CheckinResponse,
        )

    def renew(
        self,
        patron_id: str,
        item_id: str,
        pin: str | None = None,
        no_block: bool = False,
        transaction_date: dt.datetime | None = None,
    ) -> RenewResponse:
        """29 renew one item (refused with Sip2ConfigurationError if BX says renew is unsupported).

        The loan's due date is read first (17) so that a lost reply can be settled: a later due date
        afterwards means renewed; otherwise :class:`~sip2.errors.Sip2OutcomeUnknown` ("could not
        confirm"), never a refusal and never a second 29."""
        self._require("renew")
        s = self.settings
        stamp = self._stamp(transaction_date)
        request = RenewRequest(
            third_party_allowed=False,
            no_block=no_block,
            transaction_date=stamp,
            nb_due_date=stamp,
            institution_id=s.institution,
            patron_id=patron_id,
            patron_password=pin,
            item_id=item_id,
            terminal_password=s.terminal_password,
        )
        return self._typed(request, RenewResponse, self.link.snapshot_loan(request))

    def renew_all(self, patron_id: str, pin: str | None = None) -> RenewAllResponse:
        """65 renew all (gated by BX like :meth:`renew`)."""
        self._require("renew_all")
        s = self.settings
        return self._typed(
            RenewAllRequest(
                transaction_date=self._now(),
                institution_id=s.institution,
                patron_id=patron_id,
                patron_password=pin,
                terminal_password=s.terminal_password,
            ),
            RenewAllResponse,
        )

    def fee_paid(
        self,
        patron_id: str,
        amount: Decimal,
        fee_id: str | None = None,
        transaction_id: str | None = None,
        fee_type: str = "01",
        payment_type: str = "02",
        currency: str = "EUR",
    ) -> FeePaidResponse:
        """37 fee paid.  The fee state is read first (63) so that a lost reply can be settled exactly;
        keep ``reply.transaction_id`` (the ACS may assign its own BK).  Gated by BX like :meth:`renew`."""
        self._require("fee_paid")
        s = self.settings
        request = FeePaidRequest(
            transaction_date=self._now(),
            fee_type=fee_type,
            payment_type=payment_type,
            currency=currency,
            fee_amount=Decimal(amount),
            institution_id=s.institution,
            patron_id=patron_id,
            terminal_password=s.terminal_password,
            fee_id=fee_id,
            transaction_id=transaction_id,
        )
        snapshot = self.link.snapshot_fees(request)
        return self._typed(request, FeePaidResponse, snapshot)

    def end_patron_session(self, patron_id: str, pin: str | None = None) -> EndSessionResponse:
        """35 end patron session."""
        s = self.settings
        return self._typed(
            EndPatronSessionRequest(
                transaction_date=self._now(),
                institution_id=s.institution,
                patron_id=patron_id,
                terminal_password=s.terminal_password,
                patron_password=pin,
            ),
            EndSessionResponse,
        )

    def unpaid_registrations(self, patron_id: str, pin: str | None = None) -> list[WiseFee]:
        """OCLC Wise SIP2+ 41/42: the patron's unpaid registrations (only with ``wise_sip2plus``)."""
        s = self.settings
        if not s.dialect.wise_sip2plus:
            raise Sip2ConfigurationError("unpaid registrations need the Wise SIP2+ dialect (wise_sip2plus)")
        reply = self._typed(
            WiseUnpaidRegistrationsRequest(
                transaction_date=self._now(),
                institution_id=s.institution,
                patron_id=patron_id,
                terminal_password=s.terminal_password,
                patron_password=pin,
                flag_fa=True,
                flag_fb=True,
                flag_fc=True,
            ),
            WiseUnpaidRegistrationsResponse,
        )
        return parse_fees(reply)


__all__ = ["ClientSettings", "Sip2Client"]
