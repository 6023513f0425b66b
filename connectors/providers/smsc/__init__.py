"""SMSC (SMPP 3.4): statuses, the kept session, and the provider named in SMSCONSOLE_PROVIDERS."""

from connectors.providers.smsc.provider import SmscProvider
from connectors.providers.smsc.receipts import ReceiptListener, receipt_from_deliver_sm
from connectors.providers.smsc.session import (
    close_binds,
    close_every_bind,
    host_allowed_error,
)
from connectors.providers.smsc.statuses import command_status_parse

__all__ = [
    "ReceiptListener",
    "SmscProvider",
    "close_binds",
    "close_every_bind",
    "command_status_parse",
    "host_allowed_error",
    "receipt_from_deliver_sm",
]
