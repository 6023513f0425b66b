"""SMPP delivery receipts: the deliver_sm receipt format and a receiver bind that reads them.

Submits ask for receipts (registered_delivery=1); the SMSC sends each one as a deliver_sm with
esm_class 0x04 on a receiver (or transceiver) bind. Its text reads
`id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:… text:…`, and SMPP 3.4 TLVs may
carry the same: receipted_message_id and message_state. SMSCs write the id in hex in one place and
decimal in another, so a receipt carries both forms.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions

from connectors.providers.smsc.session import (
    LOGGER_NAME,
    TRANSPORT_ERRORS,
    host_allowed_error,
    readable,
)
from connectors.providers.smsc.statuses import transport_error
from connectors.providers.types import (
    CannotCarry,
    Category,
    DeliveryState,
    ProviderError,
    Receipt,
)
from core.text import digits_only

if TYPE_CHECKING:
    from connectors.models import Connector

logger = logging.getLogger(__name__)

DELIVERY_RECEIPT = 0x04  # esm_class bits 2-5: SMSC delivery receipt
# `stat:` of the receipt text (SMPP 3.4 Appendix B).
STAT_STATES = {
    "DELIVRD": DeliveryState.DELIVERED,
    "UNDELIV": DeliveryState.UNDELIVERED,
    "EXPIRED": DeliveryState.EXPIRED,
    "REJECTD": DeliveryState.REJECTED,
    "DELETED": DeliveryState.REJECTED,
    "ACCEPTD": DeliveryState.PENDING,
    "ENROUTE": DeliveryState.PENDING,
    "UNKNOWN": DeliveryState.PENDING,
}
# The message_state TLV (SMPP 3.4 5.2.28).
MESSAGE_STATES = {
    1: DeliveryState.PENDING,  # ENROUTE
    2: DeliveryState.DELIVERED,
    3: DeliveryState.EXPIRED,
    4: DeliveryState.REJECTED,  # DELETED
    5: DeliveryState.UNDELIVERED,
    6: DeliveryState.PENDING,  # ACCEPTED
    7: DeliveryState.PENDING,  # UNKNOWN
    8: DeliveryState.REJECTED,
}
FIELD_RE = re.compile(r"(id|sub|dlvrd|submit date|done date|stat|err|text):", re.IGNORECASE)


def receipt_text_fields(text: str) -> dict[str, str]:
    """The fields of a receipt's text by lower-case name ("submit date", "stat", ...)."""
    marks = list(FIELD_RE.finditer(text))
    return {
        mark.group(1).lower(): text[mark.end() : following.start() if following else None].strip()
        for mark, following in zip(marks, [*marks[1:], None], strict=True)
    }


def message_id_forms(message_id: str) -> tuple[str, ...]:
    """Other ways an SMSC writes the same id: hex as decimal and decimal as hex."""
    value = message_id.strip()
    forms: list[str] = []
    if digits_only(value):
        forms += [format(int(value), "x"), format(int(value), "X")]
    if re.fullmatch(r"[0-9A-Fa-f]+", value):
        short = value.lstrip("0") or "0"
        forms += [str(int(value, 16)), value.lower(), value.upper(), short, short.lower()]
    return tuple(dict.fromkeys(form for form in forms if form != value))


def receipt_from_deliver_sm(pdu) -> Receipt | None:
    """The receipt a deliver_sm carries, or None when it is an ordinary (mobile-originated) SMS."""
    if not (pdu.esm_class or 0) & DELIVERY_RECEIPT:
        return None
    text = (pdu.short_message or b"").decode("latin-1")
    fields = receipt_text_fields(text)
    tlv_id = pdu.receipted_message_id
    message_id = (tlv_id.decode("latin-1") if isinstance(tlv_id, bytes) else tlv_id or "") or (
        fields.get("id", "")
    )
    stat = fields.get("stat", "").upper()
    if pdu.message_state in MESSAGE_STATES:
        state = MESSAGE_STATES[pdu.message_state]
    else:
        state = STAT_STATES.get(stat, DeliveryState.PENDING)
    source = (pdu.source_addr or b"").decode("latin-1")
    return Receipt(
        state=state,
        provider_message_id=message_id.strip(),
        number=f"+{source.lstrip('+')}" if digits_only(source.lstrip("+")) else "",
        code=stat or str(pdu.message_state or ""),
        detail=f"err:{fields['err']}" if fields.get("err", "000").strip("0") else "",
        raw=text,
        alternative_ids=tuple(
            dict.fromkeys(message_id_forms(message_id) + message_id_forms(fields.get("id", "")))
        ),
    )


class ReceiptListener:
    """A receiver bind to one connector's SMSC, handing each receipt to `handle` and answering
    the deliver_sm after it (an SMSC sends again what was not answered)."""

    def __init__(self, connector: Connector, handle: Callable[[Receipt], None]) -> None:
        options = connector.options or {}
        self.connector = connector
        self.handle = handle
        self.client = smpplib.client.Client(
            options.get("host", ""),
            int(options.get("port") or 2775),
            timeout=float(options.get("timeout_seconds") or 10),
            logger_name=LOGGER_NAME,
            allow_unknown_opt_params=True,
        )
        self.client.set_message_received_handler(self._received)
        self.received = 0

    def open(self) -> None:
        """Connect and bind as a receiver; ProviderError when the SMSC refuses."""
        options = self.connector.options or {}
        if problem := host_allowed_error(options.get("host", "")):
            raise CannotCarry(Category.NETWORK, problem)
        try:
            self.client.connect()
            self.client.bind_receiver(
                system_id=self.connector.username,
                password=self.connector.password,
                system_type=options.get("system_type", ""),
                interface_version=0x34,
            )
        except smpplib.exceptions.PDUError as error:
            self.client.disconnect()
            raise ProviderError(
                Category.CREDENTIALS, f"The SMSC refused the receiver bind: {error}"
            ) from None
        except TRANSPORT_ERRORS as error:
            raise transport_error(error, self.client.timeout) from error

    def listen(self, seconds: float) -> int:
        """Read what the SMSC sends for up to `seconds`; how many receipts were handled."""
        before, deadline = self.received, time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            sock = self.client._socket
            if sock is None or self.client.state != c.SMPP_CLIENT_STATE_BOUND_RX:
                raise ProviderError(Category.NETWORK, "The receiver bind was closed.")
            if not readable(sock, remaining):
                break
            try:
                self.client.read_once(auto_send_enquire_link=False)
            except TRANSPORT_ERRORS as error:
                raise transport_error(error, self.client.timeout) from error
        return self.received - before

    def close(self) -> None:
        """Unbind (when still bound) and disconnect."""
        try:
            if self.client.state == c.SMPP_CLIENT_STATE_BOUND_RX:
                self.client.unbind()
        except TRANSPORT_ERRORS:
            pass  # the SMSC is gone already
        self.client.state = c.SMPP_CLIENT_STATE_OPEN
        self.client.disconnect()

    def _received(self, pdu) -> int:
        receipt = receipt_from_deliver_sm(pdu)
        if receipt is None:
            return c.SMPP_ESME_ROK  # an inbound SMS: not ours to read here
        try:
            self.handle(receipt)
        except Exception:  # answered as a temporary error, so the SMSC sends it again later
            logger.exception("An SMPP receipt of connector %s was not stored", self.connector.pk)
            return c.SMPP_ESME_RX_T_APPN
        self.received += 1
        return c.SMPP_ESME_ROK
