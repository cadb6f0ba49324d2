"""Every SIP2 2.00 message as a frozen dataclass (both directions), plus OCLC Wise SIP2+ 41/42.

Importing this package registers all classes in :data:`MESSAGE_TYPES` (code -> class).
"""

from sip2.fields import PatronStatus
from sip2.messages.base import MESSAGE_TYPES, Fixed, FixedKind, Message, Var, VarKind
from sip2.messages.circulation import (
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
)
from sip2.messages.items import (
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    ItemStatusUpdateRequest,
    ItemStatusUpdateResponse,
)
from sip2.messages.patron import (
    BlockPatron,
    EndPatronSessionRequest,
    EndSessionResponse,
    FeePaidRequest,
    FeePaidResponse,
    PatronEnableRequest,
    PatronEnableResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
)
from sip2.messages.session import (
    ACSStatus,
    LoginRequest,
    LoginResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
    supported_messages_field,
)
from sip2.messages.wise import WiseUnpaidRegistrationsRequest, WiseUnpaidRegistrationsResponse

__all__ = [
    "MESSAGE_TYPES",
    "ACSStatus",
    "BlockPatron",
    "CheckinRequest",
    "CheckinResponse",
    "CheckoutRequest",
    "CheckoutResponse",
    "EndPatronSessionRequest",
    "EndSessionResponse",
    "FeePaidRequest",
    "FeePaidResponse",
    "Fixed",
    "FixedKind",
    "HoldRequest",
    "HoldResponse",
    "ItemInformationRequest",
    "ItemInformationResponse",
    "ItemStatusUpdateRequest",
    "ItemStatusUpdateResponse",
    "LoginRequest",
    "LoginResponse",
    "Message",
    "PatronEnableRequest",
    "PatronEnableResponse",
    "PatronInformationRequest",
    "PatronInformationResponse",
    "PatronStatus",
    "PatronStatusRequest",
    "PatronStatusResponse",
    "RenewAllRequest",
    "RenewAllResponse",
    "RenewRequest",
    "RenewResponse",
    "RequestACSResend",
    "RequestSCResend",
    "SCStatusRequest",
    "Var",
    "VarKind",
    "WiseUnpaidRegistrationsRequest",
    "WiseUnpaidRegistrationsResponse",
    "supported_messages_field",
]
