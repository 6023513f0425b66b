"""Validity: a message whose expires_at has passed is failed as expired, never sent late.

The dispatcher asks here when it claims messages and again before it gives up on or retries one
(the gateway checks once more right before each provider request).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from connectors.providers.types import Category, expired_detail
from messaging.models import EventType, Message, MessageStatus
from messaging.services.callbacks import message_event_emit
from messaging.services.leases import messages_held


def messages_expire(*, messages: list[Message], token: str) -> set[int]:
    """Fail, as expired, the messages held under this lease whose validity ran out; their ids.

    Each gets one message.expired event.
    """
    now = timezone.now()
    due = [m for m in messages if m.expires_at is not None and m.expires_at <= now]
    if not due:
        return set()
    expired: set[int] = set()
    with transaction.atomic():
        for message in due:
            if messages_held(message_ids=[message.pk], token=token).update(
                status=MessageStatus.FAILED,
                failed_at=now,
                error_category=Category.EXPIRED,
                error_code="",
                error_detail=expired_detail(message.expires_at),
                lease_token="",
                lease_expires_at=None,
            ):
                expired.add(message.pk)
                message_event_emit(message=message, event=EventType.EXPIRED)
    return expired


def retry_due_at(*, message: Message, due_at: datetime) -> datetime:
    """When a retry is due: never after the message expires, so it is failed then, not later."""
    return min(due_at, message.expires_at) if message.expires_at else due_at
