"""The messaging app's models, one module per concern, all importable from messaging.models."""

from messaging.models.callbacks import CallbackAttempt, CallbackState, EventType, MessageEvent
from messaging.models.messages import (
    NO_CONNECTOR,
    OPTED_OUT,
    Attempt,
    IysRecipientType,
    Message,
    MessageKind,
    MessageStatus,
    ProviderRequest,
    WorkerHeartbeat,
)
from messaging.models.optouts import OptOut
from messaging.models.receipts import DeliveryReport, ReceiptSource

# The routing models live with the routing rules; importing them here registers them with the app.
from messaging.routing.models import CountryFooter, SendWindow  # noqa: F401

__all__ = [
    "NO_CONNECTOR",
    "OPTED_OUT",
    "Attempt",
    "CallbackAttempt",
    "CallbackState",
    "DeliveryReport",
    "EventType",
    "IysRecipientType",
    "Message",
    "MessageEvent",
    "MessageKind",
    "MessageStatus",
    "OptOut",
    "ProviderRequest",
    "ReceiptSource",
    "WorkerHeartbeat",
]
