"""Every state change of the inbox: receiving, stop words, forwarding, receive connectors."""

from inbox.services.forwarding import (
    forward_payload,
    inbound_message_enqueue_forward,
    inbound_message_forward,
)
from inbox.services.receive_connectors import (
    receive_connector_create,
    receive_connector_delete,
    receive_connector_regenerate_token,
    receive_connector_update,
)
from inbox.services.receiving import (
    ReceiveRefused,
    conversation_mark_read,
    inbound_message_receive,
)
from inbox.services.stop_words import stop_word_opt_out, text_is_stop_word

__all__ = [
    "ReceiveRefused",
    "conversation_mark_read",
    "forward_payload",
    "inbound_message_enqueue_forward",
    "inbound_message_forward",
    "inbound_message_receive",
    "receive_connector_create",
    "receive_connector_delete",
    "receive_connector_regenerate_token",
    "receive_connector_update",
    "stop_word_opt_out",
    "text_is_stop_word",
]
