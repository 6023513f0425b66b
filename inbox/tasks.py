"""django-q2 task wrappers: load the id, call the service."""

from inbox.services import inbound_message_forward


def inbound_message_forward_task(message_id: int) -> None:
    inbound_message_forward(message_id=message_id)
